"""Scorecards of every unit of a plan, and the monthly report, against hand-written SQL computing
the same figures in the same run (issue 18's benchmark).

Run:  DATABASE_URL=postgres://... PANHUO_ENV=demo python bench/scorecards.py [--repeat 7]
      [--on YYYY-MM-DD]

It reads a database already seeded (the full demo, ``panhuo demo --no-serve`` with the same
``DATABASE_URL``; PostgreSQL only: the SQL uses ``DISTINCT ON``) and measures, in-process:

  * ``scorecards.compute.compute_cards`` for the approved plan's year (every unit of its
    jurisdiction, all five parts, the drill-down links) against one hand-written statement per
    part computing each unit's figures of completion (target, activated, score), price
    (sales, deal and appraised totals), compliance (open and confirmed flags and findings,
    points deducted) and register quality (assets, incomplete, stale valuation, stale idle
    date); the figures are asserted equal before timing. Timeliness is not in the SQL: its
    working days come from the holiday calendar (a library, not a table);
  * the monthly report's content (``reports.services.compute``) and its PDF
    (``reports.pdf.render_pdf``) against the SQL of its money figures (money raised in the
    year and the month; debt resolved, net of reversals; the forecast to year end of the money
    raised: the year's plus the pipeline, ``PIPELINE``).

Prints median and p95 in ms, peak Python memory (tracemalloc) and the ratio to the SQL. The
figures are recorded by hand in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panhuo.settings")

from bench.timing import timed  # noqa: E402

#: Each project's first day concluded (or in force) in the place: the day its outcome counts.
FIRST_CONCLUDED = """
WITH first AS (
  SELECT DISTINCT ON (e.project_id) e.project_id, (e.at AT TIME ZONE %(tz)s)::date AS d
  FROM disposal_projectevent e
  JOIN disposal_disposalproject p ON p.id = e.project_id
  JOIN disposal_package k ON k.id = p.package_id
  JOIN organisation_jurisdiction j ON j.id = k.jurisdiction_id
  WHERE j.path LIKE %(path)s AND e.from_status IN ('approved', 'listed')
    AND e.to_status IN ('concluded', 'in_force')
  ORDER BY e.project_id, e.at, e.id
)"""

COMPLETION = (
    FIRST_CONCLUDED
    + """, actual AS (
  SELECT a.unit_id, p.channel, COUNT(*) AS n
  FROM (SELECT DISTINCT f.project_id, i.asset_id FROM first f
        JOIN disposal_disposalproject p ON p.id = f.project_id
        JOIN disposal_packageitem i ON i.package_id = p.package_id
        WHERE f.d BETWEEN %(start)s AND %(end)s) pa
  JOIN disposal_disposalproject p ON p.id = pa.project_id
  JOIN register_asset a ON a.id = pa.asset_id
  GROUP BY a.unit_id, p.channel
), target AS (
  SELECT unit_id, channel, SUM(amount) AS t FROM planning_plantarget
  WHERE plan_id = %(plan)s AND measure = 'assets' AND unit_id IS NOT NULL
  GROUP BY unit_id, channel
)
SELECT COALESCE(t.unit_id, a.unit_id), COALESCE(SUM(t.t), 0), COALESCE(SUM(a.n), 0),
       COALESCE(SUM(LEAST(COALESCE(a.n, 0), COALESCE(t.t, 0))), 0)
