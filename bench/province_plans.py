"""What the scorecards read, added to the province database of bench/province_rows.py (issue
18's benchmark, bench/province_scorecards.py): written with ``COPY`` after the base rows,
deterministic for a seed, in a few seconds at full size.

  * the packages' assets: one to three assets of one unit of the package's jurisdiction (or
    below), no asset in two packages;
  * the projects' events, as the services write them: a project past the deal was listed, then
    concluded (a lease or concession: put in force) — four in ten of those activations in the
    generation year, up to ``AS_OF``, the rest from 2019; a listed project was listed; and a
    due date on the projects still under a time limit (approved, listed, concluded);
  * an approved work plan of ``AS_OF``'s year for every jurisdiction: money raised and debt
    resolved (two debt types) by quarter, and the assets to activate by every unit of the
    jurisdiction and below (one channel, one quarter each); totals that add up; four
    milestones and four tasks each;
  * red flags on the units (ten a unit at full size): half open, three in ten resolved
    (justified, rectified or referred), two in ten cleared, first seen from 2024;
  * audit findings on the units' assets (two and a half a unit): raised, escalated or resolved
    (justified, rectified, referred), raised from 2024;
  * a third-party appraisal of one asset in four, based from 2023 (so some are stale).
"""

from __future__ import annotations

import datetime as dt
import random

from bench.province_rows import AS_OF, OFFICE, STAMP, Copier, check_columns, day, money, tree

EVENT_COLS = "id, transition, from_status, to_status, comment, at, actor_id, project_id"
PLAN_COLS = ("id, year, number, status, money_total, debt_total, assets_total, note, "
             "created_at, updated_at, version, created_by_id, jurisdiction_id, previous_id, "
             "submitted_by_id")  # fmt: skip
TARGET_COLS = "id, measure, quarter, debt_type, channel, amount, unit_id, plan_id"
MILESTONE_COLS = "id, title, due_on, plan_id"
TASK_COLS = "id, title, due_on, done, owner_id, plan_id"
FLAG_COLS = ("id, rule, severity, subject_type, subject_id, subject_label, subject_url, "
             "evidence, fingerprint, links, thresholds, status, resolution, comment, resolved_at, "
             "first_seen, last_seen, cleared_at, jurisdiction_id, resolved_by_id, "
             "unit_id")  # fmt: skip
FINDING_COLS = ("id, code, record_kind, record_id, record_label, flag_id, title, description, "
                "severity, status, raised_at, resolved_at, version, jurisdiction_id, "
                "raised_by_id, unit_id")  # fmt: skip
VALUATION_COLS = ("id, kind, value, base_date, valid_until, method, appraiser, licence_number, "
                  "report_number, inputs, stated_error, note, created_at, asset_id, "
                  "created_by_id, model_run_id, package_id")  # fmt: skip

ITEM_COLS = "id, live, asset_id, package_id"

TABLES = {
    "disposal_packageitem": ITEM_COLS,
    "disposal_projectevent": EVENT_COLS,
    "planning_workplan": PLAN_COLS,
    "planning_plantarget": TARGET_COLS,
    "planning_milestone": MILESTONE_COLS,
    "planning_plantask": TASK_COLS,
    "flags_flag": FLAG_COLS,
    "findings_finding": FINDING_COLS,
    "pricing_valuation": VALUATION_COLS,
}
UNITS_PER = 20  # as province_rows makes them: unit (j - 1) * 20 + k + 1 of jurisdiction j
LEASES = ("in_force", "ended")
SEVERITIES = ("high", "medium", "low")


def _at(d: dt.date) -> str:
    return f"{d} 09:00:00+08"


def _units_below(nodes) -> dict[int, list[int]]:
    """Jurisdiction → the units of it and of every jurisdiction below it."""
    out: dict[int, list[int]] = {}
    for j, (_p, _level, path) in nodes.items():
        out[j] = [(k - 1) * UNITS_PER + u + 1 for k, (_q, _l, p) in nodes.items()
                  if p.startswith(path) for u in range(UNITS_PER)]  # fmt: skip
    return out


