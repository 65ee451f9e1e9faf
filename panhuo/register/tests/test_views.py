"""The asset register pages, for every role: who may see and write what, and bad input."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from panhuo.core.testing import AssetFactory
from panhuo.core.tests.views_support import (
    READERS_A,
    READERS_B,
    REGISTER_SECTION,
    assert_login_redirect,
    build_sample,
    client_for,
    expected,
    fingerprint,
    statuses,
)
from panhuo.integrity.models import AuditEntry
from panhuo.register import exporting
from panhuo.register.models import Asset

WRITERS_A = {"office", "office2", "unit_officer"}
CREATORS = {
    "office",
    "office2",
    "unit_officer",
    "other_unit_officer",
    "outsider_office",
    "outsider_unit_officer",
}


@pytest.fixture
def sample(world):
    return build_sample(world)


PAGES = {
    "list": (lambda s: reverse("asset-list"), lambda: expected(REGISTER_SECTION)),
    "export": (lambda s: reverse("asset-export"), lambda: expected(REGISTER_SECTION)),
    "classification": (
        lambda s: reverse("classification-list"),
        lambda: expected(REGISTER_SECTION),
    ),
    "create": (
        lambda s: reverse("asset-create"),
        lambda: expected(CREATORS, forbidden=REGISTER_SECTION),
    ),
    "detail": (
        lambda s: reverse("asset-detail", args=[s.a.asset.pk]),
        lambda: expected(READERS_A | {"unit_officer"}, REGISTER_SECTION),
    ),
    "detail-of-district-b": (
        lambda s: reverse("asset-detail", args=[s.a.other_asset.pk]),
        lambda: expected(READERS_B | {"outsider_unit_officer", "supervisor"}, REGISTER_SECTION),
    ),
    "detail-of-unit-2": (
        lambda s: reverse("asset-detail", args=[s.a.asset2.pk]),
        lambda: expected(READERS_A | {"other_unit_officer"}, REGISTER_SECTION),
    ),
    "detail-missing": (
        lambda s: reverse("asset-detail", args=[999999]),
        lambda: expected((), REGISTER_SECTION),
    ),
    "edit": (
        lambda s: reverse("asset-edit", args=[s.a.asset.pk]),
        lambda: expected(WRITERS_A, REGISTER_SECTION, forbidden=READERS_A),
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_page_for_every_role(world, sample, page):
    url, table = PAGES[page]
    assert statuses(world, url(sample)) == table()


@pytest.mark.parametrize("page", PAGES)
def test_page_needs_sign_in(world, sample, page):
    assert_login_redirect(PAGES[page][0](sample))


def test_list_shows_only_what_the_user_may_see(world, sample):
    s = sample
    body = client_for(world, "unit_officer").get(reverse("asset-list")).content.decode()
    assert f'href="{s.a.asset.get_absolute_url()}"' in body
    assert f'href="{s.a.asset2.get_absolute_url()}"' not in body  # unit U2
    assert f'href="{s.a.other_asset.get_absolute_url()}"' not in body  # district B


def test_list_filters_sorts_and_pages(world):
    for n in range(60):
        AssetFactory(unit=world.unit, code=f"Z{n:03d}", book_value=Decimal(1000 + n), kind="land")
    AssetFactory(unit=world.unit, code="VEH1", kind="vehicle", book_value=Decimal("5.00"))
    c = client_for(world, "office")
    page1 = c.get(reverse("asset-list"), {"kind": "land", "sort": "-book_value"})
    assert page1.status_code == 200
    rows = list(page1.context["page"])
    assert len(rows) == 50 and page1.context["page"].paginator.count == 60
    assert rows[0].code == "Z059" and rows[-1].code == "Z010"
    assert all(a.kind == "land" for a in rows)
    assert "?kind=land&amp;sort=-book_value&amp;page=2" in page1.content.decode()
    page2 = c.get(reverse("asset-list"), {"kind": "land", "sort": "-book_value", "page": "2"})
    assert [a.code for a in page2.context["page"]][-1] == "Z000"
    value = c.get(reverse("asset-list"), {"min_value": "1,050", "max_value": "1055.00"})
    assert sorted(a.code for a in value.context["page"]) == [f"Z{n:03d}" for n in range(50, 56)]
    found = c.get(reverse("asset-list"), {"q": "veh"})
    assert [a.code for a in found.context["page"]] == ["VEH1"]


def test_list_ignores_bad_filters_and_unknown_sort(world, sample):
    response = client_for(world, "office").get(
        reverse("asset-list"), {"min_value": "lots", "sort": "password", "page": "x"}
    )
    assert response.status_code == 200
    assert response.context["sort"] == "code"
    assert "min_value" in response.context["filter_form"].errors


def test_sort_header_toggles_direction(world, sample):
    body = client_for(world, "office").get(reverse("asset-list"), {"sort": "name"}).content
    assert b'aria-sort="ascending"' in body
    assert b'href="?sort=-name"' in body


def test_export_is_the_filtered_visible_list_as_csv(world, sample):
    AssetFactory(unit=world.unit, code="CSV1", name="=HYPERLINK(1)", book_value=Decimal("12.30"))
    response = client_for(world, "unit_officer").get(reverse("asset-export"), {"q": "CSV"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    # The import's own columns, so that the file reads back unchanged (see the round trip in
    # test_views_register_depth_*.py); a cell a spreadsheet would run as a formula carries a
    # leading apostrophe, which the import takes off again.
    assert rows[0] == exporting.HEADERS and len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["code"] == "CSV1" and record["unit"] == "U1"
    assert record["name"] == "'=HYPERLINK(1)"
    assert record["book_value (yuan)"] == "12.30"  # the header states the unit
    everything = client_for(world, "unit_officer").get(reverse("asset-export"))
    codes = {r[1] for r in csv.reader(io.StringIO(b"".join(everything.streaming_content).decode()))}
    assert sample.a.asset.code in codes and sample.a.other_asset.code not in codes


# --- writes ---------------------------------------------------------------------------------


def asset_data(unit, **over) -> dict:
    data = {
        "code": "NEW-1",
        "name": "Former school",
        "kind": "building",
        "unit": unit.pk,
        "address": "8 Jiefang Road",
        "status": "idle",
        "criticality": "non_essential",
        "book_value": "1,200,000.00",
        "appraised_value": "1500000",
        "attr_building_floors": "4",
        "attr_building_structure": "brick and concrete",
    }
    data.update(over)
    return data


def test_office_registers_an_asset(world):
    response = client_for(world, "office").post(reverse("asset-create"), asset_data(world.unit))
    asset = Asset.objects.get(code="NEW-1")
    assert response.status_code == 302 and response["Location"] == asset.get_absolute_url()
    assert asset.book_value == Decimal("1200000.00")
    assert asset.attributes == {"floors": 4, "structure": "brick and concrete"}
    assert AuditEntry.objects.filter(action="asset.create", object_id=str(asset.pk)).exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("head", 403),
        ("finance", 403),
        ("auditor", 403),
        ("supervisor", 403),
        ("bidder", 403),
        ("outsider_office", 200),  # unit U1 is not even a choice for them
        ("other_unit_officer", 200),
    ],
)
def test_asset_create_denied_writes_nothing(world, who, status):
    before = fingerprint()
    response = client_for(world, who).post(reverse("asset-create"), asset_data(world.unit))
    assert response.status_code == status
    if status == 200:
        assert "unit" in response.context["form"].errors
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("book_value", "lots"),
        ("book_value", "-5"),
        ("book_value", "1.234"),
        ("name", ""),
        ("kind", "castle"),
        ("latitude", "91"),
        ("idle_since", "2999-01-01"),
        ("attr_building_floors", "four"),
        ("attr_building_floors", "4.5"),
        ("attr_vehicle_plate", "粤B12345"),  # a vehicle's attribute on a building
        ("classification", "NOPE"),
    ],
)
def test_asset_create_bad_input_names_the_field(world, field, value):
    before = fingerprint()
    response = client_for(world, "office").post(
        reverse("asset-create"), asset_data(world.unit, **{field: value})
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert b"Nothing was saved" in response.content
    assert fingerprint() == before


def test_asset_edit_saves_and_shows_history(world, sample):
    asset = sample.a.asset_free
    c = client_for(world, "unit_officer")
    form = c.get(reverse("asset-edit", args=[asset.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name="Renamed depot", book_value="4,000,000.00", unit=world.unit.pk)
    response = c.post(reverse("asset-edit", args=[asset.pk]), data)
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.name == "Renamed depot" and asset.version == 2
    assert asset.book_value == Decimal("4000000.00")
    page = c.get(asset.get_absolute_url()).content.decode()
    assert "edited the asset" in page and "Renamed depot" in page
    # Before and after, in the reader's unit (10k yuan by default).
    assert "500.00 10k yuan" in page and "400.00 10k yuan" in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("head", 403), ("finance", 403), ("auditor", 403), ("other_unit_officer", 404),
     ("outsider_office", 404), ("bidder", 403)],
)  # fmt: skip
def test_asset_edit_denied_writes_nothing(world, sample, who, status):
    asset = sample.a.asset_free
    before = fingerprint()
    data = asset_data(world.unit, code=asset.code, name="Hijacked", version=asset.version)
    response = client_for(world, who).post(reverse("asset-edit", args=[asset.pk]), data)
    assert response.status_code == status
    assert fingerprint() == before


def test_asset_edit_conflict_is_explained_and_writes_nothing(world, sample):
    asset = sample.a.asset_free
    data = asset_data(world.unit, code=asset.code, name="Stale edit", version=asset.version + 5)
    before = fingerprint()
    response = client_for(world, "office").post(reverse("asset-edit", args=[asset.pk]), data)
    assert response.status_code == 409
    assert b"changed by someone else" in response.content
    assert fingerprint() == before


def test_asset_edit_bad_input_names_the_field(world, sample):
    asset = sample.a.asset_free
    data = asset_data(
        world.unit, code=asset.code, version=asset.version, accumulated_depreciation="9,999,999,999"
    )
    before = fingerprint()
    response = client_for(world, "office").post(reverse("asset-edit", args=[asset.pk]), data)
    assert response.status_code == 200
    assert "accumulated_depreciation" in response.context["form"].errors
    assert fingerprint() == before