FROM target t FULL JOIN actual a ON a.unit_id = t.unit_id AND a.channel = t.channel
GROUP BY 1
"""
)

PRICE = (
    FIRST_CONCLUDED
    + """, sale AS (
  SELECT p.id, p.package_id, p.deal_price FROM first f
  JOIN disposal_disposalproject p ON p.id = f.project_id
  WHERE f.d BETWEEN %(start)s AND %(end)s AND p.channel IN ('auction', 'exchange', 'negotiated')
    AND p.deal_price IS NOT NULL
), latest AS (
  SELECT DISTINCT ON (asset_id) asset_id, value FROM pricing_valuation
  WHERE kind = 'appraisal' AND base_date <= %(on)s ORDER BY asset_id, base_date DESC, id DESC
), appraised AS (
  SELECT i.package_id, SUM(COALESCE(l.value, a.appraised_value, 0)) AS v
  FROM disposal_packageitem i JOIN register_asset a ON a.id = i.asset_id
  LEFT JOIN latest l ON l.asset_id = i.asset_id
  WHERE i.package_id IN (SELECT package_id FROM sale) GROUP BY i.package_id
), units AS (
  SELECT DISTINCT i.package_id, a.unit_id FROM disposal_packageitem i
  JOIN register_asset a ON a.id = i.asset_id WHERE i.package_id IN (SELECT package_id FROM sale)
)
SELECT u.unit_id, COUNT(*), SUM(s.deal_price), SUM(COALESCE(ap.v, 0))
FROM sale s JOIN units u ON u.package_id = s.package_id
LEFT JOIN appraised ap ON ap.package_id = s.package_id
GROUP BY u.unit_id
"""
)

COMPLIANCE = """
WITH f AS (
  SELECT fl.unit_id, fl.severity, fl.resolved_at IS NOT NULL AND fl.resolved_at < %(end_at)s AS c
  FROM flags_flag fl JOIN organisation_unit u ON u.id = fl.unit_id
  JOIN organisation_jurisdiction j ON j.id = u.jurisdiction_id
  WHERE j.path LIKE %(path)s AND fl.first_seen < %(end_at)s
    AND NOT (fl.cleared_at IS NOT NULL AND fl.cleared_at < %(end_at)s)
    AND NOT (fl.resolved_at IS NOT NULL AND fl.resolved_at < %(end_at)s
             AND fl.resolution = 'justified')
), g AS (
  SELECT fi.unit_id, fi.severity, fi.resolved_at IS NOT NULL AND fi.resolved_at < %(end_at)s AS c
  FROM findings_finding fi JOIN organisation_unit u ON u.id = fi.unit_id
  JOIN organisation_jurisdiction j ON j.id = u.jurisdiction_id
  WHERE j.path LIKE %(path)s AND fi.raised_at < %(end_at)s
    AND NOT (fi.resolved_at IS NOT NULL AND fi.resolved_at < %(end_at)s
             AND fi.status = 'justified')
), both_ AS (
  SELECT unit_id, severity, c, 1 AS flag FROM f UNION ALL SELECT unit_id, severity, c, 0 FROM g
)
SELECT unit_id,
  COUNT(*) FILTER (WHERE flag = 1 AND NOT c), COUNT(*) FILTER (WHERE flag = 1 AND c),
  COUNT(*) FILTER (WHERE flag = 0 AND NOT c), COUNT(*) FILTER (WHERE flag = 0 AND c),
  SUM(CASE severity WHEN 'high' THEN 20 WHEN 'medium' THEN 10 WHEN 'low' THEN 5 ELSE 10 END)
FROM both_ GROUP BY unit_id
"""

QUALITY = """
WITH a AS (
  SELECT a.* FROM register_asset a JOIN organisation_unit u ON u.id = a.unit_id
  JOIN organisation_jurisdiction j ON j.id = u.jurisdiction_id
  WHERE j.path LIKE %(path)s AND a.created_at < %(end_at)s
    AND a.status NOT IN ('disposed', 'written_off')
), v AS (
  SELECT asset_id, MAX(base_date) AS d FROM pricing_valuation
  WHERE base_date <= %(on)s AND created_at < %(end_at)s AND asset_id IN (SELECT id FROM a)
  GROUP BY asset_id
)
SELECT a.unit_id, COUNT(*),
  COUNT(*) FILTER (WHERE a.address IS NULL OR a.address = '' OR a.acquired_on IS NULL
                   OR a.classification_id IS NULL OR a.appraised_value IS NULL
                   OR (a.kind IN ('land', 'building') AND a.area IS NULL)),
  COUNT(*) FILTER (WHERE v.d IS NULL OR v.d < %(since)s),
  COUNT(*) FILTER (WHERE a.status IN ('idle', 'under_used') AND (a.idle_since IS NULL
                   OR (a.updated_at AT TIME ZONE %(tz)s)::date < %(since)s))
