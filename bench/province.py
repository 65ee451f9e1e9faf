"""Province benchmark: debt risk indicators and the dashboard on a province-sized PostgreSQL
database, against hand-written SQL computing the same figures in the same run.

Run:  python bench/province.py [--scale 1.0] [--repeat 30] [--keep] [--who both|district|province]
      [--no-rebuild] [--today-only]

It creates a fresh database (``panhuo_bench_province``, or ``..._s<scale>`` below full size),
migrates it with ``panhuo migrate`` and fills the real tables with ``COPY``:

  * 100 jurisdictions (a province, 9 cities, 90 districts), 20 holding units each, three users
    (the office of one district, the province's supervisor, a finance officer who recorded
    everything) with their role assignments;
  * 1,000,000 assets; 50,000 packages, one disposal project each (three in four past the deal);
  * 100,000 debts, nine in ten with a generated repayment schedule (``build_schedule``: bullet,
    equal principal or annuity; annual, semi-annual or quarterly), their outstanding amount what
    the schedule left after paying as due (one in twelve in arrears);
  * their repayment ledger as the services write it: a budget entry on each due date the
    budget paid (in arrears: part of what was due), one disposal entry per allocation and per
    reversal (linked to it, dated no earlier than the debt's issue); each debt's outstanding is
    its principal less the ledger (checked after generation);
  * 5,000,000 ledger rows: 2,000,000 receipts, 2,500,000 allocations of receipts to debts of the
    same jurisdiction (one in a hundred reversed by a later entry) and 500,000 expected
    receipts. Allocations never exceed what the receipt has left nor what the debt owes; each
    receipt's ``allocated`` and each debt's ``outstanding`` are what its allocations leave;
  * fiscal inputs (comprehensive fiscal capacity, budget expenditure) per jurisdiction and year.

``--scale`` multiplies every count but the jurisdictions, units and users. The audit chain is
left empty for generated rows (nothing here reads it). Then ``VACUUM ANALYZE``, as a live
database would have had from autovacuum.

Measured in the same run, for the district office and the province supervisor (roll-up over
all 100 jurisdictions), in-process with Django configured against that database:

  * the risk indicators: ``panhuo.finance.debts.indicators.indicators_for`` against one hand-written
    SQL statement computing every figure (asserted equal before timing), as of the generation
    date and as of a past date (``PAST``: debts issued later and ledger entries dated later
    left out, that year's fiscal figures);
  * the dashboard page (``/`` through Django's test ``Client``, logged in; the whole request:
    session, grants, queries, template) against hand-written SQL for the same figures (the
    figures of the dashboard's selectors asserted equal to the SQL's before timing);
  * the indicators as of today (from today on Panhuo reads the risk roll-ups) and the risk page
    (``/risk/`` as of today, the whole request) against the indicators' SQL as of today.

Prints median and p95 in ms and the ratio to the SQL. The figures are recorded by hand in
docs/benchmarks.md. The generated database is dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import timing  # noqa: E402
from bench.province_data import PG, database_name, drop, prepare  # noqa: E402
from bench.province_rows import AS_OF, OFFICE, OFFICE_DISTRICT, PAST, SUPERVISOR  # noqa: E402
from bench.province_sql import (  # noqa: E402
    INDICATOR_KEYS,
    dashboard_figures,
    dashboard_sql,
    indicator_figures,
    indicators_sql,
)

DATA_DIR = Path(tempfile.gettempdir()) / "panhuo-bench-province"


def configure(db_url: str) -> None:
    """Django against the benchmark database, production settings as a deployment has them."""
    os.environ.update(
        {
            "DATABASE_URL": db_url,
            "PANHUO_ENV": "production",
            "SECRET_KEY": "bench-only-" + "x" * 50,
            "ALLOWED_HOSTS": "testserver",
            "PANHUO_DATA_DIR": str(DATA_DIR),
            "STATIC_ROOT": str(DATA_DIR / "static"),
            "LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": "panhuo.settings",
        }
    )
    import django

    django.setup()


# --- measurement -------------------------------------------------------------------------------


def timed(fn, repeat: int) -> tuple[list[float], object]:
    """Wall times (ms) of ``repeat`` calls after a warm-up (connections, compiled templates,
    caches), and the last result: bench/timing.py's loop, without the memory."""
    times, _peak, result = timing.timed(fn, repeat, memory=False)
    return times, result


