"""Guarantees, collateral and pledges on debts: who may record them, the rules on what they
name, the page and asset panel, and the disposal guard that keeps collateral off the market."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from panhuo.core.testing import AssetFactory, appraise, approved
from panhuo.core.tests.api_support import (
    CALLERS,
    READERS_A,
    READERS_B,
    build_api_world,
    check,
    client_for,
    expect,
)
from panhuo.core.tests.per_caller import per_caller
from panhuo.disposal import services as ds
from panhuo.finance.securities.models import DebtSecurity
from panhuo.finance.securities.services import security_create, security_release
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.policy import NotPermitted

LISTERS = READERS_A | READERS_B


@pytest.fixture
def aw(world):
    return build_api_world(world)


def collateral(aw, asset=None, **over):
    return security_create(
        actor=aw.w.user("finance"), debt=aw.debt, kind=over.pop("kind", "collateral"),
        amount=over.pop("amount", "3000000.00"), valid_from=dt.date(2024, 1, 1),
        asset=asset or aw.asset, **over,
    )  # fmt: skip


@per_caller(CALLERS)
def test_list(aw, who):
    made = collateral(aw)
    url = f"/api/v1/debts/{aw.debt.pk}/securities"
    status = expect(403, **{w: 200 for w in READERS_A}, **{w: 404 for w in READERS_B})
    r = check(aw, who, "GET", url, expected=status)
    if r.status_code == 200:
        (row,) = r.json()
        assert row["id"] == made.pk and row["asset_code"] == aw.asset.code
        assert row["amount"] == "3000000.00" and row["live"] is True


@per_caller(CALLERS)
def test_create(aw, who):
    body = {"kind": "guarantee", "guarantor": "City investment group", "amount": "5000000",
            "valid_from": "2024-01-01", "valid_until": "2030-01-01"}  # fmt: skip
    status = expect(403, finance=201, outsider_finance=404)
    before = DebtSecurity.objects.count()
    r = check(aw, who, "POST", f"/api/v1/debts/{aw.debt.pk}/securities", body, expected=status)
    if r.status_code == 201:
        s = DebtSecurity.objects.get(pk=r.json()["id"])
        assert s.guarantor == "City investment group" and s.amount == Decimal("5000000.00")
        assert AuditEntry.objects.filter(action="debt.security_create").count() == 1
    else:
        assert DebtSecurity.objects.count() == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "guarantee", "amount": "1"}, "guarantor"),
        ({"kind": "collateral", "amount": "1"}, "asset"),
        ({"kind": "guarantee", "guarantor": "X", "amount": "1", "valid_until": "2023-01-01"},
         "valid_until"),
        ({"kind": "guarantee", "guarantor": "X", "amount": "0"}, "amount"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field_and_writes_nothing(aw, body, field):
    body = {"valid_from": "2024-01-01", **body}
    r = check(aw, "finance", "POST", f"/api/v1/debts/{aw.debt.pk}/securities", body,
              expected={"finance": 400 if field != "amount" else 422})  # fmt: skip
    assert field in str(r.json())
    assert not DebtSecurity.objects.exists()


def test_asset_of_another_jurisdiction_is_refused(aw):
    with pytest.raises((ValidationError, NotPermitted)):
        collateral(aw, asset=aw.other_asset)
    # ... and the same asset twice on one debt while the first is live.
    collateral(aw)
    with pytest.raises(ValidationError, match="already secures"):
        collateral(aw)
    assert DebtSecurity.objects.count() == 1


def test_release_and_delete_through_the_api(aw):
    s = collateral(aw)
    base = f"/api/v1/debts/{aw.debt.pk}/securities/{s.pk}"
    check(aw, "auditor", "POST", f"{base}/release", {}, expected={"auditor": 403})
    r = check(aw, "finance", "POST", f"{base}/release", {"released_on": "2025-06-01",
              "note": "Bank consents to the sale"}, expected={"finance": 200})  # fmt: skip
    assert r.json()["released_on"] == "2025-06-01" and r.json()["live"] is False
    check(aw, "finance", "POST", f"{base}/release", {}, expected={"finance": 400})
    check(aw, "outsider_finance", "DELETE", base, expected={"outsider_finance": 404})
    check(aw, "finance", "DELETE", base, expected={"finance": 204})
    assert not DebtSecurity.objects.exists()
    assert AuditEntry.objects.filter(action="debt.security_delete").count() == 1


def test_asset_endpoint_lists_the_debts_it_secures(aw):
    collateral(aw)
    r = client_for(aw.w, "unit_officer").get(f"/api/v1/assets/{aw.asset.pk}/securities")
    assert r.status_code == 200 and r.json()[0]["debt_code"] == aw.debt.code
    r = client_for(aw.w, "outsider_head").get(f"/api/v1/assets/{aw.asset.pk}/securities")
    assert r.status_code == 404


def _approved_project(w):
    asset = AssetFactory(unit=w.unit)
    appraise(asset, Decimal("5000000.00"))
    office = w.user("office")
    package = ds.package_create(actor=office, jurisdiction=w.district, name="Lot C",
                                channel="auction", asset_ids=[asset.pk])  # fmt: skip
    p = ds.project_create(actor=office, package=package, reserve_price=Decimal("5000000.00"))
    p = ds.project_transition(actor=office, project=p, transition="submit")
    p = approved(w, p)
    return asset, p


def test_collateral_for_a_live_debt_cannot_be_listed_until_released(aw):
    w = aw.w
    asset, project = _approved_project(w)
    s = collateral(aw, asset=asset)
    with pytest.raises(ValidationError) as refused:
        ds.project_transition(actor=w.user("office"), project=project, transition="list")
    assert aw.debt.code in str(refused.value) and asset.code in str(refused.value)
    project.refresh_from_db()
    assert project.status == "approved"
    security_release(actor=w.user("finance"), security=s, note="creditor consents")
    project = ds.project_transition(actor=w.user("office"), project=project, transition="list")
    assert project.status == "listed"


def test_a_guarantee_or_a_repaid_debt_does_not_block(aw):
    w = aw.w
    asset, project = _approved_project(w)
    security_create(actor=w.user("finance"), debt=aw.debt, kind="guarantee",
                    guarantor="G Co", amount="1", valid_from=dt.date(2024, 1, 1))  # fmt: skip
    type(aw.debt).objects.filter(pk=aw.debt.pk).update(outstanding=0)
    aw.debt.refresh_from_db()
    collateral(aw, asset=asset)
    project = ds.project_transition(actor=w.user("office"), project=project, transition="list")
    assert project.status == "listed"


def test_debt_page_and_asset_panel(aw):
    collateral(aw)
    finance = client_for(aw.w, "finance")
    page = finance.get(aw.debt.get_absolute_url()).content.decode()
    assert aw.asset.code in page and 'name="asset_code"' in page
    auditor_page = client_for(aw.w, "auditor").get(aw.debt.get_absolute_url()).content.decode()
    assert aw.asset.code in auditor_page and 'name="asset_code"' not in auditor_page
    panel = client_for(aw.w, "unit_officer").get(aw.asset.get_absolute_url()).content.decode()
    assert aw.debt.code in panel and aw.debt.get_absolute_url() not in panel
    panel = client_for(aw.w, "head").get(aw.asset.get_absolute_url()).content.decode()
    assert aw.debt.get_absolute_url() in panel


def test_record_through_the_page(aw):
    url = f"/debts/{aw.debt.pk}/securities/"
    body = {"kind": "pledge", "asset_code": aw.asset2.code, "amount": "200000",
            "valid_from": "2024-03-01"}  # fmt: skip
    assert client_for(aw.w, "auditor").post(url, body).status_code == 403
    assert client_for(aw.w, "outsider_finance").post(url, body).status_code == 404
    assert not DebtSecurity.objects.exists()
    r = client_for(aw.w, "finance").post(url, {**body, "asset_code": "NOPE"})
    assert r.status_code == 400 and "NOPE" in r.content.decode()
    r = client_for(aw.w, "finance").post(url, body)
    assert r.status_code == 302
    s = DebtSecurity.objects.get()
    assert s.asset == aw.asset2 and s.kind == "pledge"
    r = client_for(aw.w, "finance").post(f"{url}{s.pk}/release/", {"note": "paid"})
    s.refresh_from_db()
    assert r.status_code == 302 and s.released_on is not None


@pytest.mark.parametrize(
    "over",
    [
        {"kind": "guarantee", "guarantor": ""},  # a guarantee names its guarantor
        {"kind": "collateral", "asset": None},  # collateral names an asset
        {"amount": Decimal("0")},
        {"valid_until": dt.date(2023, 12, 31)},  # before valid_from
        {"released_on": dt.date(2023, 12, 31)},
        {"kind": "lien"},
    ],
)
def test_the_database_refuses_what_the_service_would(aw, over):
    from django.db import IntegrityError, transaction

    row = {"debt": aw.debt, "kind": "guarantee", "guarantor": "G", "amount": Decimal("1"),
           "valid_from": dt.date(2024, 1, 1), "created_by": aw.w.user("finance")}  # fmt: skip
    row.update(over)
    with pytest.raises(IntegrityError), transaction.atomic():
        DebtSecurity.objects.create(**row)
