"""Each reader's unit of amounts (issue 14 item 4): pages show 元, 万元 or 亿元 as the signed-in
user chose, with two decimals, each column and input saying which; exports and the API stay in
exact yuan; the choice is audited and only a signed-in user has one."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from panhuo.core import money
from panhuo.core.testing import AssetFactory
from panhuo.core.tests.api_support import call, client_for
from panhuo.disposal import services as ds
from panhuo.disposal.models import DisposalProject
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.models import User
from panhuo.organisation.preferences import user_set_money_unit

AMOUNT = D("12345678.90")


@pytest.fixture
def lot(world):
    """An asset of 12,345,678.90 yuan, alone in a package."""
    asset = AssetFactory(unit=world.unit, book_value=AMOUNT, code="UNIT-1")
    package = ds.package_create(
        actor=world.user("office"),
        jurisdiction=world.district,
        name="Lot",
        channel="auction",
        asset_ids=[asset.pk],
    )
    return asset, package


def _cells(html: str) -> list[str]:
    return re.findall(r'<td class="num">([^<]*)</td>', html)


def test_each_reader_sees_their_own_unit_and_no_request_leaks_it(world, lot):
    _asset, package = lot
    user_set_money_unit(actor=world.user("office"), unit="wan")
    user_set_money_unit(actor=world.user("head"), unit="yuan")
    wan, yuan = client_for(world, "office"), client_for(world, "head")
    list_url = reverse("asset-list") + "?q=UNIT-1"
    for _round in range(2):  # one after the other, twice, in the one process and thread
        page = wan.get(list_url).content.decode()
        assert "1,234.57" in _cells(page) and "Book value (in 10k yuan)" in page
        detail = wan.get(package.get_absolute_url()).content.decode()
        assert "1,234.57" in detail and "Total book value (10k yuan)" in detail
        assert "12,345,678.90" not in _cells(detail)
        page = yuan.get(list_url).content.decode()
        assert "12,345,678.90" in _cells(page) and "Book value (in yuan)" in page
        assert "1,234.57" not in page
        detail = yuan.get(package.get_absolute_url()).content.decode()
        assert "12,345,678.90" in detail and "1,234.57" not in detail
        # Nothing is left active between requests: outside one, the site's unit applies.
        assert money.chosen_unit() == ""


def test_without_a_choice_the_site_unit_and_yi_has_two_decimals(world, lot, settings):
    settings.PANHUO = {**settings.PANHUO, "MONEY_UNIT": "yuan"}
    page = client_for(world, "office").get(reverse("asset-list") + "?q=UNIT-1").content.decode()
    assert "12,345,678.90" in _cells(page)
    with money.override("yi"):
        assert money.format_money(AMOUNT) == "0.12" and money.unit_label() == "100m yuan"
    with money.override("wan"):
        assert money.format_money(AMOUNT) == "1,234.57"
    assert money.format_money(AMOUNT) == "12,345,678.90"


def test_exports_stay_in_exact_yuan_and_say_so(world, lot):
    _asset, package = lot
    user_set_money_unit(actor=world.user("office"), unit="wan")
    c = client_for(world, "office")
    rows = list(csv.reader(io.StringIO(_body(c.get(reverse("package-list") + "?export=csv")))))
    assert "Book value (in yuan)" in rows[0] and "Appraised (in yuan)" in rows[0]
    column = rows[0].index("Book value (in yuan)")
    assert [row[column] for row in rows[1:] if row[0] == package.code] == ["12345678.90"]
    body = _body(c.get(reverse("asset-list") + "?q=UNIT-1&export=csv"))
    assert "12345678.90" in body and "1234.57" not in body


def _body(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return data.decode("utf-8-sig")


def test_the_choice_is_audited_and_refused_for_anonymous(world):
    office = world.user("office")
    c = client_for(world, "office")
    r = c.post(reverse("set-money-unit"), {"money_unit": "yi", "next": "/me/"})
    assert r.status_code == 302 and r["Location"] == "/me/"
    assert User.objects.get(pk=office.pk).money_unit == "yi"
    entry = AuditEntry.objects.get(action="user.set_money_unit")
    assert entry.before == {"money_unit": ""} and entry.after == {"money_unit": "yi"}
    assert 'value="yi" selected' in c.get(reverse("me")).content.decode()
    # Back to the site's unit: audited too; the same choice again writes nothing.
    c.post(reverse("set-money-unit"), {"money_unit": ""})
    c.post(reverse("set-money-unit"), {"money_unit": ""})
    assert AuditEntry.objects.filter(action="user.set_money_unit").count() == 2
    # A unit nobody knows: a message, nothing stored.
    c.post(reverse("set-money-unit"), {"money_unit": "gbp"})
    assert User.objects.get(pk=office.pk).money_unit == ""
    with pytest.raises(ValidationError) as info:
        user_set_money_unit(actor=office, unit="gbp")
    assert "money_unit" in info.value.message_dict
    # Anonymous: sent to sign in (the page) or 401 (the API), nothing written.
    anon = Client()
    r = anon.post(reverse("set-money-unit"), {"money_unit": "wan"})
    assert r.status_code == 302 and reverse("login") in r["Location"]
    assert call(anon, "PATCH", "/api/v1/me", {"money_unit": "wan"}).status_code == 401
    assert AuditEntry.objects.filter(action="user.set_money_unit").count() == 2


def test_the_api_sets_the_unit_and_still_answers_in_yuan(world, lot):
    asset, _package = lot
    c = client_for(world, "office")
    r = call(c, "PATCH", "/api/v1/me", {"money_unit": "wan"})
    assert r.status_code == 200 and r.json()["money_unit"] == "wan"
    assert call(c, "GET", "/api/v1/me").json()["money_unit"] == "wan"
    assert AuditEntry.objects.filter(action="user.set_money_unit").count() == 1
    assert call(c, "GET", f"/api/v1/assets/{asset.pk}").json()["book_value"] == "12345678.90"
    r = call(c, "PATCH", "/api/v1/me", {"money_unit": "gbp"})
    assert r.status_code == 422 and "money_unit" in r.content.decode()
    assert User.objects.get(pk=world.user("office").pk).money_unit == "wan"


def test_an_amount_typed_in_wan_is_stored_in_yuan(world, lot):
    _asset, package = lot
    user_set_money_unit(actor=world.user("office"), unit="wan")
    c = client_for(world, "office")
    url = reverse("project-create", args=[package.pk])
    page = c.get(url).content.decode()
    # The unit beside the box starts at the reader's own.
    select = re.search(r'<select name="reserve_price_unit".*?</select>', page, re.S).group(0)
    assert re.search(r'<option value="wan"[^>]*selected', select)
    r = c.post(
        url, {"channel": "auction", "reserve_price": "1234.5678", "reserve_price_unit": "wan"}
    )
    assert r.status_code == 302
    assert DisposalProject.objects.get().reserve_price == D("12345678.00")


def test_a_stored_amount_is_offered_in_the_reader_unit():
    from panhuo.core.forms import AmountInput

    widget = AmountInput()
    assert widget.decompress(D("12345678.90")) == ["12345678.90", "yuan"]
    with money.override("wan"):
        assert widget.decompress(D("12345678.90")) == ["1234.56789", "wan"]
    with money.override("yi"):  # a reader of 亿元 types amounts in 亿元 too (issue 15 item 8)
        assert widget.decompress(None) == ["", "yi"]
        assert widget.decompress(D("12345678.90")) == ["0.123456789", "yi"]
