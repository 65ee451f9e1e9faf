"""Overdue receipts and the reconciliation: figures, scoping per role and jurisdiction, exports,
and (hypothesis) money conserved at every period cut of random ledgers."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core import workdays
from panhuo.core.tests.api_support import (
    CALLERS,
    READERS_A,
    READERS_B,
    build_api_world,
    call,
    client_for,
    expect,
)
from panhuo.core.tests.per_caller import per_caller
from panhuo.core.tests.views_support import MONEY_SECTION, statuses
from panhuo.finance import services as fs
from panhuo.finance.expected_models import ExpectedReceipt
from panhuo.finance.models import Allocation, Debt, Receipt, Repayment
from panhuo.finance.reports.selectors import overdue_receipts, periods, reconciliation

LISTERS = READERS_A | READERS_B
D = Decimal


@pytest.fixture
def aw(world):
    return build_api_world(world)


def _late_schedule(aw):
    """The concluded project (6,000,000, 4,000,000 received) owed in three rows: 3,000,000 due
    60 days ago, 2,000,000 due 10 days ago, 1,000,000 due in a month. The receipt covers the
    first and 1,000,000 of the second."""
    today = timezone.localdate()
    ExpectedReceipt.objects.filter(project=aw.concluded).update(cancelled=True)
    rows = [
        (today - dt.timedelta(days=60), D("3000000.00"), "down payment"),
        (today - dt.timedelta(days=10), D("2000000.00"), "instalment 1"),
        (today + dt.timedelta(days=30), D("1000000.00"), "instalment 2"),
    ]
    for due, amount, label in rows:
        ExpectedReceipt.objects.create(
            project=aw.concluded, due_date=due, amount=amount, kind="instalment", label=label
        )
    return today


def test_overdue_lists_what_receipts_do_not_cover(aw):
    today = _late_schedule(aw)
    rows = overdue_receipts(aw.w.user("finance"), today=today)
    assert [(r.label, r.paid, r.outstanding, r.days_overdue) for r in rows] == [
        ("instalment 1", D("1000000.00"), D("1000000.00"), 10)
    ]
    # Lateness is counted in the district's working days: ten calendar days hold fewer.
    due = today - dt.timedelta(days=10)
    working = workdays.working_days_between(due, today, jurisdiction=aw.w.district)
    assert rows[0].working_days_overdue == working and 0 < working < 10
    assert rows[0].jurisdiction == aw.w.district
    # Once paid, nothing is overdue.
    fs.receipt_create(
        actor=aw.w.user("finance"), project=aw.concluded, amount="1000000.00",
        received_on=today, voucher="V-LATE", budget_class="non_tax",
    )  # fmt: skip
    assert overdue_receipts(aw.w.user("finance"), today=today) == []


def test_overdue_filters_and_sort(aw):
    today = _late_schedule(aw)
    user = aw.w.user("auditor")
    working = overdue_receipts(user, today=today)[0].working_days_overdue
    # The floor counts working days, like the lateness shown.
    assert overdue_receipts(user, today=today, min_days=working + 1) == []
    assert len(overdue_receipts(user, today=today, min_days=working)) == 1
    assert overdue_receipts(user, today=today, kind="rent") == []
    assert overdue_receipts(user, today=today, q="nobody") == []
    assert len(overdue_receipts(user, today=today, q=aw.concluded.code)) == 1
    assert overdue_receipts(user, today=today, jurisdiction=aw.w.other_district) == []
    # Forty days on, the third row is late too: sorting by days puts the oldest first.
    later = today + dt.timedelta(days=40)
    rows = overdue_receipts(user, today=later, ordering="-days_overdue")
    assert [r.label for r in rows] == ["instalment 1", "instalment 2"]
    rows = overdue_receipts(user, today=later, ordering="outstanding")
    assert [r.outstanding for r in rows] == [D("1000000.00"), D("1000000.00")]
    assert [r.label for r in overdue_receipts(user, today=later, ordering="-due_date")] == [
        "instalment 2",
        "instalment 1",
    ]


@per_caller(CALLERS)
def test_overdue_api_per_caller(aw, who):
    _late_schedule(aw)
    r = call(client_for(aw.w, who), "GET", "/api/v1/reports/overdue-receipts")
    assert r.status_code == expect(403, **dict.fromkeys(LISTERS, 200))[who]
    if r.status_code == 200:
        body = r.json()
        codes = [row["project_code"] for row in body["results"]]
        assert codes == ([aw.concluded.code] if who in READERS_A else [])
        if who in READERS_A:
            assert body["results"][0]["outstanding"] == "1000000.00"
            assert body["results"][0]["days_overdue"] == 10
            assert 0 < body["results"][0]["working_days_overdue"] < 10


def test_overdue_counts_working_days_over_a_holiday(aw):
    """Due on 30 September 2026, unpaid on 9 October: nine calendar days, but the National
    Day holiday (1-7 October) leaves two working days late, and the list says two."""
    ExpectedReceipt.objects.filter(project=aw.concluded).update(cancelled=True)
    ExpectedReceipt.objects.create(
        project=aw.concluded, due_date=dt.date(2026, 9, 30), amount=D("9000000.00"),
        kind="instalment", label="late over the holiday",
    )  # fmt: skip
    rows = overdue_receipts(aw.w.user("finance"), today=dt.date(2026, 10, 9))
    assert [(r.days_overdue, r.working_days_overdue) for r in rows] == [(9, 2)]
    assert overdue_receipts(aw.w.user("finance"), today=dt.date(2026, 10, 9), min_days=3) == []


def test_overdue_api_bad_input_and_hidden_jurisdiction(aw):
    c = client_for(aw.w, "finance")
    assert call(c, "GET", "/api/v1/reports/overdue-receipts?ordering=bogus").status_code == 422
    assert call(c, "GET", "/api/v1/reports/overdue-receipts?min_days=-1").status_code == 422
    # District B is not visible to district A's finance officer: named as missing.
    r = call(c, "GET", f"/api/v1/reports/overdue-receipts?jurisdiction={aw.w.other_district.pk}")
    assert r.status_code in (400, 404)


def test_overdue_page_per_user_and_exports(aw):
    _late_schedule(aw)
    got = statuses(aw.w, "/receipts/overdue/")
    for name, status in got.items():
        assert status == (200 if name in MONEY_SECTION else 403), name
    c = client_for(aw.w, "finance")
    page = c.get("/receipts/overdue/?sort=-outstanding")
    assert aw.concluded.code in page.content.decode()
    csv = b"".join(c.get("/receipts/overdue/?format=csv").streaming_content).decode("utf-8-sig")
    assert aw.concluded.code in csv and "1000000.00" in csv
    x = c.get("/receipts/overdue/?format=xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(x.content)).active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[1][0] == aw.concluded.code and D(str(values[1][8])) == D("1000000.00")
    # Outsiders see an empty list, not district A's row.
    other = client_for(aw.w, "outsider_finance").get("/receipts/overdue/")
    assert aw.concluded.code not in other.content.decode()


# --- Reconciliation ------------------------------------------------------------------------------


def test_periods_cover_the_range():
    assert [p[0] for p in periods(dt.date(2026, 2, 15), dt.date(2026, 5, 1), "month")] == [
        "2026-02", "2026-03", "2026-04", "2026-05",
    ]  # fmt: skip
    assert [p[0] for p in periods(dt.date(2025, 12, 31), dt.date(2026, 4, 1), "quarter")] == [
        "2025-Q4", "2026-Q1", "2026-Q2",
    ]  # fmt: skip
    assert periods(dt.date(2026, 3, 3), dt.date(2026, 3, 3), "year")[0][1:] == (
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
    )


def test_reconciliation_figures(aw):
    """4,000,000 received on 5 Jan 2026; 1,000,000 allocated today; a reversal of a second
    allocation of 500,000 in the same month as it."""
    today = timezone.localdate()
    extra = fs.allocation_create(
        actor=aw.w.user("finance"), receipt=aw.receipt, debt=aw.debt, amount="500000.00"
    )
    fs.allocation_reverse(actor=aw.w.user("finance"), allocation=extra, reason="wrong debt")
    rep = reconciliation(
        aw.w.user("finance"), start=dt.date(2026, 1, 1), end=today, granularity="year"
    )
    (row,) = rep.rows
    assert row.received == D("4000000.00")
    assert row.received_by_class == {"non_tax": D("4000000.00")}
    assert (row.allocated, row.reversed, row.net_allocated) == (
        D("1500000.00"),
        D("500000.00"),
        D("1000000.00"),
    )
    assert row.repaid_by_type == {"bank_loan": D("1000000.00")}
    assert (row.opening, row.closing) == (D("0.00"), D("3000000.00"))
    assert rep.reconciles
    # The closing balance is what the receipts say is left.
    assert row.closing == sum(r.amount - r.allocated for r in Receipt.objects.all())
    # Another district's officer sees none of it.
    other = reconciliation(
        aw.w.user("outsider_finance"), start=dt.date(2026, 1, 1), end=today, granularity="year"
    )
    assert other.totals.received == 0 and other.totals.closing == 0


@per_caller(CALLERS)
def test_reconciliation_api_per_caller(aw, who):
    r = call(
        client_for(aw.w, who),
        "GET",
        "/api/v1/reports/reconciliation?granularity=quarter&start=2026-01-01&end=2026-03-31",
    )
    assert r.status_code == expect(403, **dict.fromkeys(LISTERS, 200))[who]
    if r.status_code == 200:
        body = r.json()
        assert [row["label"] for row in body["rows"]] == ["2026-Q1"]
        assert body["totals"]["received"] == ("4000000.00" if who in READERS_A else "0.00")
        assert body["reconciles"] is True


def test_reconciliation_api_refuses_bad_periods(aw):
    c = client_for(aw.w, "finance")
    r = call(c, "GET", "/api/v1/reports/reconciliation?start=2026-05-01&end=2026-01-01")
    assert r.status_code == 400 and "end" in r.json()["errors"]
    r = call(c, "GET", "/api/v1/reports/reconciliation?start=1000-01-01&end=2026-01-01")
    assert r.status_code == 400 and "start" in r.json()["errors"]
    assert call(c, "GET", "/api/v1/reports/reconciliation?granularity=week").status_code == 422


def test_reconciliation_page_per_user_and_exports(aw):
    got = statuses(aw.w, "/reports/reconciliation/")
    for name, status in got.items():
        assert status == (200 if name in MONEY_SECTION else 403), name
    c = client_for(aw.w, "finance")
    q = "granularity=month&start=2026-01-01&end=2026-02-28"
    page = c.get(f"/reports/reconciliation/?{q}")
    assert "2026-01" in page.content.decode() and "4,000,000.00" in page.content.decode()
    csv = b"".join(c.get(f"/reports/reconciliation/?{q}&format=csv").streaming_content)
    lines = csv.decode("utf-8-sig").splitlines()
    assert len(lines) == 4  # header, two months, total
    assert lines[1].startswith("2026-01,") and "4000000.00" in lines[1]
    from openpyxl import load_workbook

    x = c.get(f"/reports/reconciliation/?{q}&format=xlsx")
    ws = load_workbook(io.BytesIO(x.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][0] == "2026-01" and D(str(rows[1][4])) == D("4000000.00")
    bad = c.get("/reports/reconciliation/?granularity=month&start=2026-05-01&end=2026-01-01")
    assert bad.status_code == 200 and "form-errors" in bad.content.decode()


# --- Property: money conserved at every period cut ----------------------------------------------

BASE = dt.date(2025, 1, 1)
money = st.decimals(min_value=D("0.01"), max_value=D("5000.00"), places=2)


@st.composite
def ledgers(draw):
    """Receipts on random days; allocations from them, each no earlier than its receipt and
    never past what is left; some of them reversed on a later day."""
    receipts = draw(st.lists(st.tuples(st.integers(0, 500), money), min_size=1, max_size=6))
    allocs = []
    left = [a for _d, a in receipts]
    for _ in range(draw(st.integers(0, 8))):
        i = draw(st.integers(0, len(receipts) - 1))
        if left[i] <= 0:
            continue
        amount = draw(st.decimals(min_value=D("0.01"), max_value=left[i], places=2))
        day = receipts[i][0] + draw(st.integers(0, 200))
        rev = draw(st.one_of(st.none(), st.integers(0, 100)))
        # A reversed allocation's money is not allocated again: were it, an allocation made
        # before the reversal's day could pass the receipt at a cut in between, which the
        # service refuses (found by hypothesis: -0.03 left at a cut).
        left[i] -= amount
        allocs.append((i, day, amount, None if rev is None else day + rev))
    return receipts, allocs


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ledger=ledgers(),
    granularity=st.sampled_from(["month", "quarter", "year"]),
    span=st.tuples(st.integers(0, 700), st.integers(0, 700)),
)
def test_money_conserved_at_every_cut(aw, ledger, granularity, span):
    receipts, allocs = ledger
    user = aw.w.user("finance")
    with transaction.atomic():
        Repayment.objects.all().delete()
        Allocation.objects.all().delete()
        Receipt.objects.all().delete()
        debt = Debt.objects.get(pk=aw.debt.pk)
        rs = []
        for i, (d, a) in enumerate(receipts):
            r = Receipt.objects.create(
                project=aw.concluded, amount=a, received_on=BASE + dt.timedelta(days=d),
                voucher=f"P{i}", budget_class="non_tax", recorded_by=user,
            )  # fmt: skip
            rs.append(r)
        for i, day, amount, rev in allocs:
            a = Allocation.objects.create(
                receipt=rs[i], debt=debt, amount=amount, allocated_by=user,
                allocated_on=BASE + dt.timedelta(days=day),
            )  # fmt: skip
            if rev is not None:
                Allocation.objects.create(
                    receipt=rs[i], debt=debt, amount=amount, allocated_by=user, reverses=a,
                    allocated_on=BASE + dt.timedelta(days=rev), reason="r",
                )  # fmt: skip
        lo, hi = sorted(span)
        start, end = BASE + dt.timedelta(days=lo), BASE + dt.timedelta(days=hi)
        rep = reconciliation(user, start=start, end=end, granularity=granularity)
        # Recomputed from scratch, naively, for every cut.
        for row in rep.rows:
            got_in = sum((a for d, a in receipts if BASE + dt.timedelta(days=d) <= row.end), D(0))
            net = D(0)
            for _i, day, amount, rev in allocs:
                if BASE + dt.timedelta(days=day) <= row.end:
                    net += amount
                if rev is not None and BASE + dt.timedelta(days=rev) <= row.end:
                    net -= amount
            assert row.closing == got_in - net >= 0
            assert row.opening + row.received - row.net_allocated == row.closing
        # Totals add up over the periods and reconcile.
        assert rep.totals.received == sum((r.received for r in rep.rows), D(0))
        assert rep.totals.opening + rep.totals.received - rep.totals.net_allocated == (
            rep.totals.closing
        )
        # A range from the first receipt: received equals every receipt up to its end, and the
        # API shows exactly the figures recomputed here.
        whole = reconciliation(user, start=BASE, end=end, granularity=granularity)
        assert whole.totals.opening == 0
        assert whole.totals.received == sum(
            (a for d, a in receipts if BASE + dt.timedelta(days=d) <= whole.end), D(0)
        )
        r = call(
            client_for(aw.w, "finance"),
            "GET",
            f"/api/v1/reports/reconciliation?granularity={granularity}&start={start}&end={end}",
        )
        body = r.json()
        assert [D(p["closing"]) for p in body["rows"]] == [p.closing for p in rep.rows]
        assert D(body["totals"]["received"]) == rep.totals.received
        transaction.set_rollback(True)
