"""Schedules add up to the principal; indicators follow their definitions and thresholds."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from panhuo.finance import services as fs
from panhuo.finance.debts.indicators import (
    DebtFacts,
    FiscalFacts,
    Thresholds,
    compute,
    debt_ratio_tier,
    overdue_tier,
)
from panhuo.finance.debts.schedules import Row, build_schedule, debt_schedule_set
from panhuo.organisation.policy import NotPermitted

D = Decimal


@settings(max_examples=200, deadline=None)
@given(
    principal=st.decimals(min_value=D("0.01"), max_value=D("1e12"), places=2),
    rate=st.decimals(min_value=D("0"), max_value=D("15"), places=3),
    years=st.integers(1, 30),
    method=st.sampled_from(["bullet", "equal_principal", "annuity"]),
    frequency=st.sampled_from(["annual", "semiannual", "quarterly", "monthly"]),
)
def test_generated_schedules_add_up(principal, rate, years, method, frequency):
    issue = dt.date(2020, 1, 31)
    maturity = dt.date(2020 + years, 1, 31)
    rows = build_schedule(
        principal=principal,
        rate=rate,
        issue=issue,
        maturity=maturity,
        method=method,
        frequency=frequency,
    )
    assert sum(r.principal for r in rows) == principal
    assert all(r.principal >= 0 and r.interest >= 0 for r in rows)
    assert rows[-1].due_date == maturity
    assert [r.due_date for r in rows] == sorted({r.due_date for r in rows})
    if method == "bullet":
        assert all(r.principal == 0 for r in rows[:-1])


def test_annuity_payments_are_level():
    rows = build_schedule(
        principal=D("1000000.00"),
        rate=D("6"),
        issue=dt.date(2020, 1, 1),
        maturity=dt.date(2030, 1, 1),
        method="annuity",
    )
    payments = {r.principal + r.interest for r in rows[:-1]}
    assert payments == {D("135867.96")}  # 1,000,000 at 6 % over 10 years, to the fen
    assert abs(rows[-1].principal + rows[-1].interest - D("135867.96")) < D("0.10")


@pytest.fixture
def debt(world):
    return fs.debt_create(
        actor=world.user("finance"),
        jurisdiction=world.district,
        data={
            "creditor": "Bank",
            "debt_type": "bank_loan",
            "principal": "1200.00",
            "rate": D("5"),
            "issue_date": dt.date(2024, 1, 1),
            "maturity_date": dt.date(2027, 1, 1),
        },
    )


def test_custom_rows_must_add_up(world, debt):
    rows = [
        Row(dt.date(2025, 1, 1), D("600.00"), D("60")),
        Row(dt.date(2026, 1, 1), D("500.00"), D("30")),
    ]
    with pytest.raises(ValidationError) as exc:
        debt_schedule_set(actor=world.user("finance"), debt=debt, method="custom", rows=rows)
    assert "difference 100.00" in str(exc.value.message_dict["rows"])
    assert not debt.schedule.exists()
    bad_date = [Row(dt.date(2030, 1, 1), D("1200.00"), D("0"))]
    with pytest.raises(ValidationError) as exc:
        debt_schedule_set(actor=world.user("finance"), debt=debt, method="custom", rows=bad_date)
    assert "rows[1].due_date" in exc.value.message_dict
    rows.append(Row(dt.date(2027, 1, 1), D("100.00"), D("5")))
    made = debt_schedule_set(actor=world.user("finance"), debt=debt, method="custom", rows=rows)
    assert len(made) == 3 and debt.schedule.count() == 3


def test_schedule_denied(world, debt):
    for who in ("office", "auditor", "outsider_finance"):
        with pytest.raises(NotPermitted):
            debt_schedule_set(actor=world.user(who), debt=debt, method="bullet")
    assert not debt.schedule.exists()


@pytest.mark.parametrize(
    ("ratio", "tier"),
    [
        (D("119.99"), "green"),
        (D("120"), "yellow"),
        (D("199.99"), "yellow"),
        (D("200"), "orange"),
        (D("299.99"), "orange"),
        (D("300"), "red"),
    ],
)
def test_debt_ratio_tiers_at_their_thresholds(ratio, tier):
    assert debt_ratio_tier(ratio) == tier


@pytest.mark.parametrize(
    ("ratio", "tier"),
    [
        (D("9.99"), "none"),
        (D("10"), "initial"),
        (D("19.99"), "initial"),
        (D("20"), "medium"),
        (D("50"), "medium"),
        (D("50.01"), "severe"),
    ],
)
def test_overdue_tiers_at_their_thresholds(ratio, tier):
    assert overdue_tier(ratio) == tier


def test_indicators_by_hand():
    as_of = dt.date(2026, 6, 30)
    debts = [
        DebtFacts("general_bond", D("600"), D("600"), D("3"), "fixed", dt.date(2027, 3, 1)),
        DebtFacts("hidden", D("300"), D("300"), D("8"), "floating", dt.date(2026, 1, 1)),
        DebtFacts("bank_loan", D("100"), D("100"), D("5"), "fixed", dt.date(2031, 6, 30)),
        DebtFacts("special_bond", D("400"), D("400"), D("3.65"), "fixed", dt.date(2026, 7, 30)),
    ]
    fiscal = FiscalFacts(2026, D("500"), D("200"), D("100"))
    ind = compute(debts, as_of=as_of, fiscal=fiscal)
    assert ind.outstanding == D("1400")
    # Statutory: the two bonds; broad: with the hidden debt.
    assert ind.government_debt == D("1000") and ind.broad_debt == D("1300")
    assert ind.debt_ratio == D("200.0000") and ind.debt_ratio_tier == "orange"
    assert ind.broad_debt_ratio == D("260.0000")
    assert ind.overdue == D("300") and ind.overdue_ratio == D("21.4286")
    assert ind.overdue_tier == "medium"
    # (600×3 + 300×8 + 100×5 + 400×3.65) / 1400
    assert ind.weighted_rate == D("4.4000")
    # Within a year: the general bond (March 2027) and the special bond (30 days): 1,000 of
    # 1,400; the matured hidden debt is overdue, not "within a year".
    assert ind.due_within_year == D("1000") and ind.share_within_year == D("71.4286")
    assert ind.share_fixed == D("78.5714")
    # Interest in the period, counting only what falls due in it: the general bond 600 × 3 %
    # × 244/365 = 12.03; the special bond 400 × 3.65 % × 30/365 = 1.20, not a year's 14.60;
    # the loan a year's 5; the matured hidden debt none.
    assert ind.interest_general == D("12.03") and ind.interest_special == D("1.20")
    assert ind.interest_next_year == D("18.23")
    # General over budget expenditure, special over fund expenditure.
    assert ind.interest_burden == D("6.0150") and ind.interest_burden_special == D("1.2000")
    assert not ind.interest_trigger
    # Years to each payment weighted by it: 600 × 244 + 100 × 1826 + 400 × 30 days over 1,100.
    assert ind.average_years_to_maturity == (
        D(600 * 244 + 100 * 1826 + 400 * 30) / (D(1100) * D("365.25"))
    ).quantize(D("0.0001"))
    assert ind.notes == []


def test_an_amortising_loan_averages_its_payments_not_its_final_maturity():
    """The issue's case: a 10-year loan repaid in equal yearly principal reads 5.5 years."""
    as_of = dt.date(2026, 1, 1)
    rows = tuple((dt.date(2026 + k, 1, 1), D("100"), D("0")) for k in range(1, 11))
    loan = DebtFacts("bank_loan", D("1000"), D("1000"), D("4"), "fixed", dt.date(2036, 1, 1), rows)
    ind = compute([loan], as_of=as_of)
    assert D("5.49") < ind.average_years_to_maturity < D("5.51")
    # Half repaid: the earliest five rows are paid; what is left falls due in years 6–10.
    half = DebtFacts("bank_loan", D("1000"), D("500"), D("4"), "fixed", dt.date(2036, 1, 1), rows)
    ind = compute([half], as_of=as_of)
    assert D("7.99") < ind.average_years_to_maturity < D("8.01")
    assert ind.due_within_year == D("0") and ind.overdue == D("0")


