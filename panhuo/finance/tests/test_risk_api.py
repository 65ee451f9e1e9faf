"""Schedule, reversal, strategy, indicator, fiscal-input and trace endpoints: every caller,
denied writes change nothing, bad input named."""

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
from panhuo.finance.debts.fiscal import fiscal_inputs_set
from panhuo.finance.debts.models import FiscalInputs, ScheduleRow
from panhuo.finance.debts.schedules import debt_schedule_set
from panhuo.finance.models import Allocation
from panhuo.finance.trace import trail
from panhuo.register.models import Asset

LISTERS = READERS_A | READERS_B
#: Writers of district A's money: finance only; district B's finance cannot see A's records.
WRITE = expect(403, finance=200, outsider_finance=404)
READ_A = expect(403, **each(READERS_A, 200), **each(READERS_B, 404))


@pytest.fixture
def aw(world):
    return build_api_world(world)


def state():
    return {
        **fingerprint(),
        "schedule": sorted(ScheduleRow.objects.values_list("debt_id", "due_date", "principal")),
        "fiscal": sorted(FiscalInputs.objects.values_list("jurisdiction_id", "year",
                                                          "budget_expenditure")),
    }  # fmt: skip


# --- schedules ------------------------------------------------------------------------------


@per_caller(CALLERS)
def test_schedule_get(aw, who):
    debt_schedule_set(actor=aw.w.user("finance"), debt=aw.debt, method="bullet")
    r = check(aw, who, "GET", f"/api/v1/debts/{aw.debt.pk}/schedule",
              expected=expect(404, **each(READERS_A, 200)))  # fmt: skip
    if r.status_code == 200:
        body = r.json()
        assert body["total_principal"] == "10000000.00" and len(body["rows"]) == 10
        assert body["rows"][-1] == {"due_date": "2030-01-01", "principal": "10000000.00",
                                    "interest": "425000.00"}  # fmt: skip


@per_caller(CALLERS)
def test_schedule_put(aw, who):
    before = state()
    r = check(aw, who, "PUT", f"/api/v1/debts/{aw.debt.pk}/schedule",
              {"method": "annuity", "frequency": "semiannual"}, expected=WRITE)  # fmt: skip
    if r.status_code == 200:
        assert len(r.json()["rows"]) == 20 and r.json()["total_principal"] == "10000000.00"
        assert ScheduleRow.objects.filter(debt=aw.debt).count() == 20
    else:
        assert state() == before


def test_schedule_put_custom_rows(aw):
    rows = [{"due_date": "2025-01-01", "principal": "4000000.00", "interest": "1.00"},
            {"due_date": "2030-01-01", "principal": "6000000.00"}]  # fmt: skip
    r = call(client_for(aw.w, "finance"), "PUT", f"/api/v1/debts/{aw.debt.pk}/schedule",
             {"method": "custom", "rows": rows})  # fmt: skip
    assert r.status_code == 200, r.content
    assert [x["interest"] for x in r.json()["rows"]] == ["1.00", "0.00"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [({"method": "weird"}, 422, "method"),
     ({"method": "bullet", "frequency": "daily"}, 422, "frequency"),
     ({"method": "custom", "rows": [{"due_date": "2025-01-01", "principal": 1.5}]}, 422,
      "rows.0.principal"),
     ({"method": "custom", "rows": [{"due_date": "2025-01-01", "principal": "-1"}]}, 422,
      "rows.0.principal"),
     ({"method": "custom", "rows": [{"due_date": "2025-01-01", "principal": "9.00"}]}, 400,
      "rows"),
     ({"method": "custom", "rows": [{"due_date": "2040-01-01", "principal": "10000000.00"}]},
      400, "rows[1].due_date"),
     ({"method": "bullet", "rows": [{"due_date": "2025-01-01", "principal": "1.00"}]}, 400,
      "rows"),
     ({"method": "bullet", "extra": 1}, 422, "extra")],
)  # fmt: skip
def test_schedule_bad_input_names_the_field(aw, body, status, field):
    debt_schedule_set(actor=aw.w.user("finance"), debt=aw.debt, method="bullet")
    before = state()
    r = call(client_for(aw.w, "finance"), "PUT", f"/api/v1/debts/{aw.debt.pk}/schedule", body)
    assert r.status_code == status, r.content
    assert field in r.json()["errors"], r.json()
    assert state() == before


# --- reversals ------------------------------------------------------------------------------


