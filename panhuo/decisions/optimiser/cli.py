"""``panhuo plan optimise --jurisdiction CODE --as USERNAME [--as-of DATE] [--horizon Q]
[--buffer YUAN] [--opening YUAN] [--absorption-pct P] [--time-limit S] [--gap-pct P]
[--approval-days D] [--finance-approval-days D] [--adopt] [--json]``: a run of the disposal
plan optimiser for the place, solved here (as the worker would), stored like one started from
the page; ``--adopt`` adopts the plan found."""

from __future__ import annotations

import json
from decimal import Decimal

from panhuo.decisions.cli_args import place_parser, refusals_as_errors
from panhuo.decisions.optimiser import runs

NUMBERS = {"horizon": int, "buffer": Decimal, "opening": Decimal, "absorption_pct": Decimal,
           "time_limit": int, "gap_pct": Decimal, "approval_days": int,
           "finance_approval_days": int}  # fmt: skip


def add_parser(sub) -> None:
    s = place_parser(
        sub,
        "optimise",
        NUMBERS,
        help="The disposal plan optimiser (MIP, HiGHS).",
        as_help="Run as this user.",
        as_of_help="The plan date (default: today).",
    )
    s.add_argument("--adopt", action="store_true", help="Adopt the plan found.")


def handle(command, user, place, on, options) -> None:
    params = {k: options[k] for k in NUMBERS}
    with refusals_as_errors():
        run = runs.run_create(actor=user, place=place, on=on, params=params)
        run = runs.execute(run)
        made = runs.run_adopt(actor=user, run=run) if options["adopt"] else []
    out = {**run.result, "id": run.pk, "solve_status": run.result.get("status"),
           "status": run.status, "message": run.message,
           "projects": [p.code for p in made]}  # fmt: skip
    if options["json"]:
        command.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
        return
    command.stdout.write(f"run #{run.pk} {run.status}: {run.message}")
    if run.result.get("plan") is not None and run.result.get("value_lost"):
        r = run.result
        command.stdout.write(f"value lost {r['value_lost']}, gap {r['gap_pct']} %, binding "
                             f"{r['binding']}, greedy {r['greedy']['value_lost']}")  # fmt: skip
        for c in r["plan"]:
            command.stdout.write(f"Q{c['period']} {c['package']} {c['channel']} {c['cash']}")
    for p in run.result.get("periods", []):
        command.stdout.write(f"Q{p['period']} service {p['service']} cash {p['cash']} carry "
                             f"{p['carry']} shadow {p['shadow']}")  # fmt: skip
    if made:
        command.stdout.write("adopted: " + " ".join(p.code for p in made))
