"""The one bound on amounts and dates (core.bounds), where an amount or a date comes in.

Issue 13: ``999999999999999999.99`` was accepted ("at most 18 digits"), SQLite stored 1e18,
and from then on every list of the place answered 500 — the correcting PATCH too; a receipt
dated 0001-01-01 was accepted.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from panhuo.core.bounds import FIRST_DATE, LARGEST_AMOUNT, LAST_DATE, MAX_AMOUNT, validate_date
from panhuo.core.forms import AmountFormField, MoneyFormField
from panhuo.core.testing import AssetFactory, concluded_project
from panhuo.core.tests.api_support import build_api_world, call, client_for
from panhuo.finance import services as fs
from panhuo.finance.models import Debt, Receipt
from panhuo.register.models import Asset

HUGE = "999999999999999999.99"


@pytest.fixture
def aw(world):
    return build_api_world(world)


def _debt_body(aw, **over):
    body = {
        "jurisdiction": aw.w.district.pk,
        "creditor": "Bank",
        "debt_type": "bank_loan",
        "principal": "1000.00",
        "rate": "4.000",
        "issue_date": "2024-01-01",
        "maturity_date": "2030-01-01",
    }
    body.update(over)
    return body


@pytest.mark.parametrize(
    ("field", "value"),
    [("principal", HUGE), ("principal", str(MAX_AMOUNT)), ("outstanding", "10000000000000.00")],
)
def test_an_amount_at_the_bound_is_refused_by_the_api_naming_the_field(aw, field, value):
    finance = client_for(aw.w, "finance")
    before = Debt.objects.count()
    r = call(finance, "POST", "/api/v1/debts", _debt_body(aw, **{field: value}))
    assert r.status_code == 422, r.content
    assert field in r.json()["errors"]
    assert "10,000,000,000,000" in r.json()["errors"][field][0]
    assert Debt.objects.count() == before
    supervisor = client_for(aw.w, "supervisor")
    assert call(supervisor, "GET", "/api/v1/debts").status_code == 200


def test_the_largest_amount_is_accepted_and_every_list_still_reads(aw, client):
    finance = client_for(aw.w, "finance")
    largest = str(LARGEST_AMOUNT)
    r = call(finance, "POST", "/api/v1/debts", _debt_body(aw, principal=largest))
    assert r.status_code == 201, r.content
    assert r.json()["principal"] == largest
    assert Debt.objects.get(pk=r.json()["id"]).principal == LARGEST_AMOUNT
    supervisor = client_for(aw.w, "supervisor")
    for url in ("/api/v1/debts", f"/api/v1/debts/{r.json()['id']}"):
        assert call(supervisor, "GET", url).status_code == 200
    assert supervisor.get(reverse("debt-list")).status_code == 200


def test_the_refusal_is_in_chinese_for_a_chinese_reader():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        fs.to_money(HUGE, "amount")
    message = exc.value.message_dict["amount"][0]
    assert "10,000,000,000,000" in message and "金额" in message


def test_services_and_forms_refuse_the_bound(world):
    with pytest.raises(ValidationError) as exc:
        fs.to_money("10000000000000", "principal")
    assert "principal" in exc.value.message_dict
    assert fs.to_money(str(LARGEST_AMOUNT), "principal") == LARGEST_AMOUNT
    for field in (MoneyFormField(), AmountFormField()):
        with pytest.raises(ValidationError):
            field.clean(HUGE if isinstance(field, MoneyFormField) else [HUGE, "yuan"])
    # 10^9 万元 is 10^13 yuan: the bound is on yuan, whatever the unit typed.
    with pytest.raises(ValidationError):
        AmountFormField().clean(["1000000000", "wan"])
    assert AmountFormField().clean(["999999999.999999", "wan"]) == LARGEST_AMOUNT


def test_the_model_refuses_what_bypasses_the_forms(world):
    asset = AssetFactory.build(unit=world.unit, book_value=Decimal(HUGE))
    with pytest.raises(ValidationError) as exc:
        asset.full_clean()
    assert "book_value" in exc.value.message_dict


def test_a_row_stored_before_the_bound_still_reads_and_can_be_corrected(aw):
    """An amount written before the bound (SQLite keeps it as 1e18) no longer takes the lists
    down: they read it, and the edit that corrects it works."""
    Asset.objects.filter(pk=aw.asset_free.pk).update(book_value=Decimal(HUGE))
    Debt.objects.filter(pk=aw.debt.pk).update(principal=Decimal(HUGE))
    supervisor = client_for(aw.w, "supervisor")
    for url in ("/api/v1/assets", "/api/v1/debts", f"/api/v1/assets/{aw.asset_free.pk}"):
        assert call(supervisor, "GET", url).status_code == 200, url
    for name in ("asset-list", "debt-list"):
        assert supervisor.get(reverse(name)).status_code == 200, name
    office = client_for(aw.w, "office")
    r = call(office, "PATCH", f"/api/v1/assets/{aw.asset_free.pk}", {"book_value": "1000.00"})
    assert r.status_code == 200, r.content
    assert Asset.objects.get(pk=aw.asset_free.pk).book_value == Decimal("1000.00")


@pytest.mark.parametrize(
    "day", [dt.date(1, 1, 1), FIRST_DATE - dt.timedelta(days=1), LAST_DATE + dt.timedelta(1)]
)
def test_a_receipt_dated_out_of_range_is_refused_naming_the_date(world, day):
    project = concluded_project(world, deal_price=Decimal("1000.00"))
    before = Receipt.objects.count()
    with pytest.raises(ValidationError) as exc:
        fs.receipt_create(
            actor=world.user("finance"),
            project=project,
            amount="10.00",
            received_on=day,
            voucher="V-OLD",
            budget_class="non_tax",
        )
    assert "received_on" in exc.value.message_dict
    assert Receipt.objects.count() == before


def test_dates_at_the_bounds_are_accepted_by_the_model(world):
    AssetFactory.build(unit=world.unit, acquired_on=FIRST_DATE).full_clean(validate_unique=False)
    validate_date(LAST_DATE)
    with pytest.raises(ValidationError):
        validate_date(LAST_DATE + dt.timedelta(days=1))
    asset = AssetFactory.build(unit=world.unit, acquired_on=dt.date(1, 1, 1))
    with pytest.raises(ValidationError) as exc:
        asset.full_clean(validate_unique=False)
    assert "acquired_on" in exc.value.message_dict
    assert "1900-01-01" in exc.value.message_dict["acquired_on"][0]


def test_the_api_refuses_an_out_of_range_date_naming_it(aw):
    finance = client_for(aw.w, "finance")
    r = call(finance, "POST", "/api/v1/debts", _debt_body(aw, issue_date="0001-01-01"))
    assert r.status_code in (400, 422), r.content
    assert "issue_date" in r.json()["errors"]


@pytest.mark.parametrize(
    ("over", "field"),
    [({"principal": HUGE}, "principal"), ({"issue_date": "0001-01-01"}, "issue_date")],
)
def test_the_debt_page_refuses_extremes_on_the_form(world, over, field):
    """The page's form answers a refusal beside the field, never a 500."""
    data = {
        "jurisdiction": world.district.pk,
        "creditor": "Bank",
        "debt_type": "bank_loan",
        "principal": "1000.00",
        "rate": "4.000",
        "issue_date": "2024-01-01",
        "maturity_date": "2030-01-01",
        **over,
    }
    before = Debt.objects.count()
    response = client_for(world, "finance").post(reverse("debt-create"), data)
    assert response.status_code in (200, 400), response.status_code
    assert field in response.context["form"].errors, response.context["form"].errors
    assert Debt.objects.count() == before


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_indicators_as_of_an_extreme_date_are_refused_not_a_500(world, day):
    """As of 9999-12-31 the indicators counted a year ahead past the last date: a 500."""
    supervisor = client_for(world, "supervisor")
    r = supervisor.get("/api/v1/indicators", {"jurisdiction": world.district.pk, "as_of": day})
    assert r.status_code == 422 and "as_of" in r.json()["errors"], r.content
    page = supervisor.get(reverse("risk-indicators"), {"as_of": day})
    assert page.status_code == 200
    assert "as_of" in page.context["filter_form"].errors
