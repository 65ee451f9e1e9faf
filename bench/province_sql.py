"""The hand-written SQL baselines of bench/province.py, and the figures each side is compared on.

Written as someone would who knows the schema and the definitions (DESIGN.md §2, debt risk;
``panhuo.finance.debts.indicators``), without the ORM: one statement for all the risk indicators,
three for the dashboard's figures. Scope is the jurisdiction path prefix the user's grant
covers (the district office's district, the province for the supervisor).
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

INDICATOR_KEYS = (
    "debts", "outstanding", "government_debt", "capacity", "debt_ratio", "debt_ratio_tier",
    "overdue", "overdue_ratio", "overdue_tier", "interest_next_year", "interest_general",
    "budget_expenditure", "interest_burden", "interest_trigger", "weighted_rate",
    "average_years_to_maturity", "due_within_year", "share_within_year", "share_fixed",
)  # fmt: skip

# The definitions of the README's "Debt risk indicators": a debt's repaid principal pays its
# schedule rows in order of due date; a debt without rows is one payment at maturity.
_INDICATORS = """
WITH d AS (
  -- as of the date: issued by then, not voided, balance = principal less the ledger by then
  SELECT d.id, d.debt_type, d.liability_class, d.principal, d.rate, d.rate_type, d.maturity_date,
    d.principal - coalesce((
      SELECT sum(CASE WHEN p.reverses_id IS NULL THEN p.amount ELSE -p.amount END)
      FROM finance_repayment p WHERE p.debt_id = d.id AND p.repaid_on <= %(as_of)s), 0)
      AS outstanding
  FROM finance_debt d JOIN organisation_jurisdiction j ON j.id = d.jurisdiction_id
  WHERE j.path LIKE %(path)s AND d.voided_at IS NULL AND d.issue_date <= %(as_of)s
), rows AS (
  -- what is still to be paid of each row
  SELECT r.debt_id, r.due_date, r.interest,
    least(r.principal, greatest(0, sum(r.principal) OVER (PARTITION BY r.debt_id
                                                          ORDER BY r.due_date)
                                   - (d.principal - d.outstanding))) AS left_
  FROM finance_schedulerow r JOIN d ON d.id = r.debt_id
), s AS (
  SELECT debt_id,
    sum(left_) FILTER (WHERE due_date <= %(as_of)s) AS overdue,
    sum(left_) FILTER (WHERE due_date > %(as_of)s) AS ahead,
    sum(left_ * (due_date - %(as_of)s::date)) FILTER (WHERE due_date > %(as_of)s) AS ahead_days,
    sum(left_) FILTER (WHERE due_date > %(as_of)s AND due_date <= %(year_end)s) AS within,
    sum(interest) FILTER (WHERE due_date > %(as_of)s AND due_date <= %(year_end)s) AS interest
  FROM rows GROUP BY debt_id
), per AS (
  SELECT d.*,
    CASE WHEN s.debt_id IS NOT NULL THEN coalesce(s.overdue, 0)
         WHEN d.maturity_date <= %(as_of)s THEN d.outstanding ELSE 0 END AS overdue,
    CASE WHEN s.debt_id IS NOT NULL THEN coalesce(s.ahead, 0)
         WHEN d.maturity_date > %(as_of)s THEN d.outstanding ELSE 0 END AS ahead,
    CASE WHEN s.debt_id IS NOT NULL THEN coalesce(s.ahead_days, 0)
         WHEN d.maturity_date > %(as_of)s
           THEN d.outstanding * (d.maturity_date - %(as_of)s::date) ELSE 0 END AS ahead_days,
    CASE WHEN s.debt_id IS NOT NULL THEN coalesce(s.within, 0)
         WHEN d.maturity_date > %(as_of)s AND d.maturity_date <= %(year_end)s
           THEN d.outstanding ELSE 0 END AS within,
    -- without a schedule, simple interest for the days it lives in the year, to the fen
    CASE WHEN s.debt_id IS NOT NULL THEN coalesce(s.interest, 0)
         WHEN d.maturity_date <= %(as_of)s THEN 0
         ELSE round(d.outstanding * d.rate * least(d.maturity_date - %(as_of)s::date, 365)
                    / 365, 0) * 0.01 END AS interest
  FROM d LEFT JOIN s ON s.debt_id = d.id
), a AS (
  SELECT count(*) AS debts,
    coalesce(sum(outstanding), 0) AS outstanding,
    coalesce(sum(outstanding) FILTER (
      WHERE liability_class = 'government'), 0) AS gov,
    coalesce(sum(overdue), 0) AS overdue,
    coalesce(sum(interest), 0) AS interest,
    coalesce(sum(interest) FILTER (WHERE debt_type = 'general_bond'), 0) AS interest_general,
    sum(outstanding * rate) AS rate_w,
    sum(ahead) AS ahead, sum(ahead_days) AS ahead_days,
    coalesce(sum(within), 0) AS within,
    coalesce(sum(outstanding) FILTER (WHERE rate_type = 'fixed'), 0) AS fixed
  FROM per
), f AS (
  SELECT comprehensive_fiscal_capacity AS cap, budget_expenditure AS be
  FROM finance_fiscalinputs WHERE jurisdiction_id = %(jurisdiction)s AND year = %(year)s
), r AS (
  SELECT a.*, f.cap, f.be,
    round(100 * gov / f.cap, 4) AS debt_ratio,
    round(100 * overdue / nullif(outstanding, 0), 4) AS overdue_ratio,
    round(100 * interest_general / f.be, 4) AS burden
  FROM a LEFT JOIN f ON true
)
SELECT debts, outstanding, gov, cap, debt_ratio,
  CASE WHEN debt_ratio < 120 THEN 'green' WHEN debt_ratio < 200 THEN 'yellow'
       WHEN debt_ratio < 300 THEN 'orange' WHEN debt_ratio IS NOT NULL THEN 'red' END,
  overdue, overdue_ratio,
  CASE WHEN overdue_ratio < 10 THEN 'none' WHEN overdue_ratio < 20 THEN 'initial'
       WHEN overdue_ratio <= 50 THEN 'medium' WHEN overdue_ratio IS NOT NULL THEN 'severe' END,
  interest, interest_general, be, burden, coalesce(burden > 10, false),
  round(rate_w / nullif(outstanding, 0), 4),
  round(ahead_days / (365.25 * nullif(ahead, 0)), 4),
  within,
  round(100 * within / nullif(outstanding, 0), 4),
  round(100 * fixed / nullif(outstanding, 0), 4)
