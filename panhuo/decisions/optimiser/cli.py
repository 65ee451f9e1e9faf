"""``panhuo plan optimise --jurisdiction CODE --as USERNAME [--as-of DATE] [--horizon Q]
[--buffer YUAN] [--opening YUAN] [--absorption-pct P] [--time-limit S] [--gap-pct P]
[--approval-days D] [--finance-approval-days D] [--adopt] [--json]``: a run of the disposal
plan optimiser for the place, solved here (as the worker would), stored like one started from
the page; ``--adopt`` adopts the plan found."""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from panhuo.decisions.optimiser import runs
from panhuo.organisation import policy

NUMBERS = {"horizon": int, "buffer": Decimal, "opening": Decimal, "absorption_pct": Decimal,
           "time_limit": int, "gap_pct": Decimal, "approval_days": int,
           "finance_approval_days": int}  # fmt: skip


def add_parser(sub) -> None:
    s = sub.add_parser("optimise", help="The disposal plan optimiser (MIP, HiGHS).")
    s.add_argument("--jurisdiction", required=True, help="The place's code (and below).")
    s.add_argument("--as", dest="username", required=True, help="Run as this user.")
    s.add_argument("--as-of", default="", help="The plan date (default: today).")
    for name, kind in NUMBERS.items():
        s.add_argument("--" + name.replace("_", "-"), type=kind, default=None)
    s.add_argument("--adopt", action="store_true", help="Adopt the plan found.")
    s.add_argument("--json", action="store_true", help="The whole answer as JSON.")


def handle(command, user, place, on, options) -> None:
    params = {k: options[k] for k in NUMBERS}
    try:
        run = runs.run_create(actor=user, place=place, on=on, params=params)
        run = runs.execute(run)
        made = runs.run_adopt(actor=user, run=run) if options["adopt"] else []
    except ValidationError as exc:
        named = [f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()]
        raise CommandError("; ".join(named)) from None
    except policy.NotPermitted as exc:
        raise CommandError(str(exc)) from None
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
