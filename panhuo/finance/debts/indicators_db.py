"""The debt risk indicators as the database adds them up (``indicators.compute`` is the
definition; the tests hold the two equal).

On PostgreSQL the sums are one hand-written aggregate over the debts and their schedule rows
(the ORM's version of it cost more to build than to run at the size of a district: cProfile
showed expression resolution and compilation), exact on numeric. SQLite adds decimals as
floats, so there the facts are fetched and ``compute`` runs on them.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import connections
from django.db.models import Q
from django.utils import timezone

from panhuo.core.bounds import date_problem
from panhuo.core.errors import ValidationError
from panhuo.finance.debts import risk_rollups
from panhuo.finance.debts.indicators import (
    DebtFacts,
    FiscalFacts,
    Indicators,
    Sums,
    Thresholds,
    _finish,
    add_up,
    reported,
)
from panhuo.finance.debts.models import FiscalInputs, RiskSettings, ScheduleRow
from panhuo.finance.debts.repayments import outstanding_as_of
from panhuo.finance.debts.system import BROAD_CLASSES, STATUTORY_CLASSES


def debt_facts(qs, as_of: dt.date | None = None) -> list[DebtFacts]:
    """Facts of the debts in ``qs`` with their schedules, in two queries (three with
    ``as_of``: each outstanding amount is then the repayment ledger's on that date)."""
    debts = list(qs.values_list("pk", "debt_type", "principal", "outstanding", "rate",
                                "rate_type", "maturity_date", "liability_class"))  # fmt: skip
    if as_of is not None:
        on_date = outstanding_as_of(qs, as_of)
        debts = [(pk, t, p, on_date.get(pk, p), *rest) for pk, t, p, _o, *rest in debts]
    rows: dict[int, list] = {}
    for debt_id, d, p, i in ScheduleRow.objects.filter(debt__in=[d[0] for d in debts]).values_list(
        "debt_id", "due_date", "principal", "interest"
    ):
        rows.setdefault(debt_id, []).append((d, p, i))
    return [DebtFacts(t, p, o, r, rt, m, tuple(rows.get(pk, ())), c)
            for pk, t, p, o, r, rt, m, c in debts]  # fmt: skip


def settings_for(jurisdiction) -> RiskSettings | None:
    """The risk settings that hold for ``jurisdiction``: its own, or its nearest ancestor's."""
    ancestors = [int(pk) for pk in jurisdiction.path.strip("/").split("/") if pk]
    found = {s.jurisdiction_id: s for s in RiskSettings.objects.filter(jurisdiction__in=ancestors)}
    return next((found[pk] for pk in reversed(ancestors) if pk in found), None)


def fiscal_facts(jurisdiction, year: int, settings: RiskSettings | None) -> FiscalFacts:
    """The year's fiscal figures; an earlier year's only where the settings allow it (the
    indicators then say which year). A year without figures is missing, never zero."""
    inputs = FiscalInputs.objects.filter(jurisdiction=jurisdiction)
    if settings is not None and settings.use_earlier_fiscal_year:
        row = inputs.filter(year__lte=year).order_by("-year").first()
    else:
        row = inputs.filter(year=year).first()
    if row is None:
        return FiscalFacts()
    return FiscalFacts(
        year=row.year,
        capacity=row.comprehensive_fiscal_capacity,
        budget_expenditure=row.budget_expenditure,
        fund_expenditure=row.fund_expenditure,
        gdp=row.gdp,
        general_limit=row.general_debt_limit,
        special_limit=row.special_debt_limit,
    )


def reported_balances(jurisdiction, as_of: dt.date) -> tuple | None:
    """The general and special debt balances ``jurisdiction`` reported for the latest year end
    on or before ``as_of`` (31 December of its year, or of the year before), as (that date,
    general, special), each None where not reported; None if the place never reports any."""
    rows = FiscalInputs.objects.filter(jurisdiction=jurisdiction)
    if not rows.filter(
        Q(general_debt_balance__isnull=False) | Q(special_debt_balance__isnull=False)
    ).exists():
        return None
    year = as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1
    found = rows.filter(year=year).values_list("general_debt_balance", "special_debt_balance")
    return (dt.date(year, 12, 31), *(found.first() or (None, None)))


def indicators_for(
    user, jurisdiction, as_of: dt.date | None = None, *, few: int | None = None
) -> Indicators:
    """The indicators of ``jurisdiction`` (and everything below it) as the user may see them.
    ``as_of`` lies within the business dates of ``core.bounds`` (a year ahead of 9999-12-31
    does not exist). ``few``: below how many debts they are read from the debts rather than
    the roll-ups (``risk_rollups.FEW_DEBTS``; the tests ask for the roll-ups with 0)."""
    from panhuo.finance.models import Debt

    if as_of is not None and (problem := date_problem(as_of)):
        raise ValidationError({"as_of": [problem]})
    as_of = as_of or timezone.localdate()
    # As of a date: a debt issued after it did not exist yet (issue 15: a city read 318 % red
    # for 2021-12-31 by counting bonds issued in 2023). Voided debts (entered by mistake)
    # count nowhere.
    register = (
        Debt.objects.active()
        .visible_to(user)
        .filter(jurisdiction__path__startswith=jurisdiction.path)
    )
    qs = register.filter(issue_date__lte=as_of)
    settings = settings_for(jurisdiction)
    thresholds = settings.thresholds() if settings else Thresholds()
    fiscal = fiscal_facts(jurisdiction, as_of.year, settings)
    # Before today, each balance is the repayment ledger's on the date (repayments after it
    # ignored); from today on it is the stored balance, which the ledger's services keep equal
    # to principal less every entry (``repayments.ledger_mismatches`` finds none).
    past = as_of < timezone.localdate()
    if past:
        found = _finish(as_of, debt_sums(qs, as_of, ledger=True), fiscal, thresholds)
    else:
        # From today on: the roll-ups the services keep (``risk_rollups``), less the debts
        # issued after the date (few: none on the day itself unless issued ahead).
        found_sums = risk_rollups.sums(user, jurisdiction, as_of, few=few)
        if found_sums is None:  # a few debts: read them
            found_sums = debt_sums(qs, as_of)
        else:
            later = register.filter(issue_date__gt=as_of)
            if later.exists():
                found_sums = found_sums.minus(debt_sums(later, as_of))
        found = _finish(as_of, found_sums, fiscal, thresholds)
    # A place without a debt register (none on the date, none later) that publishes its
    # balances: those, marked as such. Asked only when no debt counted, so a place with a
    # register pays no query for it.
    balances = None
    if found.debts == 0 and not register.exists():
        balances = reported_balances(jurisdiction, as_of)
    if balances:
        return reported(as_of, *balances, fiscal=fiscal, thresholds=thresholds)
    return found


def debt_sums(qs, as_of: dt.date, *, ledger: bool = False) -> Sums:
    """``compute``'s sums over the debts of ``qs`` read from the debts themselves: one
    statement on PostgreSQL, ``add_up`` over the fetched facts on SQLite. ``ledger``: each
    balance as the repayment ledger had it at the end of ``as_of``."""
    if exact_aggregates(qs.db):
        return debt_sums_sql(qs, as_of, ledger=ledger)
    return add_up(debt_facts(qs, as_of if ledger else None), as_of)


def exact_aggregates(alias: str) -> bool:
    """Whether the database adds decimals exactly (PostgreSQL's numeric; not SQLite's floats)."""
    return connections[alias].vendor == "postgresql"


#: ``compute``'s sums in one statement. ``r`` numbers each schedule row's cumulative principal
#: and what is left of it once the debt's repaid principal has paid the rows in order of due
#: date; ``s`` groups them per debt; the outer query follows the definition's cases per debt
#: (rows, or a bullet at maturity) and sums over the debts. Every operation is exact on
#: numeric but the bullet interest's one division, rounded half-up to the fen as ``compute``.
SUMS_SQL = """
WITH rp AS (
  SELECT debt_id, sum(CASE WHEN reverses_id IS NULL THEN amount ELSE -amount END) AS net
  FROM finance_repayment
  WHERE %(ledger)s AND repaid_on <= %(as_of)s AND debt_id IN ({debts})
  GROUP BY debt_id
), dd AS (
  SELECT d.id, d.debt_type, d.liability_class, d.principal, d.rate, d.rate_type,
    d.maturity_date,
    CASE WHEN %(ledger)s THEN d.principal - coalesce(rp.net, 0) ELSE d.outstanding END
      AS outstanding
  FROM finance_debt d LEFT JOIN rp ON rp.debt_id = d.id
  WHERE d.id IN ({debts})
), r AS (
  SELECT r.debt_id, r.due_date, r.interest,
    least(r.principal, greatest(0, sum(r.principal) OVER (
      PARTITION BY r.debt_id ORDER BY r.due_date, r.id) - (d.principal - d.outstanding))) AS left_
  FROM finance_schedulerow r JOIN dd d ON d.id = r.debt_id
), s AS (
  SELECT d.id, d.debt_type, d.liability_class, d.principal, d.outstanding, d.rate,
    d.rate_type, d.maturity_date, count(r.debt_id) AS n,
    coalesce(sum(r.left_) FILTER (WHERE r.due_date <= %(as_of)s), 0) AS overdue,
    coalesce(sum(r.left_) FILTER (WHERE r.due_date > %(as_of)s), 0) AS ahead,
    coalesce(sum(r.left_ * (r.due_date - %(as_of)s::date))
             FILTER (WHERE r.due_date > %(as_of)s), 0) AS ahead_days,
    coalesce(sum(r.left_) FILTER (WHERE r.due_date > %(as_of)s
                                  AND r.due_date <= %(year_end)s), 0) AS within,
    coalesce(sum(r.interest) FILTER (WHERE r.due_date > %(as_of)s
                                     AND r.due_date <= %(year_end)s), 0) AS interest
  FROM dd d LEFT JOIN r ON r.debt_id = d.id
  GROUP BY d.id, d.debt_type, d.liability_class, d.principal, d.outstanding, d.rate,
    d.rate_type, d.maturity_date
), t AS (
  SELECT *,
    CASE WHEN n > 0 THEN interest WHEN maturity_date <= %(as_of)s THEN 0
         ELSE round(outstanding * rate * least(maturity_date - %(as_of)s::date, 365) / 365, 0)
              * 0.01 END AS due_interest,
    n = 0 AND maturity_date <= %(as_of)s AS matured,
    n = 0 AND maturity_date > %(as_of)s AS bullet_ahead
  FROM s
)
SELECT count(*),
  coalesce(sum(outstanding), 0),
  coalesce(sum(outstanding) FILTER (WHERE debt_type = 'general_bond'
                                    AND liability_class = ANY(%(statutory)s)), 0),
  coalesce(sum(outstanding) FILTER (WHERE debt_type = 'special_bond'
                                    AND liability_class = ANY(%(statutory)s)), 0),
  coalesce(sum(outstanding) FILTER (WHERE liability_class = ANY(%(statutory)s)), 0),
  coalesce(sum(outstanding) FILTER (WHERE liability_class = ANY(%(broad)s)), 0),
  coalesce(sum(CASE WHEN n > 0 THEN overdue WHEN matured THEN outstanding ELSE 0 END), 0),
  coalesce(sum(due_interest), 0),
  coalesce(sum(due_interest) FILTER (WHERE debt_type = 'general_bond'), 0),
  coalesce(sum(due_interest) FILTER (WHERE debt_type = 'special_bond'), 0),
  coalesce(sum(outstanding * rate), 0),
  coalesce(sum(CASE WHEN n > 0 THEN ahead WHEN bullet_ahead THEN outstanding ELSE 0 END), 0),
  coalesce(sum(CASE WHEN n > 0 THEN ahead_days
                    WHEN bullet_ahead THEN outstanding * (maturity_date - %(as_of)s::date)
                    ELSE 0 END), 0),
  coalesce(sum(CASE WHEN n > 0 THEN within
                    WHEN bullet_ahead AND maturity_date <= %(year_end)s THEN outstanding
                    ELSE 0 END), 0),
  coalesce(sum(outstanding) FILTER (WHERE rate_type = 'fixed'), 0)
FROM t
"""


def debt_sums_sql(qs, as_of: dt.date, *, ledger: bool = False) -> Sums:
    """The sums of the debts in ``qs`` in one statement; the ORM says which debts (the
    caller's scope, as everywhere). ``ledger``: balances from the repayment ledger as of the
    date instead of the stored ones."""
    # Without the model's ordering: an ORDER BY in the ``IN (…)`` keeps PostgreSQL from
    # flattening it into a join, and the ledger was then read whole (a parallel scan of every
    # repayment) instead of through its debt index (EXPLAIN ANALYZE, bench/province.py).
    debts_sql, debts_params = qs.order_by().values("pk").query.sql_with_params()
    params: dict = {"as_of": as_of, "year_end": as_of + dt.timedelta(days=365), "ledger": ledger,
                    "statutory": sorted(STATUTORY_CLASSES),
                    "broad": sorted(BROAD_CLASSES)}  # fmt: skip
    sql = SUMS_SQL.format(debts=_named(debts_sql, debts_params, "d", params))
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return Sums(*row)


def _named(sql: str, values, prefix: str, params: dict) -> str:
    """``sql``'s positional ``%s`` placeholders as named ones (``%%`` stays a literal %)."""
    numbered = iter(range(len(values)))

    def name(match) -> str:
        if match.group(1) == "%":
            return "%%"
        i = next(numbered)
        params[f"{prefix}{i}"] = values[i]
        return f"%({prefix}{i})s"

    return re.sub(r"%(%|s)", name, sql)