@per_caller(CALLERS)
def test_allocation_reverse(aw, who):
    table = {**WRITE, "finance": 201}
    r = check(aw, who, "POST", f"/api/v1/allocations/{aw.allocation.pk}/reverse",
              {"reason": "Wrong debt"}, expected=table)  # fmt: skip
    aw.debt.refresh_from_db()
    if r.status_code == 201:
        assert r.json()["reverses_id"] == aw.allocation.pk and r.json()["reason"] == "Wrong debt"
        assert aw.debt.outstanding == Decimal("10000000.00")
    else:
        assert aw.debt.outstanding == Decimal("9000000.00")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [({"reason": ""}, 422, "reason"), ({}, 422, "reason"), ({"reason": "x" * 301}, 422, "reason"),
     ({"reason": "   "}, 400, "reason")],
)  # fmt: skip
def test_allocation_reverse_bad_input(aw, body, status, field):
    before = fingerprint()
    r = call(client_for(aw.w, "finance"), "POST",
             f"/api/v1/allocations/{aw.allocation.pk}/reverse", body)  # fmt: skip
    assert r.status_code == status and field in r.json()["errors"], r.content
    assert fingerprint() == before


def test_reversing_twice_is_refused(aw):
    c = client_for(aw.w, "finance")
    first = call(c, "POST", f"/api/v1/allocations/{aw.allocation.pk}/reverse", {"reason": "x"})
    assert first.status_code == 201
    before = fingerprint()
    again = call(c, "POST", f"/api/v1/allocations/{aw.allocation.pk}/reverse", {"reason": "y"})
    assert again.status_code == 400 and "allocation" in again.json()["errors"]
    of_reversal = call(c, "POST", f"/api/v1/allocations/{first.json()['id']}/reverse",
                       {"reason": "z"})  # fmt: skip
    assert of_reversal.status_code == 400 and "allocation" in of_reversal.json()["errors"]
    assert call(c, "POST", "/api/v1/allocations/999999/reverse", {"reason": "z"}).status_code == 404
    assert fingerprint() == before
    assert Allocation.objects.count() == 2


# --- strategies -----------------------------------------------------------------------------


@per_caller(CALLERS)
def test_receipt_suggestion(aw, who):
    r = check(aw, who, "GET", f"/api/v1/receipts/{aw.receipt.pk}/suggestion?strategy=highest_rate",
              expected=READ_A)  # fmt: skip
    if r.status_code == 200:
        assert [(x["debt_id"], x["amount"]) for x in r.json()] == [(aw.debt.pk, "3000000.00")]


def test_suggestion_needs_a_known_strategy(aw):
    c = client_for(aw.w, "finance")
    for url in (f"/api/v1/receipts/{aw.receipt.pk}/suggestion?strategy=bogus",
                f"/api/v1/receipts/{aw.receipt.pk}/suggestion"):  # fmt: skip
        r = call(c, "GET", url)
        assert r.status_code == 422 and "strategy" in r.json()["errors"]


@per_caller(CALLERS)
def test_receipt_apply_strategy(aw, who):
    table = {**WRITE, "finance": 201}
    r = check(aw, who, "POST", f"/api/v1/receipts/{aw.receipt.pk}/apply-strategy",
              {"strategy": "earliest_maturity"}, expected=table)  # fmt: skip
    aw.receipt.refresh_from_db()
    if r.status_code == 201:
        assert [x["amount"] for x in r.json()] == ["3000000.00"]
        assert aw.receipt.allocated == Decimal("4000000.00")
    else:
        assert aw.receipt.allocated == Decimal("1000000.00")


@pytest.mark.parametrize("body", [{"strategy": "bogus"}, {}, {"strategy": "highest_rate", "x": 1}])
def test_apply_strategy_bad_input(aw, body):
    before = fingerprint()
    r = call(client_for(aw.w, "finance"), "POST",
             f"/api/v1/receipts/{aw.receipt.pk}/apply-strategy", body)  # fmt: skip
    assert r.status_code == 422
    assert set(r.json()["errors"]) & {"strategy", "x"}
    assert fingerprint() == before


# --- indicators and fiscal inputs -----------------------------------------------------------


@per_caller(CALLERS)
def test_indicators(aw, who):
    fiscal_inputs_set(actor=aw.w.user("finance"), jurisdiction=aw.w.district, year=2026,
                      comprehensive_fiscal_capacity="1000000.00",
                      budget_expenditure="2000000.00")  # fmt: skip
    r = check(aw, who, "GET",
              f"/api/v1/indicators?jurisdiction={aw.w.district.pk}&as_of=2026-06-30",
              expected=READ_A)  # fmt: skip
    if r.status_code == 200:
        body = r.json()
        # As of 2026-06-30 the sample's allocation (made today) had not happened: the ledger
        # then held the full 10,000,000.
        assert body["outstanding"] == "10000000.00" and body["capacity"] == "1000000.00"
        assert body["debt_ratio"] == "0.0000" and body["debt_ratio_tier"] == "green"
        assert body["weighted_rate"] == "4.2500" and body["interest_next_year"] == "425000.00"
        # None of the sample's debts is a general bond: no general-debt interest burden, and
        # no fund expenditure entered: the special burden is missing (null), not zero.
        assert body["interest_burden"] == "0.0000" and body["interest_trigger"] is False
        assert body["interest_burden_special"] is None and body["fiscal_year"] == 2026
        assert body["thresholds"]["debt_red"] == "300.00"
    elif r.status_code == 404:
        assert "jurisdiction" in r.json()["errors"]