FROM a LEFT JOIN v ON v.asset_id = a.id GROUP BY a.unit_id
"""

#: Register quality for a past day: the assets as their audit entries written by the end of the
#: day leave them (each field's last value, foreign keys named without ``_id``; deleted ones
#: left out; touched when the last entry was written), not the rows as they are now. The
#: entries are those of the place's path, as ``scorecards.history`` reads them.
QUALITY_PAST = """
WITH e AS (
  SELECT object_id, seq, created_at, before, after FROM integrity_auditentry
  WHERE object_type = 'register.asset' AND jurisdiction_path LIKE %(path)s
    AND created_at < %(end_at)s
), last AS (
  SELECT DISTINCT ON (object_id) object_id, created_at AS touched,
    jsonb_typeof(after) = 'object' OR before IS NULL AS alive
  FROM e ORDER BY object_id, seq DESC
), f AS (
  SELECT object_id,
    (array_agg(after->>'unit' ORDER BY seq DESC) FILTER (WHERE after ? 'unit'))[1] AS unit,
    (array_agg(after->>'kind' ORDER BY seq DESC) FILTER (WHERE after ? 'kind'))[1] AS kind,
    (array_agg(after->>'status' ORDER BY seq DESC) FILTER (WHERE after ? 'status'))[1] AS status,
    (array_agg(after->>'idle_since' ORDER BY seq DESC)
       FILTER (WHERE after ? 'idle_since'))[1] AS idle_since,
    (array_agg(after->>'area' ORDER BY seq DESC) FILTER (WHERE after ? 'area'))[1] AS area,
    (array_agg(after->>'address' ORDER BY seq DESC) FILTER (WHERE after ? 'address'))[1] AS address,
    (array_agg(after->>'acquired_on' ORDER BY seq DESC)
       FILTER (WHERE after ? 'acquired_on'))[1] AS acquired_on,
    (array_agg(after->>'classification' ORDER BY seq DESC)
       FILTER (WHERE after ? 'classification'))[1] AS classification,
    (array_agg(after->>'appraised_value' ORDER BY seq DESC)
       FILTER (WHERE after ? 'appraised_value'))[1] AS appraised_value
  FROM e WHERE jsonb_typeof(after) = 'object' GROUP BY object_id
), a AS (
  SELECT f.*, l.touched FROM f JOIN last l USING (object_id)
  WHERE l.alive AND f.status NOT IN ('disposed', 'written_off')
), v AS (
  SELECT asset_id::text AS object_id, MAX(base_date) AS d FROM pricing_valuation
  WHERE base_date <= %(on)s AND created_at < %(end_at)s GROUP BY asset_id
)
SELECT a.unit::int, COUNT(*),
  COUNT(*) FILTER (WHERE a.address IS NULL OR a.address = '' OR a.acquired_on IS NULL
                   OR a.classification IS NULL OR a.appraised_value IS NULL
                   OR (a.kind IN ('land', 'building') AND a.area IS NULL)),
  COUNT(*) FILTER (WHERE v.d IS NULL OR v.d < %(since)s),
  COUNT(*) FILTER (WHERE a.status IN ('idle', 'under_used') AND (a.idle_since IS NULL
                   OR (a.touched AT TIME ZONE %(tz)s)::date < %(since)s))
FROM a LEFT JOIN v ON v.object_id = a.object_id GROUP BY a.unit
"""

MONEY = """
SELECT
  (SELECT COALESCE(SUM(r.amount), 0) FROM finance_receipt r
   JOIN disposal_disposalproject p ON p.id = r.project_id
   JOIN disposal_package k ON k.id = p.package_id
   JOIN organisation_jurisdiction j ON j.id = k.jurisdiction_id
   WHERE j.path LIKE %(path)s AND r.received_on BETWEEN %(start)s AND %(end)s),
  (SELECT COALESCE(SUM(r.amount), 0) FROM finance_receipt r
   JOIN disposal_disposalproject p ON p.id = r.project_id
   JOIN disposal_package k ON k.id = p.package_id
   JOIN organisation_jurisdiction j ON j.id = k.jurisdiction_id
   WHERE j.path LIKE %(path)s AND r.received_on BETWEEN %(month)s AND %(end)s),
  (SELECT COALESCE(SUM(CASE WHEN al.reverses_id IS NULL THEN al.amount ELSE -al.amount END), 0)
   FROM finance_allocation al JOIN finance_debt d ON d.id = al.debt_id
   JOIN organisation_jurisdiction j ON j.id = d.jurisdiction_id
   WHERE j.path LIKE %(path)s AND al.allocated_on BETWEEN %(start)s AND %(end)s)