FROM r
"""


def indicators_sql() -> str:
    return _INDICATORS


def indicator_figures(ind) -> dict:
    """Panhuo's ``Indicators`` as the SQL returns them (everything but the date and notes)."""
    d = asdict(ind)
    return {k: d[k] for k in INDICATOR_KEYS}


_ASSETS = """
SELECT a.status, a.kind, count(*), sum(a.book_value)
FROM register_asset a
  JOIN organisation_unit u ON u.id = a.unit_id
  JOIN organisation_jurisdiction j ON j.id = u.jurisdiction_id
WHERE j.path LIKE %(path)s
GROUP BY a.status, a.kind
"""
_PROJECTS = """
SELECT p.status, count(*)
FROM disposal_disposalproject p
  JOIN disposal_package k ON k.id = p.package_id
  JOIN organisation_jurisdiction j ON j.id = k.jurisdiction_id
WHERE j.path LIKE %(path)s
GROUP BY p.status
"""
_MONEY = """
SELECT r.received, r.allocated, d.principal, d.outstanding, a.repaid
FROM
  (SELECT coalesce(sum(r.amount), 0) AS received, coalesce(sum(r.allocated), 0) AS allocated
   FROM finance_receipt r
     JOIN disposal_disposalproject p ON p.id = r.project_id
     JOIN disposal_package k ON k.id = p.package_id
     JOIN organisation_jurisdiction j ON j.id = k.jurisdiction_id
   WHERE j.path LIKE %(path)s) r,
  (SELECT coalesce(sum(d.principal), 0) AS principal,
          coalesce(sum(d.outstanding), 0) AS outstanding
   FROM finance_debt d JOIN organisation_jurisdiction j ON j.id = d.jurisdiction_id
   WHERE j.path LIKE %(path)s) d,
  (SELECT coalesce(sum(CASE WHEN a.reverses_id IS NULL THEN a.amount ELSE -a.amount END), 0)
            AS repaid
   FROM finance_allocation a JOIN finance_debt d ON d.id = a.debt_id
     JOIN organisation_jurisdiction j ON j.id = d.jurisdiction_id
   WHERE j.path LIKE %(path)s) a
"""
MONEY_KEYS = ("received", "allocated", "debt_principal", "debt_outstanding", "repaid")


def dashboard_sql(conn, path: str) -> dict:
    """The dashboard's figures for the jurisdictions under ``path`` (a LIKE prefix)."""
    # One pass grouped by both, folded into the two series (faster here than GROUPING SETS).
    by_status: dict = {}
    by_kind: dict = {}
    for status, kind, n, value in conn.execute(_ASSETS, {"path": path}):
        for key, series in ((status, by_status), (kind, by_kind)):
            m, v = series.get(key, (0, 0))
            series[key] = (m + n, v + value)
    projects = dict(conn.execute(_PROJECTS, {"path": path}).fetchall())
    money = dict(zip(MONEY_KEYS, conn.execute(_MONEY, {"path": path}).fetchone(), strict=True))
    return {
        "assets_total": sum(n for n, _v in by_status.values()),
        "assets_by_status": by_status,
        "assets_by_kind": by_kind,
        "projects": projects,
        "money": money,
    }


def dashboard_figures(user) -> dict:
    """The same figures from the selectors the dashboard view calls."""
    from panhuo.disposal.selectors import project_counts_by_status
    from panhuo.finance.selectors import money_summary
    from panhuo.register.selectors import asset_summary

    a = asset_summary(user)
    m = money_summary(user)
    return {
        "assets_total": a["total"],
        "assets_by_status": {r["status"]: (r["n"], r["value"]) for r in a["by_status"]},
        "assets_by_kind": {r["kind"]: (r["n"], r["value"]) for r in a["by_kind"]},
        "projects": {r["status"]: r["n"] for r in project_counts_by_status(user)},
        "money": {k: m[k] or Decimal("0.00") for k in MONEY_KEYS},
    }
