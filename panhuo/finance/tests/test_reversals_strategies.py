"""Reversals are new entries; strategies spread a receipt without passing any limit; money is
conserved across allocations and reversals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core.testing import concluded_project
from panhuo.finance import services as fs
from panhuo.finance.models import Allocation, Debt, Receipt
from panhuo.organisation.policy import NotPermitted

D = Decimal


def _debt(w, principal, rate, maturity):
    return fs.debt_create(
        actor=w.user("finance"),
        jurisdiction=w.district,
        data={
            "creditor": "c",
            "debt_type": "bank_loan",
            "principal": principal,
            "rate": D(rate),
            "issue_date": dt.date(2020, 1, 1),
            "maturity_date": maturity,
        },
    )


def _receipt(w, amount):
    p = concluded_project(w, deal_price=D(amount))
    return fs.receipt_create(
        actor=w.user("finance"),
        project=p,
        amount=amount,
        received_on=dt.date(2026, 1, 5),
        voucher=f"V{p.pk}",
        budget_class="non_tax",
    )


def test_reversal_restores_both_sides_once(world):
    r = _receipt(world, "100.00")
    d = _debt(world, "80.00", "4", dt.date(2030, 1, 1))
    a = fs.allocation_create(actor=world.user("finance"), receipt=r, debt=d, amount="60.00")
    with pytest.raises(ValidationError):
        fs.allocation_reverse(actor=world.user("finance"), allocation=a, reason=" ")
    with pytest.raises(NotPermitted):
        fs.allocation_reverse(actor=world.user("office"), allocation=a, reason="wrong debt")
    rev = fs.allocation_reverse(actor=world.user("finance"), allocation=a, reason="wrong debt")
    r.refresh_from_db()
    d.refresh_from_db()
    assert (r.allocated, d.outstanding) == (D("0.00"), D("80.00"))
    assert rev.is_reversal and rev.signed_amount == D("-60.00")
    assert Allocation.objects.filter(receipt=r).net_total() == D("0.00")
    a.refresh_from_db()
    assert a.amount == D("60.00")  # the original entry is untouched
    for target in (a, rev):
        with pytest.raises(ValidationError):
            fs.allocation_reverse(actor=world.user("finance"), allocation=target, reason="x")


def test_strategies_order_and_limits(world):
    r = _receipt(world, "250.00")
    soon = _debt(world, "100.00", "3", dt.date(2026, 12, 31))
    dear = _debt(world, "100.00", "9", dt.date(2029, 1, 1))
    long = _debt(world, "100.00", "5", dt.date(2045, 1, 1))
    debts = [soon, dear, long]
    on = dt.date(2026, 6, 30)
    plan = fs.allocation_suggest(receipt=r, debts=debts, strategy="earliest_maturity", on=on)
    assert [(d.pk, a) for d, a in plan] == [
        (soon.pk, D("100.00")),
        (dear.pk, D("100.00")),
        (long.pk, D("50.00")),
    ]
    plan = fs.allocation_suggest(receipt=r, debts=debts, strategy="highest_rate", on=on)
    assert [d.pk for d, _ in plan] == [dear.pk, long.pk, soon.pk]
    plan = fs.allocation_suggest(receipt=r, debts=debts, strategy="most_interest_saved", on=on)
    assert plan[0][0].pk == long.pk  # 5 % for 18 years beats 9 % for 2.5
    with pytest.raises(ValidationError):
        fs.allocation_suggest(receipt=r, debts=debts, strategy="astrology")
    made = fs.allocation_apply_strategy(
        actor=world.user("finance"), receipt=r, strategy="highest_rate"
    )
    assert sum(a.amount for a in made) == D("250.00")
    r.refresh_from_db()
    assert r.allocated == r.amount


amounts = st.decimals(min_value=D("0.01"), max_value=D("500.00"), places=2)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ops=st.lists(
        st.tuples(st.sampled_from(["allocate", "reverse"]), st.integers(0, 2), amounts), max_size=14
    ),
    principals=st.lists(amounts, min_size=1, max_size=3),
)
@pytest.mark.slow
def test_money_conserved_across_allocations_and_reversals(world, ops, principals):
    with transaction.atomic():
        r = _receipt(world, "600.00")
        debts = [_debt(world, str(p), "4", dt.date(2030, 1, 1)) for p in principals]
        made: list[Allocation] = []
        for op, i, amount in ops:
            try:
                if op == "allocate":
                    made.append(
                        fs.allocation_create(
                            actor=world.user("finance"),
                            receipt=r,
                            debt=debts[i % len(debts)],
                            amount=str(amount),
                        )
                    )
                elif made:
                    fs.allocation_reverse(
                        actor=world.user("finance"), allocation=made[i % len(made)], reason="r"
                    )
            except ValidationError:
                pass
        r = Receipt.objects.get(pk=r.pk)
        net = Allocation.objects.filter(receipt=r).net_total()
        assert r.allocated == net and D("0") <= r.allocated <= r.amount
        for d in Debt.objects.filter(pk__in=[d.pk for d in debts]):
            assert d.outstanding == d.principal - d.allocations.all().net_total() >= 0
        transaction.set_rollback(True)
