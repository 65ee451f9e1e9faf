"""Finance's roll-ups after any sequence of writes through the services: every row equals a
recomputation from the receipts, allocations, debts and schedules (the risk roll-ups too), and
the dashboard's figures are the base tables' sums over what the caller may see."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from panhuo.core import rollups
from panhuo.core.testing import concluded_project
from panhuo.finance import rollups as finance_rollups
from panhuo.finance import services as fs
from panhuo.finance.debts import risk_rollups
from panhuo.finance.debts.details import debt_update
from panhuo.finance.debts.repayments import debt_void, repayment_create
from panhuo.finance.debts.schedules import debt_schedule_set
from panhuo.finance.models import Allocation, Debt, Receipt
from panhuo.finance.selectors import money_summary
from panhuo.organisation.policy import NotPermitted

DAY = dt.date(2026, 1, 5)
cents = st.integers(1, 50_000).map(lambda c: Decimal(c) / 100)
write = st.one_of(
    st.tuples(st.just("receipt"), cents, st.none(), st.none()),
    st.tuples(st.just("debt"), cents, st.sampled_from(["district", "other_district"]),
              st.sampled_from(["bank_loan", "general_bond"])),
    st.tuples(st.just("allocate"), cents, st.integers(0, 9), st.integers(0, 9)),
    st.tuples(st.just("reverse"), st.none(), st.integers(0, 9), st.none()),
    st.tuples(st.just("repay"), cents, st.integers(0, 9), st.none()),
    st.tuples(st.just("void"), st.none(), st.integers(0, 9), st.none()),
    st.tuples(st.just("schedule"), st.none(), st.integers(0, 9),
              st.sampled_from(["equal_principal", "annuity"])),
    st.tuples(st.just("class"), st.none(), st.integers(0, 9),
              st.sampled_from(["contingent", "implicit"])),
)  # fmt: skip


@pytest.fixture
def project(world):
    return concluded_project(world, deal_price=Decimal("100000000.00"))


def _who(w, debt):
    return w.user("outsider_finance" if debt.jurisdiction_id == w.other_district.pk else "finance")


def _apply(w, project, op, amount, a, b, made):
    receipts, debts, allocations = made
    if op == "receipt":
        receipts.append(fs.receipt_create(
            actor=w.user("finance"), project=project, amount=amount, received_on=DAY,
            voucher=f"V{len(receipts)}", budget_class="non_tax",
        ))  # fmt: skip
    elif op == "debt":
        debts.append(fs.debt_create(actor=w.user("finance"), jurisdiction=getattr(w, a), data={
            "creditor": "Bank", "debt_type": b, "principal": amount * 3, "rate": Decimal("4"),
            "issue_date": dt.date(2021, 1, 1), "maturity_date": dt.date(2027 + len(debts), 6, 1),
            "outstanding": amount * 2,
        }) if a == "district" else fs.debt_create(
            actor=w.user("outsider_finance"), jurisdiction=w.other_district,
            data={"creditor": "Bank", "debt_type": b, "principal": amount,
                  "rate": Decimal("4"), "issue_date": dt.date(2021, 1, 1),
                  "maturity_date": dt.date(2030, 1, 1)},
        ))  # fmt: skip
    elif op == "allocate" and receipts and debts:
        allocations.append(fs.allocation_create(
            actor=w.user("finance"), receipt=receipts[a % len(receipts)],
            debt=debts[b % len(debts)], amount=amount, allocated_on=DAY,
        ))  # fmt: skip
    elif op == "reverse" and allocations:
        fs.allocation_reverse(actor=w.user("finance"), allocation=allocations[a % len(allocations)],
                              reason="wrong debt")  # fmt: skip
    elif op == "repay" and debts:
        debt = Debt.objects.get(pk=debts[a % len(debts)].pk)
        repayment_create(actor=_who(w, debt), debt=debt, source="budget", amount=amount,
                         repaid_on=DAY, document="Budget order 1")  # fmt: skip
    elif op == "void" and debts:
        debt = Debt.objects.get(pk=debts[a % len(debts)].pk)
        debt_void(actor=_who(w, debt), debt=debt, reason="entered twice")
    elif op == "schedule" and debts:
        debt = Debt.objects.get(pk=debts[a % len(debts)].pk)
        debt_schedule_set(actor=_who(w, debt), debt=debt, method=b, frequency="semiannual")
    elif op == "class" and debts:
        debt = Debt.objects.get(pk=debts[a % len(debts)].pk)
        debt_update(actor=_who(w, debt), debt=debt, data={"liability_class": b})


#: Every example starts with a receipt and a debt on each side, so that its drawn writes act
#: on something (an allocation, repayment or schedule with no debt yet is a no-op).
START = [("receipt", Decimal("900.00"), None, None),
         ("debt", Decimal("120.00"), "district", "bank_loan"),
         ("debt", Decimal("80.00"), "other_district", "general_bond")]  # fmt: skip


def _indicators_agree(world) -> None:
    """The risk indicators as of today read from the roll-ups equal those read from the debts
    (the definition), for a district and for the city above both."""
    from panhuo.finance.debts.indicators_db import indicators_for

    today = timezone.localdate()
    for who, where in (("finance", world.district), ("supervisor", world.city)):
        user = world.user(who)
        from_rollups = indicators_for(user, where, today, few=0)
        assert from_rollups == indicators_for(user, where, today, few=10**9), who


@settings(  # fewer drawn examples than before the prefix and the example, each richer
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(writes=st.lists(write, max_size=8))
@example(writes=[("allocate", Decimal("30.00"), 0, 0), ("schedule", None, 0, "annuity"),
                 ("repay", Decimal("15.00"), 0, None), ("class", None, 1, "implicit"),
                 ("reverse", None, 0, None), ("schedule", None, 1, "equal_principal"),
                 ("void", None, 1, None), ("repay", Decimal("500.00"), 0, None)])  # fmt: skip
def test_rollups_equal_the_ledger_recomputed_after_any_writes(world, project, writes):
    with transaction.atomic():
        made: tuple[list, list, list] = ([], [], [])
        for i, (op, amount, a, b) in enumerate(START + writes):
            try:
                with transaction.atomic():
                    _apply(world, project, op, amount, a, b, made)
            except (ValidationError, NotPermitted):
                pass  # refused (over-allocation, another place's debt...): nothing written
            if i < len(START) - 1:
                continue  # the fixed start is checked once it is all written
            for rollup in (finance_rollups.MONEY, finance_rollups.DEBTS,
                           *risk_rollups.ROLLUPS.values()):  # fmt: skip
                assert rollups.verify(rollup) == [], rollup.name
        for who in ("finance", "supervisor", "outsider_finance", "unit_officer"):
            user = world.user(who)
            debts = Debt.objects.active().visible_to(user)
            want = {
                "received": sum((r.amount for r in Receipt.objects.visible_to(user)), Decimal(0)),
                "allocated": sum((r.allocated for r in Receipt.objects.visible_to(user)),
                                 Decimal(0)),
                "debt_principal": sum((d.principal for d in debts), Decimal(0)),
                "debt_outstanding": sum((d.outstanding for d in debts), Decimal(0)),
                "repaid": Allocation.objects.visible_to(user).net_total(),
            }  # fmt: skip
            assert money_summary(user) == want, who
            by_bucket = finance_rollups.debts_by_type_and_maturity(user, DAY)
            assert sum(c["outstanding"] for c in by_bucket.values()) == want["debt_outstanding"]
        _indicators_agree(world)
        transaction.set_rollback(True)
