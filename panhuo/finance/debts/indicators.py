"""Debt risk indicators of a jurisdiction on a date (DESIGN.md §2, "Debt risk"; the README's
"Debt risk indicators" gives each definition's source).

``compute`` is the definition: a pure function of the debts' facts and the year's fiscal
inputs. ``indicators_for`` asks the database for the sums the definition adds up (one
aggregate query over the debts and their schedule rows, ``indicators_sql``, so a province's
100,000 debts and their million schedule rows never travel to Python) and finishes with the
same arithmetic (``_finish``); the tests hold it equal to ``compute`` run on the raw rows. The
aggregate needs exact decimal arithmetic in the database (PostgreSQL's numeric); SQLite
computes on floats, so there the facts are fetched and ``compute`` runs on them.

- statutory debt ratio = government debt (the liability class 政府债务: general and special
  bonds, and any whose split is not known) ÷ comprehensive fiscal capacity, with the MoF tiers
  green < 120 %, yellow < 200 %, orange < 300 %, red; the broad ratio adds implicit debt (the
  class 隐性债务); a contingent liability (或有债务) counts in neither (``debts.system``);
- overdue ratio = principal past due and unpaid ÷ all outstanding; tiers none < 10 %,
  initial < 20 %, medium ≤ 50 %, severe above;
- interest burden (State Council General Office, 2016 emergency-response plan for local
  government debt risk): interest on general bonds falling due in the next 12 months ÷ general
  budget expenditure, and on special bonds ÷ government-fund expenditure; over 10 % triggers;
- average time to maturity (the MTDS definition): years to each future principal payment,
  weighted by that payment;
- share maturing within a year = principal scheduled in the next 12 months ÷ outstanding
  (overdue principal is shown on its own, not in it); weighted average rate and share at a
  fixed rate, weighted by outstanding.

A debt's repaid principal (principal − outstanding) is taken to have paid its schedule's rows
in order of due date: what remains of each row is what is still to be paid on that date.
Thresholds are configurable per jurisdiction (``RiskSettings``, nearest ancestor wins).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from panhuo.core.money import ZERO
from panhuo.finance.debts.system import BROAD_CLASSES, STATUTORY_CLASSES, default_class

Q4 = Decimal("0.0001")
FEN = Decimal("0.01")


@dataclass(frozen=True)
class Thresholds:
    """Where the tiers start, in percent. The defaults are the MoF tiers; a jurisdiction may
    set its own (``RiskSettings``)."""

    debt_yellow: Decimal = Decimal("120.00")
    debt_orange: Decimal = Decimal("200.00")
    debt_red: Decimal = Decimal("300.00")
    overdue_initial: Decimal = Decimal("10.00")
    overdue_medium: Decimal = Decimal("20.00")
    overdue_severe: Decimal = Decimal("50.00")  # severe *above* this
    interest_trigger: Decimal = Decimal("10.00")  # triggered *above* this


MOF = Thresholds()


@dataclass(frozen=True)
class DebtFacts:
    """What the indicators need of one debt."""

    debt_type: str
    principal: Decimal
    outstanding: Decimal
    rate: Decimal  # percent
    rate_type: str
    maturity_date: dt.date
    # (due date, principal, interest) rows; empty means a bullet at maturity.
    schedule: tuple[tuple[dt.date, Decimal, Decimal], ...] = ()
    #: Government, contingent or implicit (``system.LiabilityClass``); not given: the type's.
    liability_class: str | None = None

    @property
    def klass(self) -> str:
        return self.liability_class or default_class(self.debt_type)


@dataclass
class Indicators:
    """The figures of one place on one date. Read from its debt register; for a place without
    one, from the balances it published (``debt_source`` "reported", ``reported``): then only
    the ratios of balances to capacity, GDP and limits are known, the rest is missing (None)."""

    as_of: dt.date
    # None only for reported balances: a balance the place did not publish.
    outstanding: Decimal | None = ZERO
    general_debt: Decimal | None = ZERO  # general bonds outstanding
    special_debt: Decimal | None = ZERO  # special bonds outstanding
    government_debt: Decimal | None = ZERO  # statutory: the liability class government debt
    unsplit_debt: Decimal | None = ZERO  # government debt neither general nor special (not known)
    broad_debt: Decimal | None = ZERO  # with implicit debt
    fiscal_year: int | None = None  # the year whose fiscal inputs were used
    capacity: Decimal | None = None
    debt_ratio: Decimal | None = None  # percent, statutory
    debt_ratio_tier: str | None = None
    broad_debt_ratio: Decimal | None = None
    overdue: Decimal | None = ZERO
    overdue_ratio: Decimal | None = None
    overdue_tier: str | None = None
    interest_next_year: Decimal | None = ZERO  # every debt's, for reading
    interest_general: Decimal | None = ZERO
    interest_special: Decimal | None = ZERO
    budget_expenditure: Decimal | None = None
    fund_expenditure: Decimal | None = None
    interest_burden: Decimal | None = None  # general: over general budget expenditure
    interest_burden_special: Decimal | None = None  # special: over government-fund expenditure
    interest_trigger: bool = False
    weighted_rate: Decimal | None = None
    average_years_to_maturity: Decimal | None = None
    due_within_year: Decimal | None = ZERO
    share_within_year: Decimal | None = None
    share_fixed: Decimal | None = None
    gdp: Decimal | None = None
    debt_to_gdp: Decimal | None = None  # statutory debt ÷ GDP, %
    general_limit: Decimal | None = None
    special_limit: Decimal | None = None
    limit_use_general: Decimal | None = None  # general bonds ÷ general limit, %
    limit_use_special: Decimal | None = None
    limit_use_total: Decimal | None = None  # statutory debt ÷ both limits, %
    over_limit: bool = False  # a balance above its limit: allowed, flagged
    debts: int = 0
    debt_source: str = "register"  # or "reported": the place's published balances
    balance_date: dt.date | None = None  # the year end of the reported balances
    thresholds: Thresholds = MOF
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FiscalFacts:
    """The denominators of one year; ``None`` where a figure is missing."""

    year: int | None = None
    capacity: Decimal | None = None
    budget_expenditure: Decimal | None = None
    fund_expenditure: Decimal | None = None
    gdp: Decimal | None = None
    general_limit: Decimal | None = None
    special_limit: Decimal | None = None


def _pct(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    return (
        None
        if part is None or not whole
        else (Decimal(100) * part / whole).quantize(Q4, ROUND_HALF_UP)
    )


def debt_ratio_tier(ratio: Decimal | None, t: Thresholds = MOF) -> str | None:
    """green below yellow's start, then yellow, orange, and red from red's start."""
    if ratio is None:
        return None
    if ratio < t.debt_yellow:
        return "green"
    return "yellow" if ratio < t.debt_orange else "orange" if ratio < t.debt_red else "red"


def overdue_tier(ratio: Decimal | None, t: Thresholds = MOF) -> str | None:
    """none, initial from its start, medium from its start, severe above severe's bound."""
    if ratio is None:
        return None
    if ratio < t.overdue_initial:
        return "none"
    return (
        "initial"
        if ratio < t.overdue_medium
        else "medium"
        if ratio <= t.overdue_severe
        else ("severe")
    )


