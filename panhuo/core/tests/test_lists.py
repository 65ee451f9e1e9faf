"""The list component (core/lists.py): search, filters, sort, pages, export, saved filters and
the reader's scope, on a list declared in the test and on the asset register's page."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils.translation import gettext_lazy as _l
from openpyxl import load_workbook

from panhuo.core.lists import REGISTRY, TARGETS, Column, ObjectList, registry
from panhuo.core.models import SavedFilter
from panhuo.core.testing import AssetFactory
from panhuo.core.tests.api_support import client_for
from panhuo.register.forms import AssetFilterForm
from panhuo.register.selectors import ASSET_ORDERINGS, asset_list


class _Assets(ObjectList):
    """Declared here, unregistered (no target): the component's search, not the selector's."""

    resource, url_name = "asset", "asset-list"
    template = "register/asset_list.html"
    filter_form = AssetFilterForm
    rows = staticmethod(asset_list)
    search = ("name", "address")
    orderings, default_sort = ASSET_ORDERINGS, "code"
    columns = [
        Column("code", _l("Code")),
        Column("name", _l("Name")),
        Column("book_value", _l("Book value"), numeric=True),
        Column("unit", _l("Holding unit"), "unit.name"),
    ]


def _list(world, who="office", **params) -> _Assets:
    request = RequestFactory().get("/assets/", params)
    request.user = world.user(who)
    return _Assets(request)


def _codes(page) -> list[str]:
    return [a.code for a in page.query()[2]]


@pytest.fixture
def assets(world):
    return [
        AssetFactory(unit=world.unit, code="L-2", name="Granary", address="9 West Street"),
        AssetFactory(unit=world.unit, code="L-1", name="Granary", address="3 East Street"),
        AssetFactory(unit=world.unit2, code="L-3", name="Clinic", book_value=Decimal("7.00")),
        AssetFactory(unit=world.other_unit, code="L-9", name="Granary"),  # district B
    ]


def test_search_covers_the_declared_fields_and_only_the_readers_rows(world, assets):
    assert _codes(_list(world, q="granary")) == ["L-1", "L-2"]  # L-9 is district B's
    assert _codes(_list(world, q="east")) == ["L-1"]
    assert _codes(_list(world, q="L-3")) == []  # code is not a search field here
    assert _codes(_list(world, "outsider_office", q="granary")) == ["L-9"]


def test_filters_come_from_the_lists_form(world, assets):
    assert _codes(_list(world, max_value="10")) == ["L-3"]
    assert _codes(_list(world, unit=str(world.unit2.pk), q="clinic")) == ["L-3"]
    # A value the form refuses is ignored, not a 500.
    assert _codes(_list(world, max_value="lots")) == ["L-1", "L-2", "L-3"]


def test_sort_both_ways_with_a_stable_tiebreak(world, assets):
    l1, l2 = assets[1], assets[0]
    by_name = _codes(_list(world, sort="name"))
    assert by_name == ["L-3", "L-2", "L-1"] if l2.pk < l1.pk else ["L-3", "L-1", "L-2"]
    assert _codes(_list(world, sort="-book_value"))[-1] == "L-3"
    # An unknown column falls back to the default sort.
    assert _codes(_list(world, sort="password")) == ["L-1", "L-2", "L-3"]


def test_pages_keep_the_query_string(world, assets, settings):
    settings.PANHUO = {**settings.PANHUO, "PAGE_SIZE": 2}
    c = client_for(world, "office")
    body = c.get(reverse("asset-list"), {"q": "L-", "sort": "-code"}).content.decode()
    assert 'href="?q=L-&amp;sort=-code&amp;page=2"' in body
    second = c.get(reverse("asset-list"), {"q": "L-", "sort": "-code", "page": "2"})
    assert "L-1" in second.content.decode() and "L-3" not in second.content.decode()
    # The header links keep the filters and go back to page 1.
    assert 'href="?q=L-&amp;sort=code"' in second.content.decode()


def test_export_csv_is_every_page_filtered_sorted_and_neutralised(world, assets, settings):
    settings.PANHUO = {**settings.PANHUO, "PAGE_SIZE": 1}
    AssetFactory(unit=world.unit, code="L-0", name="=HYPERLINK(1) Granary")
    response = _list(world, q="granary", sort="-code").export("csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Code", "Name", "Book value", "Holding unit"]
    assert [r[0] for r in rows[1:]] == ["L-2", "L-1", "L-0"]
    assert rows[3][1] == "'=HYPERLINK(1) Granary" and rows[3][3] == world.unit.name


def test_export_xlsx_keeps_numbers_and_neutralises_formulas(world, assets):
    AssetFactory(unit=world.unit, code="L-0", name="=1+1")
    response = _list(world, sort="code").export("xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.cell(row=2, column=2).data_type == "s"  # text, not a formula
    assert rows[0] == ("Code", "Name", "Book value", "Holding unit")
    assert [r[0] for r in rows[1:]] == ["L-0", "L-1", "L-2", "L-3"]
    assert rows[1][1] == "=1+1"
    assert rows[4][2] == 7  # a number, not text


def test_export_from_the_page_url_follows_the_page(world, assets):
    c = client_for(world, "office")
    response = c.get(reverse("package-list"), {"export": "csv", "q": "nothing-like-this"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert response.status_code == 200 and len(rows) == 1  # the header only


def test_saved_filter_round_trip(world, assets):
    c = client_for(world, "office")
    query = "q=granary&sort=-code"
    response = c.post(
        reverse("saved-filter-save"), {"target": "assets", "query": query, "name": "Barns"}
    )
    saved = SavedFilter.objects.get(owner=world.user("office"), target="assets")
    assert response.status_code == 302 and response["Location"] == f"/assets/?{query}"
    page = c.get(response["Location"]).content.decode()
    assert 'aria-current="true"' in page and "Barns" in page
    assert page.index("L-2") < page.index("L-1")  # the saved sort applies
    assert saved.get_absolute_url() == f"/assets/?{query}"


def test_a_caller_without_the_section_gets_403_and_nothing(world, assets):
    for url in (reverse("asset-list"), reverse("package-list")):
        response = client_for(world, "bidder").get(url, {"export": "csv"})
        assert response.status_code == 403
        assert b"L-1" not in response.content


def test_another_jurisdictions_export_has_none_of_ours(world, assets):
    response = client_for(world, "outsider_office").get(reverse("asset-list"), {"export": "csv"})
    text = b"".join(response.streaming_content).decode()
    assert response.status_code == 200 and "L-9" in text
    assert "L-1" not in text and "L-3" not in text


def test_every_declared_list_is_named_in_targets():
    assert set(registry()) == set(TARGETS)
    for declared in REGISTRY.values():
        assert declared.columns and declared.template and declared.url_name, declared