def test_overdue_is_not_counted_as_maturing_within_a_year():
    as_of = dt.date(2026, 6, 30)
    late = DebtFacts("general_bond", D("100"), D("100"), D("3"), "fixed", dt.date(2026, 3, 1))
    soon = DebtFacts("general_bond", D("100"), D("100"), D("3"), "fixed", dt.date(2026, 9, 1))
    ind = compute([late, soon], as_of=as_of)
    assert ind.overdue == D("100") and ind.due_within_year == D("100")
    assert ind.share_within_year == D("50.0000") and ind.overdue_ratio == D("50.0000")


def test_a_missing_fiscal_year_leaves_the_ratios_missing_and_says_so():
    as_of = dt.date(2026, 6, 30)
    bond = DebtFacts("general_bond", D("100"), D("100"), D("3"), "fixed", dt.date(2030, 1, 1))
    ind = compute([bond], as_of=as_of)
    assert ind.debt_ratio is None and ind.debt_ratio_tier is None
    assert ind.interest_burden is None and ind.capacity is None
    assert len(ind.notes) == 1 and "2026" in ind.notes[0]
    # Using an earlier year is said, with the year used.
    ind = compute([bond], as_of=as_of, fiscal=FiscalFacts(2025, D("100"), D("100")))
    assert ind.fiscal_year == 2025 and ind.debt_ratio == D("100.0000")
    assert any("2025" in n and "2026" in n for n in ind.notes)
    # No fund expenditure: the special burden is missing, not zero.
    assert ind.interest_burden_special is None