def _remaining_rows(f: DebtFacts):
    """Each schedule row with what is still to be paid of it: the repaid principal pays the
    rows in order of due date."""
    repaid = f.principal - f.outstanding
    cumulative = ZERO
    for due, principal, interest in sorted(f.schedule):
        cumulative += principal
        yield due, principal, interest, min(principal, max(ZERO, cumulative - repaid))


def _bullet_interest(f: DebtFacts, as_of: dt.date) -> Decimal:
    """No schedule: simple interest on what is outstanding, for the part of the next year the
    debt lives (a debt due in 30 days owes 30 days' interest in the period, not a year's)."""
    days = min((f.maturity_date - as_of).days, 365)
    if days <= 0:
        return ZERO
    return (f.outstanding * f.rate * days / 365).quantize(Decimal(1), ROUND_HALF_UP) * FEN


@dataclass
class Sums:
    """What the indicators add up over the debts; the ratios are taken from these."""

    debts: int = 0
    outstanding: Decimal = ZERO
    general_debt: Decimal = ZERO
    special_debt: Decimal = ZERO
    government_debt: Decimal = ZERO
    broad_debt: Decimal = ZERO
    overdue: Decimal = ZERO
    interest_next_year: Decimal = ZERO
    interest_general: Decimal = ZERO
    interest_special: Decimal = ZERO
    rate_weighted: Decimal = ZERO  # Σ outstanding × rate
    ahead: Decimal = ZERO  # Σ principal still to be paid after the date
    ahead_days: Decimal = ZERO  # Σ that principal × days until it is due
    within_year: Decimal = ZERO  # principal to be paid in the next 12 months
    fixed: Decimal = ZERO

    def minus(self, other: Sums) -> Sums:
        """These sums without ``other``'s debts (a part of them)."""
        return Sums(*(getattr(self, f) - getattr(other, f) for f in self.__dataclass_fields__))