def summary(times: list[float]) -> tuple[float, float]:
    s = sorted(times)
    return statistics.median(s), s[max(0, round(0.95 * len(s)) - 1)]


def indicators_by_sql(sql, jurisdiction, on: dt.date):
    """The hand-written statement's indicators of ``jurisdiction`` as of ``on``."""
    return sql.execute(
        indicators_sql(),
        {"path": jurisdiction.path + "%", "as_of": on, "year_end": on + dt.timedelta(days=365),
         "year": on.year, "jurisdiction": jurisdiction.pk},
    ).fetchone()  # fmt: skip


def measure_indicators(sql, repeat: int, label: str, who, jurisdiction, on, what) -> dict:
    """Panhuo's indicators of ``jurisdiction`` as of ``on`` against the hand-written SQL, equal
    before they are timed."""
    from panhuo.finance.debts.indicators import indicators_for

    def panhuo_indicators():
        # The user is loaded (as a request's is), its grants are not: looking them up is
        # part of how Panhuo scopes the figures.
        who.__dict__.pop("_panhuo_grants", None)
        return indicators_for(who, jurisdiction, on)

    def sql_indicators():
        return indicators_by_sql(sql, jurisdiction, on)

    mine = indicator_figures(panhuo_indicators())
    theirs = dict(zip(INDICATOR_KEYS, sql_indicators(), strict=True))
    if mine != theirs:
        diff = {k: (mine[k], theirs[k]) for k in mine if mine[k] != theirs[k]}
        raise SystemExit(f"{label}, {what}: indicators differ from the SQL's: {diff}")
    t_sql, _ = timed(sql_indicators, repeat)
    t_app, _ = timed(panhuo_indicators, repeat)
    return {"who": label, "what": what, "sql": t_sql, "app": t_app,
            "note": f"{mine['debts']:,} debts"}  # fmt: skip


def measure_risk_page(sql, repeat: int, label: str, client, jurisdiction, on) -> dict:
    """The risk page (``/risk/``, the whole request: indicators, maturity wall, forms,
    template) for ``jurisdiction`` as of ``on``, against the indicators' hand-written SQL."""

    def page():
        response = client.get("/risk/", {"jurisdiction": jurisdiction.pk,
                                         "as_of": on.isoformat()}, secure=True)  # fmt: skip
        if response.status_code != 200:
            raise SystemExit(f"risk page answered {response.status_code}")
        return response

    def sql_indicators():
        return indicators_by_sql(sql, jurisdiction, on)

    t_sql, _ = timed(sql_indicators, repeat)
    t_app, _ = timed(page, repeat)
    return {"who": label, "what": "risk page as of today (whole request)", "sql": t_sql,
            "app": t_app, "note": f"as of {on}"}  # fmt: skip