def test_thresholds_move_the_tiers():
    t = Thresholds(debt_yellow=D("100"), debt_orange=D("150"), debt_red=D("250"),
                   overdue_initial=D("5"), overdue_medium=D("15"), overdue_severe=D("30"),
                   interest_trigger=D("5"))  # fmt: skip
    assert debt_ratio_tier(D("99.99"), t) == "green" and debt_ratio_tier(D("100"), t) == "yellow"
    assert debt_ratio_tier(D("150"), t) == "orange" and debt_ratio_tier(D("250"), t) == "red"
    assert overdue_tier(D("5"), t) == "initial" and overdue_tier(D("30"), t) == "medium"
    assert overdue_tier(D("30.01"), t) == "severe"
    bond = DebtFacts("general_bond", D("1000"), D("1000"), D("6"), "fixed", dt.date(2030, 1, 1))
    ind = compute([bond], as_of=dt.date(2026, 1, 1),
                  fiscal=FiscalFacts(2026, D("1000"), D("1000")), thresholds=t)  # fmt: skip
    assert ind.interest_burden == D("6.0000") and ind.interest_trigger


debts_strategy = st.lists(
    st.tuples(
        st.sampled_from(["general_bond", "special_bond", "bank_loan", "hidden", "lgfv_bond"]),
        st.decimals(min_value=D("1"), max_value=D("1e9"), places=2),
        st.integers(0, 100),
        st.decimals(min_value=D("0"), max_value=D("12"), places=3),
        st.sampled_from(["fixed", "floating"]),
        st.integers(-2000, 8000),
    ),
    max_size=12,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[__import__("hypothesis").HealthCheck.function_scoped_fixture],
)
@given(rows=debts_strategy)
def test_indicators_from_the_database_equal_the_definition(world, rows):
    """Recomputed from scratch over the raw rows, every indicator equals the one shown."""
    from django.db import transaction

    from panhuo.finance.debts.indicators import indicators_for
    from panhuo.finance.debts.models import Repayment
    from panhuo.finance.models import Debt

    as_of = dt.date(2026, 6, 30)
    with transaction.atomic():
        facts = []
        for i, (kind, principal, pct_left, rate, rate_type, days) in enumerate(rows):
            outstanding = (principal * pct_left / 100).quantize(D("0.01"))
            maturity = as_of + dt.timedelta(days=days)
            debt = Debt.objects.create(
                code=f"H{i}",
                jurisdiction=world.district,
                creditor="c",
                debt_type=kind,
                principal=principal,
                outstanding=outstanding,
                rate=rate,
                rate_type=rate_type,
                issue_date=dt.date(2010, 1, 1),
                maturity_date=maturity,
            )
            if outstanding < principal:  # the ledger's opening entry (a past date reads it)
                Repayment.objects.create(
                    debt=debt, source="opening", document="opening",
                    amount=principal - outstanding, repaid_on=dt.date(2010, 1, 1),
                )  # fmt: skip
            facts.append(DebtFacts(kind, principal, outstanding, rate, rate_type, maturity))
        shown = indicators_for(world.user("finance"), world.district, as_of)
        assert shown == compute(facts, as_of=as_of)
        assert indicators_for(world.user("outsider_finance"), world.district, as_of).debts == 0
        transaction.set_rollback(True)