def _items(conn, rnd: random.Random, copy: Copier, below: dict[int, list[int]]) -> None:
    free: dict[int, list[int]] = {}
    for pk, unit in conn.execute("SELECT id, unit_id FROM register_asset ORDER BY id"):
        free.setdefault(unit, []).append(pk)
    packages = conn.execute(
        "SELECT id, jurisdiction_id, status FROM disposal_package ORDER BY id"
    ).fetchall()

    def lines():
        n = 0
        for pk, j, status in packages:
            assets = free.get(rnd.choice(below[j]), [])
            for _k in range(min(rnd.randint(1, 3), len(assets))):
                n += 1
                live = "t" if status == "open" else "f"
                yield f"{n}\t{live}\t{assets.pop(rnd.randrange(len(assets)))}\t{pk}"

    copy("disposal_packageitem", ITEM_COLS, lines())


def _events(conn, rnd: random.Random, copy: Copier) -> None:
    year_start = dt.date(AS_OF.year, 1, 1)
    rows = conn.execute("SELECT id, status FROM disposal_disposalproject ORDER BY id").fetchall()

    def lines():
        n = 0
        for pk, status in rows:
            if status in ("draft", "submitted", "approved"):
                continue
            if status == "listed":
                n += 1
                on = _at(day(rnd, year_start, AS_OF))
                yield f"{n}\tlist\tapproved\tlisted\t\t{on}\t{OFFICE}\t{pk}"
                continue
            recent = rnd.random() < 0.4
            done = day(rnd, year_start if recent else dt.date(2019, 3, 1), AS_OF)
            listed = done - dt.timedelta(days=rnd.randint(20, 60))
            to = "in_force" if status in LEASES else "concluded"
            n += 1
            yield f"{n}\tlist\tapproved\tlisted\t\t{_at(listed)}\t{OFFICE}\t{pk}"
            n += 1
            yield f"{n}\tconclude\tlisted\t{to}\t\t{_at(done)}\t{OFFICE}\t{pk}"

    copy("disposal_projectevent", EVENT_COLS, lines())
    conn.execute("UPDATE disposal_disposalproject SET due_on = %s::date + (id %% 240)::int "
                 "WHERE status IN ('approved', 'listed', 'concluded')",
                 [AS_OF - dt.timedelta(days=120)])  # fmt: skip
    conn.commit()


