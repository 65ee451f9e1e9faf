"""The indicators as the database computes them equal the definition, schedules included.

On PostgreSQL ``indicators_for`` sums in one SQL statement (``debt_indicators_sql``); on
SQLite it runs ``compute`` on the fetched facts. Either way, recomputed from the raw rows with
``compute``, every figure must be equal: for a district and for the city rolling up its two
districts, with schedules (bullet, equal principal, annuity, hand-given rows), debts without
one, fiscal inputs, and debts the caller may not see. From today on the figures come from the
risk roll-ups (``risk_rollups``): equal to the definition too, on dates around the month and
year boundaries they read differently.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core import rollups
from panhuo.finance.debts.indicators import DebtFacts, FiscalFacts, compute, indicators_for
from panhuo.finance.debts.indicators_db import fiscal_facts, settings_for
from panhuo.finance.debts.indicators_db import indicators_for as indicators_for_db
from panhuo.finance.debts.models import FiscalInputs, Repayment, RiskSettings, ScheduleRow
from panhuo.finance.debts.schedules import build_schedule
from panhuo.finance.models import Debt

D = Decimal
AS_OF = dt.date(2026, 6, 30)

debt = st.tuples(
    st.sampled_from(
        ["general_bond", "special_bond", "bank_loan", "hidden", "lgfv_bond", "government_bond"]
    ),
    st.decimals(min_value=D("1"), max_value=D("1e9"), places=2),
    st.integers(0, 100),  # percent of the principal still outstanding
    st.decimals(min_value=D("0"), max_value=D("12"), places=3),
    st.sampled_from(["fixed", "floating"]),
    st.integers(-3000, 6000),  # maturity, days from AS_OF
    st.sampled_from(["none", "bullet", "equal_principal", "annuity", "custom"]),
    st.sampled_from(["annual", "semiannual", "quarterly"]),
    st.sampled_from(["district", "other_district", "city"]),
    # The liability class a loan or an LGFV bond is given (bonds and hidden debt have theirs).
    st.sampled_from(["", "government", "contingent", "implicit"]),
)


def _from_today_on(world, made, ahead: int) -> None:
    """From today on the indicators are read from the risk roll-ups (written here by their
    ``rebuild``, as a bulk load would: these debts were made without the services): equal to
    the definition over the debts issued by the date, with their stored balances."""
    for name in ("debt_risk", "debt_due", "debt_due_month", "debt_due_year"):
        rollups.rebuild(rollups.REGISTRY[name])
    on = timezone.localdate() + dt.timedelta(days=ahead)
    for who, where, places in (("finance", world.district, {world.district.pk}),
                               ("supervisor", world.city, None)):  # fmt: skip
        facts = [f for d, f in made if d.issue_date <= on
                 and (places is None or d.jurisdiction_id in places)]  # fmt: skip
        fiscal = fiscal_facts(where, on.year, settings_for(where))
        shown = indicators_for_db(world.user(who), where, on, few=0)  # the roll-ups, always
        assert shown == compute(facts, as_of=on, fiscal=fiscal, thresholds=shown.thresholds), who


def _make(world, i, row) -> tuple[Debt, DebtFacts]:
    kind, principal, pct_left, rate, rate_type, days, method, freq, where, klass = row
    klass = klass if kind in ("bank_loan", "lgfv_bond") else ""
    outstanding = (principal * pct_left / 100).quantize(D("0.01"))
    maturity = AS_OF + dt.timedelta(days=days)
    issue = maturity - dt.timedelta(days=365 * 5 + 17)
    d = Debt.objects.create(
        code=f"R{i}",
        jurisdiction=getattr(world, where),
        creditor="c",
        debt_type=kind,
        principal=principal,
        outstanding=outstanding,
        rate=rate,
        rate_type=rate_type,
        issue_date=issue,
        maturity_date=maturity,
        liability_class=klass,
    )
    if outstanding < principal:
        # Registered part-repaid: the ledger's opening entry says so (the figures of a past
        # date are the ledger's).
        Repayment.objects.create(debt=d, source="opening", amount=principal - outstanding,
                                 repaid_on=issue, document="opening")  # fmt: skip
    rows = []
    if method == "custom":
        # Uneven rows, one of them with zero principal, adding up to the principal.
        first = (principal / 3).quantize(D("0.01"))
        rows = [
            (issue + dt.timedelta(days=400), first, D("0.00")),
            (issue + dt.timedelta(days=900), D("0.00"), D("12.34")),
            (maturity, principal - first, D("1.01")),
        ]
    elif method != "none":
        rows = [
            (r.due_date, r.principal, r.interest)
            for r in build_schedule(
                principal=principal,
                rate=rate,
                issue=issue,
                maturity=maturity,
                method=method,
                frequency=freq,
            )
        ]
    ScheduleRow.objects.bulk_create(
        ScheduleRow(debt=d, due_date=due, principal=p, interest=it) for due, p, it in rows
    )
    return d, DebtFacts(
        kind, principal, outstanding, rate, rate_type, maturity, tuple(rows), d.liability_class
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(debt, max_size=10),
    capacity=st.none() | st.decimals(min_value=D("0.01"), max_value=D("1e10"), places=2),
    spending=st.decimals(min_value=D("0.01"), max_value=D("1e10"), places=2),
    fund=st.none() | st.decimals(min_value=D("0.01"), max_value=D("1e10"), places=2),
    # The inputs' year: the asked one, or the one before (used only where settings allow).
    back=st.sampled_from([0, 1]),
    earlier_allowed=st.booleans(),
    # Days after today for the indicators from today on (the risk roll-ups).
    ahead=st.sampled_from([0, 1, 29, 200, 365, 800]),
)
def test_indicators_with_schedules_equal_the_definition(
    world, rows, capacity, spending, fund, back, earlier_allowed, ahead
):
    from django.db import transaction

    with transaction.atomic():
        made = [_make(world, i, row) for i, row in enumerate(rows)]
        fiscal = FiscalFacts()
        if capacity is not None:
            FiscalInputs.objects.create(
                jurisdiction=world.district,
                year=AS_OF.year - back,
                comprehensive_fiscal_capacity=capacity,
                capacity_source="entered",
                budget_expenditure=spending,
                fund_expenditure=fund,
            )
            FiscalInputs.objects.create(  # a later year than asked for: never used
                jurisdiction=world.district,
                year=AS_OF.year + 1,
                comprehensive_fiscal_capacity=D("1.00"),
                capacity_source="entered",
                budget_expenditure=D("1.00"),
            )
            if back == 0 or earlier_allowed:
                fiscal = FiscalFacts(AS_OF.year - back, capacity, spending, fund)
        if earlier_allowed:
            # Set on the city: the district, below it, follows (nearest ancestor wins).
            RiskSettings.objects.create(jurisdiction=world.city, use_earlier_fiscal_year=True)
        _from_today_on(world, made, ahead)
        # Debts issued after the date did not exist on it.
        made = [(d, f) for d, f in made if d.issue_date <= AS_OF]
        district = [f for d, f in made if d.jurisdiction_id == world.district.pk]
        shown = indicators_for(world.user("finance"), world.district, AS_OF)
        assert shown == compute(district, as_of=AS_OF, fiscal=fiscal)
        # A debt issued after the date changes no figure as of it.
        Debt.objects.create(
            code="LATER", jurisdiction=world.district, creditor="c", debt_type="general_bond",
            principal=D("1000.00"), outstanding=D("1000.00"), rate=D("3"), rate_type="fixed",
            issue_date=AS_OF + dt.timedelta(days=1), maturity_date=AS_OF + dt.timedelta(days=900),
        )  # fmt: skip
        assert indicators_for(world.user("finance"), world.district, AS_OF) == shown
        # So does a repayment dated after it.
        open_debt = next((d for d, f in made if d.jurisdiction_id == world.district.pk
                          and f.outstanding > 0), None)  # fmt: skip
        if open_debt is not None:
            later = AS_OF + dt.timedelta(days=1)
            Repayment.objects.create(debt=open_debt, source="budget", amount=D("0.01"),
                                     repaid_on=later, document="later")  # fmt: skip
            assert indicators_for(world.user("finance"), world.district, AS_OF) == shown
        # The city's supervisor sees both districts and the city's own debts; the city has no
        # fiscal inputs of its own.
        assert indicators_for(world.user("supervisor"), world.city, AS_OF) == compute(
            [f for _d, f in made], as_of=AS_OF
        )
        # Asked about the city, the district's finance officer still sees only the district.
        assert indicators_for(world.user("finance"), world.city, AS_OF) == compute(
            district, as_of=AS_OF
        )
        transaction.set_rollback(True)


def test_rollups_read_each_side_of_the_two_dates(world):
    """Due dates on every side of the date and of a year later — on the date, the day after,
    the day before a year later, a year later itself, the day after it, the rest of both
    boundary months, the months between, and whole years before and after — and debts without
    a schedule maturing on those days: the roll-ups' read (per type and side, not per date)
    equals the definition."""
    on = timezone.localdate()
    year_end = on + dt.timedelta(days=365)
    one = dt.timedelta(days=1)
    days = sorted({on - 400 * one, on.replace(day=1), on, on + one, on + 40 * one,
                   year_end.replace(day=1), year_end - one, year_end, year_end + one,
                   year_end + 40 * one, year_end + 800 * one})  # fmt: skip
    issue = on - dt.timedelta(days=900)
    made = []
    for i, (kind, due) in enumerate((k, d) for k in ("general_bond", "special_bond", "bank_loan")
                                    for d in days):  # fmt: skip
        bullet = i % 2 == 0
        principal, rate = D("1000.00") + i, D("3.125")
        d = Debt.objects.create(
            code=f"S{i}", jurisdiction=world.district, creditor="c", debt_type=kind,
            principal=principal, outstanding=principal - 7, rate=rate, rate_type="fixed",
            issue_date=issue, maturity_date=max(due, issue + dt.timedelta(days=1)) if bullet
            else days[-1], liability_class="",
        )  # fmt: skip
        first = ((days[0], D("7.00"), D("1.00")),) if due != days[0] else ()
        rows = () if bullet else (*first, (due, principal - 7 + 7 * (not first), D("2.50")))
        ScheduleRow.objects.bulk_create(
            ScheduleRow(debt=d, due_date=due_, principal=p, interest=it) for due_, p, it in rows
        )
        made.append(DebtFacts(kind, principal, principal - 7, rate, "fixed", d.maturity_date,
                              rows, d.liability_class))  # fmt: skip
    for name in ("debt_risk", "debt_due", "debt_due_month", "debt_due_year"):
        rollups.rebuild(rollups.REGISTRY[name])
    shown = indicators_for_db(world.user("finance"), world.district, on, few=0)
    assert shown.debts == len(made)
    assert shown == compute(made, as_of=on, fiscal=fiscal_facts(world.district, on.year, None),
                            thresholds=shown.thresholds)  # fmt: skip


def test_rollups_command_reads_the_debts_once_and_reports_a_disagreeing_risk_row(
    world, monkeypatch, capsys
):
    """`panhuo rollups rebuild` and `verify` compute the four risk roll-ups from one pass over
    the debts (``rollups.sharing``), and verify still names each disagreeing row."""
    import pytest
    from django.core.management import CommandError, call_command

    from panhuo.finance.debts import risk_rollups
    from panhuo.finance.models import DebtDueMonthRollup, DebtRiskRollup

    on = timezone.localdate()
    Debt.objects.create(
        code="V1", jurisdiction=world.district, creditor="c", debt_type="general_bond",
        principal=D("100.00"), outstanding=D("100.00"), rate=D("3"), rate_type="fixed",
        issue_date=on - dt.timedelta(days=10), maturity_date=on + dt.timedelta(days=100),
    )  # fmt: skip
    passes = []
    real = risk_rollups.contributions
    monkeypatch.setattr(risk_rollups, "contributions",
                        lambda *a, **k: passes.append(a) or real(*a, **k))  # fmt: skip
    call_command("rollups", "rebuild")
    assert len(passes) == 1
    call_command("rollups", "verify")
    assert len(passes) == 2
    DebtRiskRollup.objects.filter(jurisdiction=world.district).update(n=5)
    DebtDueMonthRollup.objects.filter(jurisdiction=world.district).update(left=D("1.00"))
    with pytest.raises(CommandError, match="2 roll-up figures disagree"):
        call_command("rollups", "verify")
    out = capsys.readouterr().out
    assert "debt_risk: District A" in out and "n kept 5, recomputed 1" in out
    assert "debt_due_month: District A" in out and "left kept 1.00, recomputed 100.00" in out
    assert DebtRiskRollup.objects.get(jurisdiction=world.district).n == 5  # nothing corrected
    # Outside the command nothing is shared: each computation reads the debts again.
    rollups.REGISTRY["debt_risk"].compute(None)
    rollups.REGISTRY["debt_risk"].compute(None)
    assert len(passes) == 5
