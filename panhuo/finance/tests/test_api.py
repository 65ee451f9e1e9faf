"""Receipt, debt and allocation endpoints: every role, money rules, bad amounts write nothing."""

import datetime as dt
from decimal import Decimal

import pytest

from panhuo.core.tests.api_support import (
    CALLERS,
    READERS_A,
    READERS_B,
    build_api_world,
    call,
    check,
    client_for,
    each,
    expect,
    fingerprint,
)
from panhuo.core.tests.per_caller import per_caller
from panhuo.finance import services as fs
from panhuo.finance.models import Allocation, Debt, Receipt

#: Receipts, debts and allocations are read by the task force, finance, audit and supervisors;
#: unit asset officers have no view of the money.
LISTERS = READERS_A | READERS_B


@pytest.fixture
def aw(world):
    return build_api_world(world)


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def new_receipt(aw, **over):
    return {
        "project": aw.concluded.pk,
        "amount": "1500000.00",
        "received_on": "2026-01-10",
        "voucher": "V-2",
        "budget_class": "non_tax",
        **over,
    }


def new_debt(aw, **over):
    return {
        "jurisdiction": aw.w.district.pk,
        "creditor": "Provincial trust",
        "debt_type": "trust_leasing",
        "principal": "2500000.00",
        "rate": "6.125",
        "issue_date": "2022-03-01",
        "maturity_date": "2027-03-01",
        **over,
    }


def new_allocation(aw, **over):
    return {"receipt": aw.receipt.pk, "debt": aw.debt.pk, "amount": "500000.00", **over}


# --- Receipts × every caller --------------------------------------------------------------------


@per_caller(CALLERS)
def test_receipt_list(aw, who):
    r = check(aw, who, "GET", "/api/v1/receipts", expected=expect(403, **each(LISTERS, 200)))
    if r.status_code == 200:
        assert (aw.receipt.pk in ids(r)) == (who in READERS_A)
        if who in READERS_A:
            row = r.json()["results"][0]
            assert (row["amount"], row["allocated"], row["unallocated"]) == (
                "4000000.00",
                "1000000.00",
                "3000000.00",
            )


@per_caller(CALLERS)
def test_receipt_create(aw, who):
    status = expect(403, finance=201, outsider_finance=404)
    r = check(aw, who, "POST", "/api/v1/receipts", new_receipt(aw), expected=status)
    if r.status_code == 201:
        receipt = Receipt.objects.get(pk=r.json()["id"])
        assert receipt.amount == Decimal("1500000.00")
        assert r.json()["amount"] == "1500000.00" and r.json()["allocations"] == []
    elif r.status_code == 404:
        assert "project" in r.json()["errors"]


@per_caller(CALLERS)
def test_receipt_detail(aw, who):
    r = check(
        aw,
        who,
        "GET",
        f"/api/v1/receipts/{aw.receipt.pk}",
        expected=expect(404, **each(READERS_A, 200)),
    )
    if r.status_code == 200:
        (allocation,) = r.json()["allocations"]
        assert allocation["debt_id"] == aw.debt.pk and allocation["amount"] == "1000000.00"


# --- Debts × every caller -----------------------------------------------------------------------


@per_caller(CALLERS)
def test_debt_list(aw, who):
    r = check(aw, who, "GET", "/api/v1/debts", expected=expect(403, **each(LISTERS, 200)))
    if r.status_code == 200:
        assert (aw.debt.pk in ids(r)) == (who in READERS_A)


@per_caller(CALLERS)
def test_debt_create(aw, who):
    status = expect(403, finance=201, outsider_finance=404)
    r = check(aw, who, "POST", "/api/v1/debts", new_debt(aw), expected=status)
    if r.status_code == 201:
        debt = Debt.objects.get(pk=r.json()["id"])
        assert debt.outstanding == debt.principal == Decimal("2500000.00")
        assert debt.rate == Decimal("6.125") and r.json()["rate"] == "6.125"
        assert debt.code.startswith("DEBT")
    elif r.status_code == 404:
        assert "jurisdiction" in r.json()["errors"]


@per_caller(CALLERS)
def test_debt_detail(aw, who):
    r = check(
        aw, who, "GET", f"/api/v1/debts/{aw.debt.pk}", expected=expect(404, **each(READERS_A, 200))
    )
    if r.status_code == 200:
        assert r.json()["outstanding"] == "9000000.00"
        assert [a["id"] for a in r.json()["allocations"]] == [aw.allocation.pk]


# --- Allocations × every caller -----------------------------------------------------------------


