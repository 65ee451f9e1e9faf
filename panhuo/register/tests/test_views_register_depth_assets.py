"""The register's asset pages in depth: the list's new filters, saved filters, XLSX export,
the full asset record, and encumbrances, with bad input and denied writes shown to change
nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from panhuo.core.models import SavedFilter
from panhuo.core.testing import AssetFactory
from panhuo.core.tests.views_support import (
    client_for,
)
from panhuo.integrity.models import AuditEntry
from panhuo.register import exporting
from panhuo.register.forms import AssetEditForm
from panhuo.register.models import AssetStatus, ClassificationCode, Encumbrance
from panhuo.register.services import encumbrance_add
from panhuo.register.tests.views_depth_support import (
    fingerprint,
)

# --- asset list: new filters, saved filters, XLSX -----------------------------------------


def test_list_filters_idle_months_encumbrance_appraisal_and_classification(world):
    today = dt.date.today()
    long_idle = AssetFactory(
        unit=world.unit, code="F-IDLE", idle_since=today - dt.timedelta(days=800)
    )
    AssetFactory(unit=world.unit, code="F-NEW", idle_since=today - dt.timedelta(days=20))
    cheap = AssetFactory(unit=world.unit, code="F-CHEAP", appraised_value=Decimal("100.00"))
    charged = AssetFactory(unit=world.unit, code="F-ENC", status=AssetStatus.IN_USE)
    Encumbrance.objects.create(asset=charged, kind="mortgage", holder="Bank")
    land = ClassificationCode.objects.filter(parent__isnull=True).first()
    assert land is not None, "the migration seeds the top levels of the classification"
    classed = AssetFactory(unit=world.unit, code="F-CLASS", classification=land)
    c = client_for(world, "office")

    def codes(**params):
        response = c.get(reverse("asset-list"), params)
        assert response.status_code == 200
        return {a.code for a in response.context["page"]}

    assert codes(min_idle_months="12") == {"F-IDLE"}
    assert codes(encumbered="yes") == {"F-ENC"}
    assert "F-ENC" not in codes(encumbered="no") and "F-IDLE" in codes(encumbered="no")
    assert codes(max_appraised="1,000") == {"F-CHEAP"}
    assert cheap.code not in codes(min_appraised="1000")
    assert codes(classification=land.code) == {classed.code}
    assert len(codes(encumbered="")) == 5  # "either"
    bad = c.get(reverse("asset-list"), {"min_idle_months": "-3", "encumbered": "maybe"})
    assert bad.status_code == 200
    assert {"min_idle_months", "encumbered"} <= set(bad.context["filter_form"].errors)
    assert long_idle.code in {a.code for a in bad.context["page"]}  # bad filters are ignored


def test_save_open_and_delete_a_filter(world):
    c = client_for(world, "office")
    page = c.get(reverse("asset-list"), {"status": "idle", "min_idle_months": "6", "page": "2"})
    body = page.content.decode()
    assert 'action="/filters/save/"' in body and 'value="status=idle&amp;min_idle_months=6"' in body
    response = c.post(
        reverse("saved-filter-save"),
        {"target": "assets", "query": "status=idle&min_idle_months=6", "name": "Long idle"},
    )
    saved = SavedFilter.objects.get(owner=world.user("office"))
    assert response.status_code == 302 and response["Location"] == saved.get_absolute_url()
    assert saved.query == "status=idle&min_idle_months=6"
    listed = c.get(saved.get_absolute_url()).content.decode()
    assert "Long idle" in listed and 'aria-current="true"' in listed
    assert (
        "Long idle" not in client_for(world, "office2").get(reverse("asset-list")).content.decode()
    )
    # Someone else cannot delete it: it is not theirs, so it is not there.
    before = fingerprint()
    denied = client_for(world, "office2").post(reverse("saved-filter-delete", args=[saved.pk]))
    assert denied.status_code == 404 and fingerprint() == before
    gone = c.post(reverse("saved-filter-delete", args=[saved.pk]))
    assert gone.status_code == 302 and gone["Location"] == reverse("asset-list")
    assert not SavedFilter.objects.exists()
    assert AuditEntry.objects.filter(action="saved_filter.delete").exists()


@pytest.mark.parametrize(
    ("target", "query"),
    [("packages", "status=open"), ("projects", "status=draft"), ("debts", "q=Bank"),
     ("receipts", "q=V-1")],
)  # fmt: skip
def test_the_other_lists_keep_saved_filters_too(world, target, query):
    c = client_for(world, "office")
    url = reverse(f"{target[:-1]}-list")
    assert 'action="/filters/save/"' in c.get(f"{url}?{query}").content.decode()
    response = c.post(
        reverse("saved-filter-save"), {"target": target, "query": query, "name": "Mine"}
    )
    assert response.status_code == 302 and response["Location"] == f"{url}?{query}"
    body = c.get(url).content.decode()
    assert f'href="{url}?{query}"' in body and ">Mine</a>" in body


def test_saving_a_filter_without_a_name_says_so_and_writes_nothing(world):
    before = fingerprint()
    response = client_for(world, "office").post(
        reverse("saved-filter-save"), {"target": "assets", "query": "kind=land", "name": " "}
    )
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert b"Nothing was saved" in response.content
    assert fingerprint() == before


@pytest.mark.parametrize(("who", "target", "status"), [
    ("bidder", "assets", 403), ("norole", "assets", 403), ("unit_officer", "debts", 403),
    ("office", "planets", 404),
])  # fmt: skip
def test_saving_a_filter_for_a_list_one_may_not_open_is_refused(world, who, target, status):
    before = fingerprint()
    response = client_for(world, who).post(
        reverse("saved-filter-save"), {"target": target, "query": "q=x", "name": "Mine"}
    )
    assert response.status_code == status
    assert fingerprint() == before


def test_xlsx_export_is_the_filtered_visible_list_in_the_import_columns(world, sample):
    AssetFactory(unit=world.unit, code="X-1", name="=HYPERLINK(1)", book_value=Decimal("12.30"))
    response = client_for(world, "unit_officer").get(reverse("asset-export-xlsx"), {"q": "X-1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        "attachment" in response["Content-Disposition"]
        and ".xlsx" in response["Content-Disposition"]
    )
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert list(rows[0]) == exporting.HEADERS and len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["code"] == "X-1" and record["book_value (yuan)"] == "12.30"
    assert wb.active.cell(row=2, column=3).data_type == "s"  # text, never a formula
    everything = client_for(world, "unit_officer").get(reverse("asset-export-xlsx"))
    wb = load_workbook(io.BytesIO(b"".join(everything.streaming_content)))
    codes = {r[1] for r in wb.active.iter_rows(min_row=2, values_only=True)}
    assert sample.a.asset.code in codes and sample.a.asset2.code not in codes


# --- asset record and encumbrances --------------------------------------------------------


def test_detail_shows_the_full_record_and_derived_figures(world):
    asset = AssetFactory(
        unit=world.unit,
        kind="vehicle",
        book_value=Decimal("200000.00"),
        accumulated_depreciation=Decimal("50000.00"),
        appraised_value=Decimal("100000.00"),
        annual_income=Decimal("12000.00"),
        annual_holding_cost=Decimal("2000.00"),
        idle_since=dt.date.today() - dt.timedelta(days=400),
        certificate_number="CERT-9",
        attributes={"plate": "粤B12345", "mileage_km": 80000},
    )
    body = client_for(world, "auditor").get(asset.get_absolute_url()).content.decode()
    assert "150,000.00" in body  # net book value
    assert "10.0 %" in body  # (12,000 − 2,000) / 100,000
    assert "Number plate" in body and "粤B12345" in body and "Mileage (km)" in body
    assert "CERT-9" in body
    assert ">13<" in body or ">12<" in body  # months idle
    assert 'action="/assets/' not in body  # a reader gets no forms


def test_asset_form_has_typed_fields_per_kind_and_edits_them(world, sample):
    asset = AssetFactory(unit=world.unit, kind="vehicle", attributes={"plate": "A1"})
    c = client_for(world, "office")
    page = c.get(reverse("asset-edit", args=[asset.pk]))
    body = page.content.decode()
    assert 'data-kind="vehicle"' in body and 'name="attr_vehicle_mileage_km"' in body
    assert 'type="number"' in body and 'name="attr_land_tenure_end"' in body
    form = page.context["form"]
    assert form.initial["attr_vehicle_plate"] == "A1"
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(attr_vehicle_mileage_km="81,000", attr_vehicle_registered_year="2019")
    response = c.post(reverse("asset-edit", args=[asset.pk]), data)
    assert response.status_code == 200  # "81,000" is not a whole number
    assert "attr_vehicle_mileage_km" in response.context["form"].errors
    data["attr_vehicle_mileage_km"] = "81000"
    response = c.post(reverse("asset-edit", args=[asset.pk]), data)
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.attributes == {"plate": "A1", "mileage_km": 81000, "registered_year": 2019}


def test_service_errors_on_attributes_land_under_the_kinds_field(world):
    from django.core.exceptions import ValidationError

    form = AssetEditForm(
        data={"kind": "equity", "attr_equity_percentage": "5"}, user=world.user("office"),
        action="edit",
    )  # fmt: skip
    form.is_valid()
    form.add_service_errors(
        ValidationError({"attributes.percentage": ["Too much."], "package": ["Busy."]})
    )
    assert form.errors["attr_equity_percentage"] == ["Too much."]
    assert "package: Busy." in form.non_field_errors()


def test_office_records_and_lifts_an_encumbrance(world, sample):
    asset = sample.a.asset_free
    c = client_for(world, "office")
    response = c.post(
        reverse("asset-encumbrance-add", args=[asset.pk]),
        {"kind": "mortgage", "holder": "Bank of the district", "amount": "1,000,000",
         "until": "2030-06-30", "note": "loan 7"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == asset.get_absolute_url()
    item = Encumbrance.objects.get(asset=asset)
    assert item.amount == Decimal("1000000.00") and item.until == dt.date(2030, 6, 30)
    body = c.get(asset.get_absolute_url()).content.decode()
    assert "Bank of the district" in body and "recorded an encumbrance on the asset" in body
    assert reverse("asset-encumbrance-remove", args=[asset.pk, item.pk]) in body
    lifted = c.post(reverse("asset-encumbrance-remove", args=[asset.pk, item.pk]))
    assert lifted.status_code == 302 and not Encumbrance.objects.exists()
    assert AuditEntry.objects.filter(action="asset.encumbrance_remove").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "mortgage", "holder": ""}, "holder"),
        ({"kind": "curse", "holder": "Witch"}, "kind"),
        ({"kind": "pledge", "holder": "Bank", "amount": "-5"}, "amount"),
        ({"kind": "pledge", "holder": "Bank", "amount": "lots"}, "amount"),
        ({"kind": "seizure", "holder": "Court", "until": "soon"}, "until"),
    ],
)
def test_encumbrance_bad_input_names_the_field(world, sample, data, field):
    before = fingerprint()
    response = client_for(world, "unit_officer").post(
        reverse("asset-encumbrance-add", args=[sample.a.asset_free.pk]), data
    )
    assert response.status_code == 200
    assert field in response.context["encumbrance_form"].errors
    assert b"Nothing was saved" in response.content
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("who", "status"),
    [("head", 403), ("auditor", 403), ("supervisor", 403), ("other_unit_officer", 404),
     ("outsider_office", 404), ("bidder", 403), ("norole", 403)],
)  # fmt: skip
def test_encumbrance_writes_denied_change_nothing(world, sample, who, status):
    asset = sample.a.asset_free
    item = encumbrance_add(
        actor=world.user("office"), asset=asset, data={"kind": "lawsuit", "holder": "Court"}
    )
    before = fingerprint()
    c = client_for(world, who)
    add = c.post(
        reverse("asset-encumbrance-add", args=[asset.pk]), {"kind": "pledge", "holder": "X"}
    )
    bad_add = c.post(reverse("asset-encumbrance-add", args=[asset.pk]), {"kind": "pledge"})
    remove = c.post(reverse("asset-encumbrance-remove", args=[asset.pk, item.pk]))
    assert (add.status_code, bad_add.status_code, remove.status_code) == (status,) * 3
    assert fingerprint() == before


def test_encumbrance_of_another_asset_cannot_be_lifted_through_this_one(world, sample):
    item = encumbrance_add(
        actor=world.user("office"), asset=sample.a.asset2, data={"kind": "pledge", "holder": "B"}
    )
    before = fingerprint()
    response = client_for(world, "unit_officer").post(
        reverse("asset-encumbrance-remove", args=[sample.a.asset_free.pk, item.pk])
    )
    assert response.status_code == 404 and fingerprint() == before


def test_encumbrance_pages_refuse_get_and_anonymous_posts(world, sample):
    url = reverse("asset-encumbrance-add", args=[sample.a.asset_free.pk])
    assert client_for(world, "office").get(url).status_code == 405
    from django.test import Client

    response = Client().post(url, {"kind": "pledge", "holder": "X"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