def _plans(rnd: random.Random, copy: Copier, nodes, below, channels, debt_types) -> None:
    plans, targets, milestones, tasks = [], [], [], []
    for j in nodes:
        money_q = [rnd.randint(1_000_000, 50_000_000) * 100 * len(below[j]) // UNITS_PER
                   for _q in range(4)]  # fmt: skip
        debt_q = [(t, q, rnd.randint(500_000, 20_000_000) * 100 * len(below[j]) // UNITS_PER)
                  for t in debt_types for q in range(1, 5)]  # fmt: skip
        assets = [(u, channels[u % len(channels)], u % 4 + 1, rnd.randint(1, 30)) for u in below[j]]
        plans.append(f"{j}\t{AS_OF.year}\t1\tapproved\t{money(sum(money_q))}\t"
                     f"{money(sum(c for _t, _q, c in debt_q))}\t{sum(a[3] for a in assets)}\t\t"
                     f"{STAMP}\t{STAMP}\t1\t{OFFICE}\t{j}\t\\N\t{OFFICE}")  # fmt: skip
        for q, cents in enumerate(money_q, start=1):
            targets.append(f"money\t{q}\t\t\t{money(cents)}\t\\N\t{j}")
        for t, q, cents in debt_q:
            targets.append(f"debt\t{q}\t{t}\t\t{money(cents)}\t\\N\t{j}")
        for u, channel, q, n in assets:
            targets.append(f"assets\t{q}\t\t{channel}\t{n}\t{u}\t{j}")
        for q in range(1, 5):
            due = dt.date(AS_OF.year, 3 * q, 28)
            milestones.append(f"{len(milestones) + 1}\tQuarter {q} review\t{due}\t{j}")
            done = "t" if due < AS_OF else "f"
            tasks.append(f"{len(tasks) + 1}\tReport quarter {q}\t{due}\t{done}\t{OFFICE}\t{j}")
    copy("planning_workplan", PLAN_COLS, plans)
    copy("planning_plantarget", TARGET_COLS, (f"{i}\t{t}" for i, t in enumerate(targets, 1)))
    copy("planning_milestone", MILESTONE_COLS, milestones)
    copy("planning_plantask", TASK_COLS, tasks)


def _flags_findings(rnd: random.Random, copy: Copier, scale: float, n_units: int, n_assets: int):
    start = dt.date(2024, 1, 1)

    def flag_lines():
        for i in range(1, round(10 * n_units * scale) + 1):
            unit = rnd.randint(1, n_units)
            seen = day(rnd, start, AS_OF)
            later = _at(day(rnd, seen, AS_OF))
            pick = rnd.random()
            status, resolution, resolved, cleared = "open", "", "\\N", "\\N"
            if pick >= 0.7:
                status, cleared = "cleared", later
            elif pick >= 0.4:
                status, resolved = "resolved", later
                resolution = rnd.choice(("justified", "rectified", "referred"))
            j = (unit - 1) // UNITS_PER + 1
            yield (f"{i}\tdeal_below_appraisal\t{rnd.choice(SEVERITIES)}\tregister.asset\t{i}\t"
                   f"Asset {i}\t\t{{}}\tF{i}\t[]\t{{}}\t{status}\t{resolution}\t\t{resolved}\t"
                   f"{_at(seen)}\t{_at(seen)}\t{cleared}\t{j}\t"
                   f"{OFFICE if resolved != '\\N' else '\\N'}\t{unit}")  # fmt: skip

    copy("flags_flag", FLAG_COLS, flag_lines())
    statuses = ("raised", "escalated", "justified", "rectified", "referred")

    def finding_lines():
        for i in range(1, round(2.5 * n_units * scale) + 1):
            unit = rnd.randint(1, n_units)
            raised = day(rnd, start, AS_OF)
            status = rnd.choice(statuses)
            resolved = "\\N" if status in ("raised", "escalated") else _at(day(rnd, raised, AS_OF))
            j = (unit - 1) // UNITS_PER + 1
            asset = rnd.randint(1, n_assets)
            yield (f"{i}\tFD-{i:07d}\tasset\t{asset}\tA{asset:08d}\t\\N\tFinding {i}\t-\t"
                   f"{rnd.choice(SEVERITIES)}\t{status}\t{_at(raised)}\t{resolved}\t1\t{j}\t"
                   f"{OFFICE}\t{unit}")  # fmt: skip

    copy("findings_finding", FINDING_COLS, finding_lines())


def _valuations(rnd: random.Random, copy: Copier, n_assets: int) -> None:
    def lines():
        for i, asset in enumerate(range(4, n_assets + 1, 4), start=1):
            base = day(rnd, dt.date(2023, 1, 1), AS_OF)
            yield (f"{i}\tappraisal\t{money(rnd.randint(1_000_000, 5_000_000_000))}\t{base}\t"
                   f"{base + dt.timedelta(days=365)}\tmarket\tBench Appraisal Co.\tLIC-1\t"
                   f"R-{i}\t{{}}\t\\N\t\t{STAMP}\t{asset}\t\\N\t\\N\t\\N")  # fmt: skip

    copy("pricing_valuation", VALUATION_COLS, lines())


def generate_plans(conn, scale: float, seed: int = 18) -> dict[str, int]:
    """Add the rows above to a generated province database (``conn``: psycopg)."""
    from panhuo.disposal.models import Channel

    for table, cols in TABLES.items():
        check_columns(conn, table, cols)
    # A run cut short starts again (nothing the base generation writes refers to these).
    conn.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
    conn.execute("SET session_replication_role = replica")
    rnd = random.Random(seed)
    copy = Copier(conn)
    nodes = tree()
    n_units = len(nodes) * UNITS_PER
    n_assets = conn.execute("SELECT max(id) FROM register_asset").fetchone()[0]
    below = _units_below(nodes)
    _items(conn, rnd, copy, below)
    _events(conn, rnd, copy)
    _plans(rnd, copy, nodes, below, Channel.values, ("general_bond", "bank_loan"))
    _flags_findings(rnd, copy, scale, n_units, n_assets)
    _valuations(rnd, copy, n_assets)
    for table in TABLES:
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                     f"(SELECT max(id) FROM {table}))")  # fmt: skip
    conn.execute("SET session_replication_role = DEFAULT")
    conn.commit()
    return copy.counts