def compute(
    debts: Iterable[DebtFacts],
    *,
    as_of: dt.date,
    fiscal: FiscalFacts = FiscalFacts(),
    thresholds: Thresholds = MOF,
) -> Indicators:
    """The definition, one debt at a time."""
    return _finish(as_of, add_up(debts, as_of), fiscal, thresholds)


def add_up(debts: Iterable[DebtFacts], as_of: dt.date) -> Sums:
    """What the indicators add up over ``debts`` on ``as_of``: a sum over the debts, so the
    sums of two sets of debts are their sum (``Sums.minus`` takes a part out)."""
    year_end = as_of + dt.timedelta(days=365)
    s = Sums()
    for f in debts:
        s.debts += 1
        s.outstanding += f.outstanding
        klass = f.klass
        if klass in STATUTORY_CLASSES:
            s.government_debt += f.outstanding
            if f.debt_type == "general_bond":
                s.general_debt += f.outstanding
            elif f.debt_type == "special_bond":
                s.special_debt += f.outstanding
        if klass in BROAD_CLASSES:
            s.broad_debt += f.outstanding
        s.rate_weighted += f.outstanding * f.rate
        if f.rate_type == "fixed":
            s.fixed += f.outstanding
        if f.schedule:
            interest = ZERO
            for due, _principal, row_interest, left in _remaining_rows(f):
                if due <= as_of:
                    s.overdue += left
                    continue
                s.ahead += left
                s.ahead_days += left * (due - as_of).days
                if due <= year_end:
                    s.within_year += left
                    interest += row_interest
        else:
            interest = _bullet_interest(f, as_of)
            if f.maturity_date <= as_of:
                s.overdue += f.outstanding
            else:
                s.ahead += f.outstanding
                s.ahead_days += f.outstanding * (f.maturity_date - as_of).days
                if f.maturity_date <= year_end:
                    s.within_year += f.outstanding
        s.interest_next_year += interest
        if f.debt_type == "general_bond":
            s.interest_general += interest
        elif f.debt_type == "special_bond":
            s.interest_special += interest
    return s


def _finish(as_of: dt.date, s: Sums, fiscal: FiscalFacts, t: Thresholds) -> Indicators:
    """Ratios, tiers and averages from the sums: the one place both paths share."""
    out = Indicators(
        as_of=as_of,
        debts=s.debts,
        outstanding=s.outstanding,
        general_debt=s.general_debt,
        special_debt=s.special_debt,
        government_debt=s.government_debt,
        unsplit_debt=s.government_debt - s.general_debt - s.special_debt,
        broad_debt=s.broad_debt,
        fiscal_year=fiscal.year,
        capacity=fiscal.capacity,
        budget_expenditure=fiscal.budget_expenditure,
        fund_expenditure=fiscal.fund_expenditure,
        overdue=s.overdue,
        interest_next_year=s.interest_next_year,
        interest_general=s.interest_general,
        interest_special=s.interest_special,
        due_within_year=s.within_year,
        gdp=fiscal.gdp,
        general_limit=fiscal.general_limit,
        special_limit=fiscal.special_limit,
        thresholds=t,
    )
    _against_fiscal(out, fiscal, t)
    out.overdue_ratio = _pct(s.overdue, s.outstanding)
    out.overdue_tier = overdue_tier(out.overdue_ratio, t)
    out.interest_burden = _pct(s.interest_general, fiscal.budget_expenditure)
    out.interest_burden_special = _pct(s.interest_special, fiscal.fund_expenditure)
    if fiscal.year is not None and fiscal.fund_expenditure is None:
        out.notes.append(
            _("No government-fund expenditure for %(year)s: the special-debt interest burden "
              "is missing.") % {"year": fiscal.year}
        )  # fmt: skip
    out.interest_trigger = any(
        b is not None and b > t.interest_trigger
        for b in (out.interest_burden, out.interest_burden_special)
    )
    if s.outstanding:
        out.weighted_rate = (s.rate_weighted / s.outstanding).quantize(Q4, ROUND_HALF_UP)
        out.share_within_year = _pct(s.within_year, s.outstanding)
        out.share_fixed = _pct(s.fixed, s.outstanding)
    if s.ahead:
        # Days summed first and divided once: exact up to the one division.
        out.average_years_to_maturity = (s.ahead_days / (s.ahead * Decimal("365.25"))).quantize(
            Q4, ROUND_HALF_UP
        )
    return out


