"""Province benchmark of issue 18: every unit's scorecards and the monthly report (content and
PDF) on a province-sized PostgreSQL database, against hand-written SQL for the same figures in
the same run.

Run:  python bench/province_scorecards.py [--scale 1.0] [--repeat 3] [--keep] [--no-rebuild]

It generates its own database (``panhuo_bench_plans``, or ``..._s<scale>`` below full size) as
bench/province.py does (bench/province_rows.py: 100 jurisdictions, 2,000 units, 1,000,000
assets, 50,000 projects, the debts and ledger), then adds what the scorecards read
(bench/province_plans.py: the projects' events and due dates, an approved plan for every
jurisdiction, red flags, audit findings, appraisals), then ``VACUUM ANALYZE``.

Measured, in-process with Django against that database (production settings), as of today
(the rows as they are; a past day would replay audit entries the generated rows do not have),
for the plan of one district (20 units) and the province's (all 2,000 units): the checks and
timings of bench/scorecards.py — ``compute_cards`` for the year against one statement per part
(completion, price, compliance, register quality; every unit's figures asserted equal before
timing), the monthly report's content and its PDF against the SQL of its money figures.
Prints median and p95 in ms, peak Python memory and the ratio to the SQL; the figures are
recorded by hand in docs/benchmarks.md. The database is dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.province import configure  # noqa: E402
from bench.province_data import PG  # noqa: E402
from bench.province_data import prepare as province_prepare  # noqa: E402
from bench.province_plans import generate_plans  # noqa: E402
from bench.province_rows import OFFICE_DISTRICT  # noqa: E402


def database_name(scale: float) -> str:
    return "panhuo_bench_plans" + ("" if scale == 1 else "_s" + f"{scale:g}".replace(".", "_"))


def _add_plans(url: str, scale: float) -> None:
    import psycopg

    with psycopg.connect(url) as conn:
        generate_plans(conn, scale)
        conn.execute("CREATE TABLE bench_plans_done (scale float)")
        conn.commit()


def prepare(scale: float, keep: bool, rebuild: bool = True) -> str:
    """The province (bench/province_data.py) with the plans on top, reused with ``keep``."""
    return province_prepare(
        scale, keep, name=database_name(scale), extra=("bench_plans_done", _add_plans),
        rebuild=rebuild,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--who", choices=["both", "district", "province"], default="both",
                        help="The district's plan (20 units), the province's or both.")  # fmt: skip
    parser.add_argument("--no-rebuild", action="store_true",
                        help="Leave the roll-ups as they are (the cards do not read them; "
                        "rebuilding takes minutes at full size, longer than generating it), "
                        "or empty in a database generated now.")  # fmt: skip
    args = parser.parse_args()
    configure(PG + database_name(args.scale))  # the settings the commands below run with
    prepare(args.scale, args.keep, rebuild=not args.no_rebuild)
    load = os.getloadavg()
    from django.urls import reverse
    from django.utils import timezone

    from bench.scorecards import HEADER, measure, table_rows
    from panhuo.planning.models import WorkPlan

    reverse("plan-list")  # the URLconf, once (a server has it loaded)
    on = timezone.localdate()
    out = []
    places = {"both": (OFFICE_DISTRICT, 1), "district": (OFFICE_DISTRICT,), "province": (1,)}
    for jurisdiction in places[args.who]:
        plan = WorkPlan.objects.select_related("jurisdiction").get(
            jurisdiction_id=jurisdiction, status="approved"
        )
        units, rows = measure(plan, on, args.repeat)
        print(f"checked: plan of {plan.jurisdiction.name}, {units} units", flush=True)
        out += table_rows(rows, f"{plan.jurisdiction.name} ({units} units): ")
        print("\n".join(out[-len(rows) :]), flush=True)  # as it comes: a plan can take long
    print(f"scale {args.scale:g}, as of {on}, {args.repeat} repetitions after a warm-up; "
          f"load average (1 min) {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after")  # fmt: skip
    print(HEADER)
    print("\n".join(out))
    if not args.keep:
        import psycopg
        from django.db import connections

        connections.close_all()
        with psycopg.connect(PG + "postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {database_name(args.scale)}")


if __name__ == "__main__":
    main()