def test_indicators_default_and_bad_input(aw):
    c = client_for(aw.w, "supervisor")
    r = call(c, "GET", "/api/v1/indicators")
    assert r.status_code == 200 and r.json()["jurisdiction_id"] == aw.w.city.pk
    assert r.json()["notes"]  # no fiscal inputs yet
    for query, field in (("as_of=yesterday", "as_of"), ("jurisdiction=abc", "jurisdiction"),
                         ("jurisdiction=0", "jurisdiction")):  # fmt: skip
        bad = call(c, "GET", f"/api/v1/indicators?{query}")
        assert bad.status_code == 422 and field in bad.json()["errors"]


@per_caller(CALLERS)
def test_fiscal_inputs_get(aw, who):
    fiscal_inputs_set(actor=aw.w.user("finance"), jurisdiction=aw.w.district, year=2026,
                      comprehensive_fiscal_capacity="1000000.00",
                      budget_expenditure="2000000.00")  # fmt: skip
    r = check(aw, who, "GET", f"/api/v1/fiscal-inputs?jurisdiction={aw.w.district.pk}&year=2026",
              expected=READ_A)  # fmt: skip
    if r.status_code == 200:
        assert r.json()["budget_expenditure"] == "2000000.00"
    missing = call(client_for(aw.w, "finance"), "GET",
                   f"/api/v1/fiscal-inputs?jurisdiction={aw.w.district.pk}&year=2025")  # fmt: skip
    assert missing.status_code == 404


@per_caller(CALLERS)
def test_fiscal_inputs_put(aw, who):
    before = state()
    r = check(aw, who, "PUT", f"/api/v1/fiscal-inputs?jurisdiction={aw.w.district.pk}&year=2026",
              {"comprehensive_fiscal_capacity": "1000000.00", "budget_expenditure": "5.00"},
              expected=WRITE)  # fmt: skip
    if r.status_code == 200:
        assert FiscalInputs.objects.get().budget_expenditure == Decimal("5.00")
    else:
        assert state() == before
        if r.status_code == 404:
            assert "jurisdiction" in r.json()["errors"]


@pytest.mark.parametrize(
    ("query", "body", "field"),
    [("year=2026", {"comprehensive_fiscal_capacity": "0", "budget_expenditure": "1.00"},
      "comprehensive_fiscal_capacity"),
     ("year=2026", {"comprehensive_fiscal_capacity": "1.00", "budget_expenditure": 2.5},
      "budget_expenditure"),
     ("year=2026", {}, "comprehensive_fiscal_capacity"),  # no figure at all: 400
     ("year=2026", {"comprehensive_fiscal_capacity": "1.00", "gdp": "0"}, "gdp"),
     ("year=1800", {"comprehensive_fiscal_capacity": "1.00", "budget_expenditure": "1.00"},
      "year"),
     ("", {"comprehensive_fiscal_capacity": "1.00", "budget_expenditure": "1.00"}, "year")],
)  # fmt: skip
def test_fiscal_inputs_bad_input(aw, query, body, field):
    before = state()
    r = call(client_for(aw.w, "finance"), "PUT",
             f"/api/v1/fiscal-inputs?jurisdiction={aw.w.district.pk}&{query}", body)  # fmt: skip
    # The schema refuses malformed values (422); the service a body without any figure (400).
    assert r.status_code == (400 if body == {} else 422), r.content
    assert field in r.json()["errors"], r.content
    assert state() == before


# --- trace ----------------------------------------------------------------------------------


def traced_asset(aw):
    (row,) = list(trail(aw.w.user("finance"), receipt=aw.receipt))
    return Asset.objects.get(code=row.asset)


@per_caller(CALLERS)
@pytest.mark.parametrize("subject", ["asset", "debt", "receipt"])
def test_trace(aw, who, subject):
    pk = {"asset": lambda: traced_asset(aw).pk, "debt": lambda: aw.debt.pk,
          "receipt": lambda: aw.receipt.pk}[subject]()  # fmt: skip
    r = check(aw, who, "GET", f"/api/v1/trace?{subject}={pk}", expected=READ_A)
    if r.status_code == 200:
        (row,) = r.json()
        assert row["debt"] == aw.debt.code and row["amount"] == "1000000.00"
        assert row["receipt"] == "V-1" and row["asset_share"] == "1.0000"
    elif r.status_code == 404:
        assert subject in r.json()["errors"]


@pytest.mark.parametrize("query", ["", "asset=1&debt=1", "debt=abc"])
def test_trace_needs_exactly_one_subject(aw, query):
    r = call(client_for(aw.w, "auditor"), "GET", f"/api/v1/trace?{query}")
    assert r.status_code in (400, 422) and r.json()["errors"]