def _against_fiscal(out: Indicators, fiscal: FiscalFacts, t: Thresholds) -> None:
    """The ratios of the balances to the year's fiscal figures: capacity (and the tier), GDP,
    the limits; a missing balance or figure leaves its ratio missing."""
    if fiscal.year is None:
        out.notes.append(
            _("No fiscal figures for %(year)s: the ratios to capacity and expenditure are missing.")
            % {"year": out.as_of.year}
        )
    elif fiscal.year != out.as_of.year:
        out.notes.append(
            _("%(year)s has no fiscal figures; those of %(used)s are used, as this "
              "jurisdiction's risk settings allow.") % {"year": out.as_of.year, "used": fiscal.year}
        )  # fmt: skip
    out.debt_ratio = _pct(out.government_debt, fiscal.capacity)
    out.debt_ratio_tier = debt_ratio_tier(out.debt_ratio, t)
    out.broad_debt_ratio = _pct(out.broad_debt, fiscal.capacity)
    out.debt_to_gdp = _pct(out.government_debt, fiscal.gdp)
    out.limit_use_general = _pct(out.general_debt, fiscal.general_limit)
    out.limit_use_special = _pct(out.special_debt, fiscal.special_limit)
    if fiscal.general_limit is not None and fiscal.special_limit is not None:
        out.limit_use_total = _pct(out.government_debt, fiscal.general_limit + fiscal.special_limit)
    limits = ((_("General"), out.general_debt, fiscal.general_limit),
              (_("Special"), out.special_debt, fiscal.special_limit))  # fmt: skip
    for kind, balance, limit in limits:
        if limit is not None and balance is not None and balance > limit:
            out.over_limit = True
            out.notes.append(
                _("%(kind)s debt of %(balance)s is above its limit of %(limit)s.")
                % {"kind": kind, "balance": f"{balance:,}", "limit": f"{limit:,}"}
            )
    if out.unsplit_debt and (fiscal.general_limit is not None or fiscal.special_limit is not None):
        out.notes.append(
            _("%(amount)s of government debt is neither general nor special (not known): the "
              "general and special limit figures leave it out.")
            % {"amount": f"{out.unsplit_debt:,}"}
        )  # fmt: skip


def reported(
    as_of: dt.date,
    on: dt.date,
    general: Decimal | None,
    special: Decimal | None,
    fiscal: FiscalFacts = FiscalFacts(),
    thresholds: Thresholds = MOF,
) -> Indicators:
    """The indicators of a place without a debt register, from the balances it published for
    the year end ``on`` (the latest on or before ``as_of``): the statutory ratio, debt/GDP and
    the limits' use. Implicit debt, arrears, schedules and rates are not in a published panel,
    so every figure that needs them is missing (None), never zero; a balance not published
    leaves what needs it missing."""
    government = None if general is None or special is None else general + special
    out = Indicators(
        as_of=as_of, outstanding=government, general_debt=general, special_debt=special,
        government_debt=government, broad_debt=None, overdue=None, interest_next_year=None,
        interest_general=None, interest_special=None, due_within_year=None,
        fiscal_year=fiscal.year, capacity=fiscal.capacity,
        budget_expenditure=fiscal.budget_expenditure, fund_expenditure=fiscal.fund_expenditure,
        gdp=fiscal.gdp, general_limit=fiscal.general_limit, special_limit=fiscal.special_limit,
        thresholds=thresholds, debt_source="reported", balance_date=on,
    )  # fmt: skip
    out.notes.append(
        _("No debt register for this place: the balances are those it reported for "
          "%(date)s; the indicators that need each debt are missing.") % {"date": on.isoformat()}
    )  # fmt: skip
    for kind, balance in ((_("general"), general), (_("special"), special)):
        if balance is None:
            out.notes.append(
                _("No %(kind)s debt balance was reported for %(date)s: what needs it is "
                  "missing.") % {"kind": kind, "date": on.isoformat()}
            )  # fmt: skip
    _against_fiscal(out, fiscal, thresholds)
    return out


def indicators_for(user, jurisdiction, as_of: dt.date | None = None) -> Indicators:
    """The indicators of ``jurisdiction`` (and everything below it) as the user may see them,
    on ``as_of`` (today if not given); the database part is ``indicators_db``."""
    from panhuo.finance.debts.indicators_db import indicators_for as from_the_database

    return from_the_database(user, jurisdiction, as_of)