"""

#: The pipeline the monthly report's forecast adds to the money raised (planning.progress): the
#: reserves of the projects listed at the end of the day (their last event by then went to
#: listed) and what projects are still owed by the year's end (expected receipts recorded by
#: the day, not cancelled by then, due by then, less what each project received by the day;
#: never below zero).
PIPELINE = """
WITH listed AS (
  SELECT p.reserve_price FROM disposal_disposalproject p
  JOIN disposal_package k ON k.id = p.package_id
  JOIN organisation_jurisdiction j ON j.id = k.jurisdiction_id
  WHERE j.path LIKE %(path)s AND (
    SELECT e.to_status FROM disposal_projectevent e
    WHERE e.project_id = p.id AND e.at < %(end_at)s ORDER BY e.at DESC, e.id DESC LIMIT 1
  ) = 'listed'
), owed AS (
  SELECT x.project_id, SUM(x.amount) AS e FROM finance_expectedreceipt x
  JOIN disposal_disposalproject p ON p.id = x.project_id
  JOIN disposal_package k ON k.id = p.package_id
  JOIN organisation_jurisdiction j ON j.id = k.jurisdiction_id
  WHERE j.path LIKE %(path)s AND (NOT x.cancelled OR x.cancelled_at >= %(end_at)s)
    AND x.due_date <= %(year_end)s
    AND x.created_at < %(end_at)s
  GROUP BY x.project_id
), got AS (
  SELECT r.project_id, SUM(r.amount) AS g FROM finance_receipt r
  WHERE r.project_id IN (SELECT project_id FROM owed) AND r.received_on <= %(on)s
  GROUP BY r.project_id
)
SELECT (SELECT COALESCE(SUM(reserve_price), 0) FROM listed)
  + (SELECT COALESCE(SUM(GREATEST(o.e - COALESCE(g.g, 0), 0)), 0)
     FROM owed o LEFT JOIN got g ON g.project_id = o.project_id)