@per_caller(CALLERS)
def test_allocation_list(aw, who):
    r = check(aw, who, "GET", "/api/v1/allocations", expected=expect(403, **each(LISTERS, 200)))
    if r.status_code == 200:
        assert (aw.allocation.pk in ids(r)) == (who in READERS_A)


@per_caller(CALLERS)
def test_allocation_create(aw, who):
    status = expect(403, finance=201, outsider_finance=404)
    r = check(aw, who, "POST", "/api/v1/allocations", new_allocation(aw), expected=status)
    aw.receipt.refresh_from_db()
    aw.debt.refresh_from_db()
    if r.status_code == 201:
        assert r.json()["amount"] == "500000.00"
        assert aw.receipt.allocated == Decimal("1500000.00")
        assert aw.debt.outstanding == Decimal("8500000.00")
    else:
        assert aw.receipt.allocated == Decimal("1000000.00")
        assert aw.debt.outstanding == Decimal("9000000.00")
        if r.status_code == 404:
            assert "receipt" in r.json()["errors"]


# --- Money rules and bad input ------------------------------------------------------------------


def test_over_allocation_of_a_receipt_is_refused(aw):
    before = fingerprint()
    r = call(
        client_for(aw.w, "finance"),
        "POST",
        "/api/v1/allocations",
        new_allocation(aw, amount="3000000.01"),
    )
    assert r.status_code == 400
    assert "exceeds what is left of receipt" in r.json()["errors"]["amount"][0]
    assert fingerprint() == before


def test_allocation_above_the_outstanding_debt_is_refused(aw):
    small = fs.debt_create(
        actor=aw.w.user("finance"),
        jurisdiction=aw.w.district,
        data={
            "creditor": "Supplier",
            "debt_type": "arrears",
            "principal": "100.00",
            "rate": Decimal("0"),
            "issue_date": dt.date(2024, 1, 1),
            "maturity_date": dt.date(2025, 1, 1),
        },
    )
    before = fingerprint()
    r = call(
        client_for(aw.w, "finance"),
        "POST",
        "/api/v1/allocations",
        new_allocation(aw, debt=small.pk, amount="100.01"),
    )
    assert r.status_code == 400
    assert "outstanding amount" in r.json()["errors"]["amount"][0]
    assert fingerprint() == before
    r = call(
        client_for(aw.w, "finance"),
        "POST",
        "/api/v1/allocations",
        new_allocation(aw, debt=small.pk, amount="100"),
    )
    assert r.status_code == 201
    small.refresh_from_db()
    assert small.outstanding == Decimal("0.00")


def test_allocation_across_jurisdictions_is_refused(aw):
    other_debt = fs.debt_create(
        actor=aw.w.user("outsider_finance"),
        jurisdiction=aw.w.other_district,
        data={
            "creditor": "B bank",
            "debt_type": "bank_loan",
            "principal": "1000.00",
            "rate": Decimal("3"),
            "issue_date": dt.date(2024, 1, 1),
            "maturity_date": dt.date(2029, 1, 1),
        },
    )
    before = fingerprint()
    # The district A finance officer cannot see district B's debt: it answers as missing.
    r = call(
        client_for(aw.w, "finance"),
        "POST",
        "/api/v1/allocations",
        new_allocation(aw, debt=other_debt.pk),
    )
    assert r.status_code == 404 and "debt" in r.json()["errors"]
    assert fingerprint() == before


@pytest.mark.parametrize(
    "amount", ["abc", "-5", "0", "0.001", "1e999", "NaN", "Infinity", "", None, 12.5, True]
)
@pytest.mark.parametrize("endpoint", ["receipts", "allocations"])
def test_bad_amounts_are_named_and_write_nothing(aw, endpoint, amount):
    body = new_receipt(aw, amount=amount) if endpoint == "receipts" else new_allocation(aw)
    body["amount"] = amount
    before = fingerprint()
    r = call(client_for(aw.w, "finance"), "POST", f"/api/v1/{endpoint}", body)
    assert r.status_code == 422, r.content
    assert list(r.json()["errors"]) == ["amount"]
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("field", "value", "status"),
    [
        ("principal", "-5", 422),
        ("principal", "abc", 422),
        ("principal", "1e999", 422),
        ("rate", "NaN", 422),
        ("rate", "101", 400),
        ("rate", "1.2345", 422),
        ("debt_type", "ious", 422),
        ("issue_date", "2022-02-30", 422),
        ("maturity_date", "2020-01-01", 400),
        ("outstanding", "9999999.00", 400),
        ("outstanding", "-1", 422),
        ("jurisdiction", 987654, 404),
        ("jurisdiction", "abc", 422),
        ("creditor", "", 422),
    ],
)
def test_bad_debt_is_named_and_writes_nothing(aw, field, value, status):
    before = fingerprint()
    r = call(client_for(aw.w, "finance"), "POST", "/api/v1/debts", new_debt(aw, **{field: value}))
    assert r.status_code == status, r.content
    assert field in r.json()["errors"], r.json()
    assert fingerprint() == before


