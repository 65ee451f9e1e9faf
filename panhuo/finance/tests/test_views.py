"""Debt, receipt and allocation pages for every role; every form allowed, denied, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from panhuo.core.tests.views_support import (
    MONEY_SECTION,
    READERS_A,
    READERS_B,
    assert_login_redirect,
    build_sample,
    client_for,
    expected,
    fingerprint,
    statuses,
)
from panhuo.finance import services as fs
from panhuo.finance.models import Debt, Receipt


@pytest.fixture
def sample(world):
    return build_sample(world)


SEES_B = READERS_B | {"supervisor"}

PAGES = {
    "debt-list": (lambda s: reverse("debt-list"), lambda: expected(MONEY_SECTION)),
    "debt-export": (lambda s: reverse("debt-export"), lambda: expected(MONEY_SECTION)),
    "debt-create": (
        lambda s: reverse("debt-create"),
        lambda: expected({"finance", "outsider_finance"}, forbidden=MONEY_SECTION),
    ),
    "debt-detail": (
        lambda s: reverse("debt-detail", args=[s.a.debt.pk]),
        lambda: expected(READERS_A, MONEY_SECTION),
    ),
    "debt-detail-b": (
        lambda s: reverse("debt-detail", args=[s.b_debt.pk]),
        lambda: expected(SEES_B, MONEY_SECTION),
    ),
    "receipt-list": (lambda s: reverse("receipt-list"), lambda: expected(MONEY_SECTION)),
    "receipt-detail": (
        lambda s: reverse("receipt-detail", args=[s.a.receipt.pk]),
        lambda: expected(READERS_A, MONEY_SECTION),
    ),
    "receipt-detail-b": (
        lambda s: reverse("receipt-detail", args=[s.b_receipt.pk]),
        lambda: expected(SEES_B, MONEY_SECTION),
    ),
    "receipt-create": (
        lambda s: reverse("receipt-create", args=[s.a.concluded.pk]),
        lambda: expected({"finance"}, MONEY_SECTION, forbidden=READERS_A),
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_page_for_every_role(world, sample, page):
    url, table = PAGES[page]
    assert statuses(world, url(sample)) == table()


@pytest.mark.parametrize("page", PAGES)
def test_page_needs_sign_in(world, sample, page):
    assert_login_redirect(PAGES[page][0](sample))


def test_debt_list_filters_sorts_and_totals(world, sample):
    c = client_for(world, "finance")
    response = c.get(reverse("debt-list"), {"debt_type": "bank_loan", "sort": "-principal"})
    assert [d.pk for d in response.context["page"]] == [sample.a.debt.pk]
    assert response.context["totals"]["outstanding"] == Decimal("9000000.00")
    assert c.get(reverse("debt-list"), {"q": "zzz"}).context["page"].paginator.count == 0
    export = c.get(reverse("debt-export"))
    text = b"".join(export.streaming_content).decode()
    assert sample.a.debt.code in text and sample.b_debt.code not in text


def test_receipt_list_shows_the_unallocated(world, sample):
    c = client_for(world, "finance")
    response = c.get(reverse("receipt-list"), {"unallocated_only": "on"})
    assert [r.pk for r in response.context["page"]] == [sample.a.receipt.pk]
    assert response.context["totals"]["amount"] == Decimal("4000000.00")


def test_receipt_form_only_for_concluded_projects(world, sample):
    response = client_for(world, "finance").get(
        reverse("receipt-create", args=[sample.a.project.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == sample.a.project.get_absolute_url()
    assert b"concluded projects only" in response.content


# --- debts ----------------------------------------------------------------------------------


def debt_data(jurisdiction, **over) -> dict:
    data = {
        "jurisdiction": jurisdiction.pk,
        "creditor": "Agricultural Bank",
        "debt_type": "special_bond",
        "principal": "2,500,000.00",
        "rate": "3.25",
        "issue_date": "2022-03-01",
        "maturity_date": "2032-03-01",
        "outstanding": "",
    }
    data.update(over)
    return data


def test_finance_registers_a_debt(world):
    response = client_for(world, "finance").post(reverse("debt-create"), debt_data(world.district))
    debt = Debt.objects.get(creditor="Agricultural Bank")
    assert response.status_code == 302 and response["Location"] == debt.get_absolute_url()
    assert debt.outstanding == debt.principal == Decimal("2500000.00")


@pytest.mark.parametrize(
    ("who", "status"),
    [("head", 403), ("office", 403), ("auditor", 403), ("unit_officer", 403),
     ("outsider_finance", 200), ("bidder", 403)],
)  # fmt: skip
def test_debt_create_denied_writes_nothing(world, who, status):
    before = fingerprint()
    response = client_for(world, who).post(reverse("debt-create"), debt_data(world.district))
    assert response.status_code == status
    if status == 200:
        assert "jurisdiction" in response.context["form"].errors
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("principal", "-1"), ("principal", "ten"), ("rate", "abc"), ("rate", "150"),
     ("maturity_date", "2021-01-01"), ("outstanding", "9,000,000.00"), ("creditor", "")],
)  # fmt: skip
def test_debt_create_bad_input_names_the_field(world, field, value):
    before = fingerprint()
    response = client_for(world, "finance").post(
        reverse("debt-create"), debt_data(world.district, **{field: value})
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert fingerprint() == before


# --- receipts -------------------------------------------------------------------------------


def receipt_data(**over) -> dict:
    data = {
        "amount": "2,000,000.00",
        "received_on": timezone.localdate().isoformat(),
        "voucher": "V-NEW",
        "budget_class": "non_tax",
    }
    data.update(over)
    return data


def test_finance_records_a_receipt(world, sample):
    url = reverse("receipt-create", args=[sample.a.concluded.pk])
    response = client_for(world, "finance").post(url, receipt_data())
    receipt = Receipt.objects.get(voucher="V-NEW")
    assert response.status_code == 302 and response["Location"] == receipt.get_absolute_url()
    assert receipt.amount == Decimal("2000000.00")


@pytest.mark.parametrize(
    ("who", "status"),
    [("head", 403), ("office", 403), ("auditor", 403), ("unit_officer", 403),
     ("outsider_finance", 404), ("norole", 403)],
)  # fmt: skip
def test_receipt_create_denied_writes_nothing(world, sample, who, status):
    before = fingerprint()
    url = reverse("receipt-create", args=[sample.a.concluded.pk])
    assert client_for(world, who).post(url, receipt_data()).status_code == status
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("amount", "2,000,000.01"), ("amount", "0"), ("amount", "x"), ("voucher", "V-1"),
     ("received_on", (timezone.localdate() + dt.timedelta(days=3)).isoformat()),
     ("budget_class", "bribes")],
)  # fmt: skip
def test_receipt_create_bad_input_names_the_field(world, sample, field, value):
    before = fingerprint()
    response = client_for(world, "finance").post(
        reverse("receipt-create", args=[sample.a.concluded.pk]), receipt_data(**{field: value})
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert fingerprint() == before


# --- allocations ----------------------------------------------------------------------------


def test_finance_allocates_a_receipt_to_a_debt(world, sample):
    s = sample
    url = reverse("allocation-create", args=[s.a.receipt.pk])
    response = client_for(world, "finance").post(
        url, {"debt": s.a.debt.pk, "amount": "500,000.00", "allocated_on": ""}
    )
    assert response.status_code == 302
    s.a.debt.refresh_from_db()
    s.a.receipt.refresh_from_db()
    assert s.a.debt.outstanding == Decimal("8500000.00")
    assert s.a.receipt.allocated == Decimal("1500000.00")
    page = client_for(world, "auditor").get(s.a.debt.get_absolute_url())
    assert page.context["repaid"] == Decimal("1500000.00")


@pytest.mark.parametrize(
    ("who", "status"),
    [("head", 403), ("office", 403), ("auditor", 403), ("supervisor", 403),
     ("unit_officer", 403), ("outsider_finance", 404)],
)  # fmt: skip
def test_allocation_denied_writes_nothing(world, sample, who, status):
    before = fingerprint()
    response = client_for(world, who).post(
        reverse("allocation-create", args=[sample.a.receipt.pk]),
        {"debt": sample.a.debt.pk, "amount": "10.00"},
    )
    assert response.status_code == status
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("field", "debt", "amount"),
    [("amount", "debt", "3,000,000.01"), ("amount", "debt", "-5"), ("debt", "b_debt", "1.00"),
     ("debt", None, "1.00")],
)  # fmt: skip
def test_allocation_bad_input_names_the_field(world, sample, field, debt, amount):
    debt_pk = {"debt": sample.a.debt.pk, "b_debt": sample.b_debt.pk, None: ""}[debt]
    before = fingerprint()
    response = client_for(world, "finance").post(
        reverse("allocation-create", args=[sample.a.receipt.pk]),
        {"debt": debt_pk, "amount": amount},
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert fingerprint() == before


def test_over_allocating_a_debt_names_the_amount(world, sample):
    debt = fs.debt_create(
        actor=world.user("finance"),
        jurisdiction=world.district,
        data={"creditor": "Supplier", "debt_type": "arrears", "principal": "100.00",
              "rate": Decimal(0), "issue_date": dt.date(2024, 1, 1),
              "maturity_date": dt.date(2026, 1, 1)},
    )  # fmt: skip
    before = fingerprint()
    response = client_for(world, "finance").post(
        reverse("allocation-create", args=[sample.a.receipt.pk]),
        {"debt": debt.pk, "amount": "100.01"},
    )
    assert "outstanding amount" in str(response.context["form"].errors["amount"])
    assert fingerprint() == before