def measure(db_url: str, repeat: int, users: slice = slice(None), *,
            today_only: bool = False) -> list[dict]:  # fmt: skip
    import psycopg
    from django.test import Client
    from django.utils import timezone

    from panhuo.organisation.models import Jurisdiction, User

    rows = []
    # Planned at every execution with its values, as Django's queries are (psycopg would
    # otherwise prepare a statement run five times and reuse a generic plan blind to the path).
    sql = psycopg.connect(db_url, autocommit=True, prepare_threshold=None)
    for label, user_id, jid in [("district office", OFFICE, OFFICE_DISTRICT),
                                ("province supervisor", SUPERVISOR, 1)][users]:  # fmt: skip
        jurisdiction = Jurisdiction.objects.get(pk=jid)

        who = User.objects.get(pk=user_id)

        today = timezone.localdate()
        dates = ((AS_OF, f"risk indicators as of {AS_OF} (generation date)"),
                 (PAST, f"risk indicators as of {PAST} (past)"),
                 (today, "risk indicators as of today"))  # fmt: skip
        for on, what in dates[2:] if today_only else dates:
            rows.append(measure_indicators(sql, repeat, label, who, jurisdiction, on, what))

        user = User.objects.get(pk=user_id)
        client = Client()
        client.force_login(user)

        def page(client=client):
            response = client.get("/", secure=True)
            if response.status_code != 200:
                raise SystemExit(f"dashboard answered {response.status_code}")
            return response

        def sql_dashboard(jurisdiction=jurisdiction):
            return dashboard_sql(sql, jurisdiction.path + "%")

        def selectors(who=who):
            who.__dict__.pop("_panhuo_grants", None)
            return dashboard_figures(who)

        mine = selectors()
        theirs = sql_dashboard()
        if mine != theirs:
            raise SystemExit(f"{label}: dashboard figures differ:\n{mine}\n{theirs}")
        t_sql, _ = timed(sql_dashboard, repeat)
        t_sel, _ = timed(selectors, repeat)
        t_app, _ = timed(page, repeat)
        note = f"{mine['assets_total']:,} assets"
        rows.append({"who": label, "what": "dashboard figures (its selectors)", "sql": t_sql,
                     "app": t_sel, "note": note})  # fmt: skip
        rows.append({"who": label, "what": "dashboard page (whole request)", "sql": t_sql,
                     "app": t_app, "note": note})  # fmt: skip
        rows.append(measure_risk_page(sql, repeat, label, client, jurisdiction, today))
        print(f"[{label}] measured", flush=True)
    sql.close()
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| user | measure | scope | SQL median (ms) | SQL p95 (ms) | Panhuo median (ms) "
        "| Panhuo p95 (ms) | Panhuo ÷ SQL (median) |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        s50, s95 = summary(r["sql"])
        a50, a95 = summary(r["app"])
        lines.append(f"| {r['who']} | {r['what']} | {r['note']} | {s50:.1f} | {s95:.1f} "
                     f"| {a50:.1f} | {a95:.1f} | {a50 / s50:.2f} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="Reuse / keep the generated DB.")
    parser.add_argument(
        "--who",
        choices=["both", "district", "province"],
        default="both",
        help="Measure for the district office, the province supervisor or both.",
    )
    parser.add_argument(
        "--no-rebuild",
        action="store_true",
        help="Reusing: keep the roll-ups as the last run and the migrations left them "
        "(rebuild and verify take minutes at full size; run `panhuo rollups verify` apart).",
    )
    parser.add_argument(
        "--today-only",
        action="store_true",
        help="Only the measures as of today (the roll-ups, the dashboard, the risk page): "
        "the ledger path's two dates take minutes at full size.",
    )
    args = parser.parse_args()
    url = PG + database_name(args.scale)
    configure(url)
    prepare(args.scale, args.keep, rebuild=not args.no_rebuild)
    # Production settings serve hashed static names from the manifest collectstatic writes.
    subprocess.run([sys.executable, "-m", "panhuo.cli", "collectstatic", "--no-input", "-v0"],
                   cwd=ROOT, check=True)  # fmt: skip
    load = os.getloadavg()
    users = {"both": slice(None), "district": slice(0, 1), "province": slice(1, 2)}[args.who]
    rows = measure(url, args.repeat, users, today_only=args.today_only)
    load_after = os.getloadavg()
    print()
    print(f"scale {args.scale:g}; {args.repeat} repetitions after one warm-up; CPU cores: "
          f"{os.cpu_count()}; load average (1 min) {load[0]:.1f} before, "
          f"{load_after[0]:.1f} after measuring")  # fmt: skip
    print(table(rows))
    if not args.keep:
        drop(args.scale)


if __name__ == "__main__":
    main()