@pytest.mark.parametrize("missing", ["creditor", "debt_type", "principal", "rate", "issue_date"])
def test_debt_missing_field_is_named(aw, missing):
    body = new_debt(aw)
    del body[missing]
    before = fingerprint()
    r = call(client_for(aw.w, "finance"), "POST", "/api/v1/debts", body)
    assert r.status_code == 422 and missing in r.json()["errors"]
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("over", "status", "field"),
    [
        ({"amount": "2000000.01"}, 400, "amount"),  # above what is still due on the deal
        ({"received_on": "2999-01-01"}, 400, "received_on"),
        ({"received_on": "yesterday"}, 422, "received_on"),
        ({"budget_class": "tips"}, 422, "budget_class"),
        ({"voucher": "V-1"}, 400, "voucher"),  # already used
        ({"project": 987654}, 404, "project"),
        ({"project": "abc"}, 422, "project"),
    ],
)
def test_bad_receipt_is_named_and_writes_nothing(aw, over, status, field):
    before = fingerprint()
    r = call(client_for(aw.w, "finance"), "POST", "/api/v1/receipts", new_receipt(aw, **over))
    assert r.status_code == status, r.content
    assert field in r.json()["errors"], r.json()
    assert fingerprint() == before


def test_receipt_for_a_project_not_concluded_is_refused(aw):
    before = fingerprint()
    r = call(
        client_for(aw.w, "finance"),
        "POST",
        "/api/v1/receipts",
        new_receipt(aw, project=aw.project.pk),
    )
    assert r.status_code == 400 and "concluded" in r.json()["errors"]["project"][0]
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("missing", "field"), [("receipt", "receipt"), ("debt", "debt"), ("amount", "amount")]
)
def test_allocation_missing_field_is_named(aw, missing, field):
    body = new_allocation(aw)
    del body[missing]
    before = fingerprint()
    r = call(client_for(aw.w, "finance"), "POST", "/api/v1/allocations", body)
    assert r.status_code == 422 and field in r.json()["errors"]
    assert fingerprint() == before


@pytest.mark.parametrize("field", ["receipt", "debt"])
def test_allocation_unknown_ids_are_named(aw, field):
    before = fingerprint()
    r = call(
        client_for(aw.w, "finance"),
        "POST",
        "/api/v1/allocations",
        new_allocation(aw, **{field: 987654}),
    )
    assert r.status_code == 404 and list(r.json()["errors"]) == [field]
    assert fingerprint() == before


def test_lists_filter_and_sort(aw):
    c = client_for(aw.w, "finance")
    fs.allocation_create(actor=aw.w.user("finance"), receipt=aw.receipt, debt=aw.debt, amount="5")
    assert len(ids(c.get(f"/api/v1/allocations?receipt={aw.receipt.pk}"))) == 2
    assert ids(c.get(f"/api/v1/allocations?debt={aw.debt.pk + 1000}")) == set()
    amounts = [a["amount"] for a in c.get("/api/v1/allocations?ordering=amount").json()["results"]]
    assert amounts == ["5.00", "1000000.00"]
    assert c.get("/api/v1/allocations?ordering=-secret").status_code == 422
    assert ids(c.get("/api/v1/debts?debt_type=bank_loan&open_only=true")) == {aw.debt.pk}
    assert ids(c.get("/api/v1/debts?debt_type=hidden")) == set()
    assert c.get("/api/v1/debts?ordering=-outstanding").status_code == 200
    assert ids(c.get("/api/v1/receipts?unallocated_only=true")) == {aw.receipt.pk}
    assert ids(c.get(f"/api/v1/receipts?project={aw.project.pk}")) == set()
    assert c.get("/api/v1/receipts?budget_class=x").status_code == 422


def test_money_is_never_a_float(aw):
    """Every amount in every answer is a JSON string."""
    c = client_for(aw.w, "finance")
    bodies = [
        c.get(f"/api/v1/receipts/{aw.receipt.pk}").json(),
        c.get(f"/api/v1/debts/{aw.debt.pk}").json(),
        c.get("/api/v1/allocations").json()["results"][0],
    ]
    for body in bodies:
        for key in ("amount", "allocated", "unallocated", "principal", "outstanding", "rate"):
            if key in body:
                assert isinstance(body[key], str), (key, body[key])
    assert Allocation.objects.count() == 1