"""


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, round(0.95 * len(times)) - 1)]


def measure(plan, on, repeat: int) -> tuple[int, list[tuple]]:
    """Every unit's cards of ``plan`` and its monthly report as of ``on``, checked equal to the
    hand-written SQL, then timed against it: (units, rows of (step, times, peak, SQL times,
    SQL peak))."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from panhuo.pricing.rules import add_months
    from panhuo.reports.pdf import render_pdf
    from panhuo.reports.services import compute
    from panhuo.scorecards.compute import compute_cards
    from panhuo.scorecards.history import end_of

    assert connection.vendor == "postgresql", "the hand-written SQL is PostgreSQL's"
    place = plan.jurisdiction
    params = {
        "tz": settings.TIME_ZONE, "path": place.path + "%", "plan": plan.pk, "on": on,
        "start": dt.date(plan.year, 1, 1), "end": min(on, dt.date(plan.year, 12, 31)),
        "end_at": end_of(on), "since": add_months(on, -12), "month": on.replace(day=1),
        "year_end": dt.date(plan.year, 12, 31),
    }  # fmt: skip

    def sql(statement: str) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

    # Today the rows as they are; a past day what the assets' audit entries say of them then
    # (the rows now would count assets disposed since, and fields fixed since, as they are).
    quality = QUALITY if on >= timezone.localdate() else QUALITY_PAST

    def by_sql() -> dict:
        return {name: {r[0]: r[1:] for r in sql(s)} for name, s in
                (("completion", COMPLETION), ("price", PRICE), ("compliance", COMPLIANCE),
                 ("quality", quality))}  # fmt: skip

    def figures(card, part: str) -> tuple:
        p = next(x for x in card.parts if x.name == part)
        return tuple(Decimal(str(f.value)) for f in p.figures if f.key != "realisation")

    cards = compute_cards(plan, "Y", on)
    got = by_sql()
    for card in cards:
        u = card.unit.pk
        comp = next(p for p in card.parts if p.name == "completion")
        if u in got["completion"]:
            target, activated, counted = got["completion"][u]
            assert figures(card, "completion") == (target, activated), (u, "completion")
            assert comp.score == (counted * 100 / target if target else None), (u, "score")
        for part in ("price", "compliance", "quality"):
            row = got[part].get(u)
            if part == "compliance":
                row = row or (0, 0, 0, 0, 0)
            if row is None:
                assert next(p for p in card.parts if p.name == part).score is None, (u, part)
                continue
            assert figures(card, part) == tuple(Decimal(str(x)) for x in row), (u, part, row)

    def report_sql() -> tuple:
        return (*sql(MONEY)[0], sql(PIPELINE)[0][0])

    content = compute("monthly", place, on)
    year, month, debt, pipeline = report_sql()
    proceeds, resolved = content.sections[2].rows, content.sections[3].rows
    assert (Decimal(proceeds[1][1]), Decimal(proceeds[0][1])) == (year, month), proceeds
    assert Decimal(resolved[-1][2]) == debt, (resolved[-1], debt)  # the total, year to date
    forecast = year + (pipeline if on < params["year_end"] else 0)
    money_line = content.sections[0].rows[0]  # the money raised, its forecast last
    assert Decimal(money_line[6]) == forecast, (money_line, forecast)

    rows = []
    t_cards, m_cards, _ = timed(lambda: compute_cards(plan, "Y", on), repeat)
    t_sql, m_sql, _ = timed(by_sql, repeat)
    rows.append(("scorecards, every unit (year)", t_cards, m_cards, t_sql, m_sql))
    t_rep, m_rep, _ = timed(lambda: compute("monthly", place, on), repeat)
    t_msql, m_msql, _ = timed(report_sql, repeat)
    rows.append(("monthly report: content", t_rep, m_rep, t_msql, m_msql))
    t_pdf, m_pdf, _ = timed(lambda: render_pdf(compute("monthly", place, on), "BENCH"), repeat)
    rows.append(("monthly report: content + PDF", t_pdf, m_pdf, t_msql, m_msql))
    return len(cards), rows


HEADER = ("| step | median ms | p95 ms | peak MB | SQL median ms | SQL peak MB | ratio |\n"
          "|---|---|---|---|---|---|---|")  # fmt: skip


def table_rows(rows: list[tuple], first: str = "") -> list[str]:
    out = []
    for name, t, m, ts, ms in rows:
        ratio = statistics.median(t) / statistics.median(ts)
        out.append(f"| {first}{name} | {statistics.median(t):.1f} | {p95(t):.1f} | "
                   f"{m / 2**20:.1f} | {statistics.median(ts):.1f} | {ms / 2**20:.2f} | "
                   f"{ratio:.1f}x |")  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--on", default="", help="As of this day (default today): a past day "
                        "replays the projects' audit entries (scorecards/history.py).")  # fmt: skip
    args = parser.parse_args()

    import django

    django.setup()
    from django.urls import reverse
    from django.utils import timezone

    from panhuo.planning.models import WorkPlan

    reverse("plan-list")  # the URLconf, once (a server has it loaded)
    plan = WorkPlan.objects.filter(status="approved").select_related("jurisdiction").first()
    on = dt.date.fromisoformat(args.on) if args.on else timezone.localdate()
    units, rows = measure(plan, on, args.repeat)
    print(f"plan {plan} ({plan.jurisdiction.path}), {units} units, as of {on}; "
          f"repeat {args.repeat}")  # fmt: skip
    print(HEADER)
    print("\n".join(table_rows(rows)))


if __name__ == "__main__":
    main()
