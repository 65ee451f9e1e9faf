"""``panhuo plan scenario --jurisdiction CODE --as USERNAME [--as-of DATE] [--seed N]
[--scenarios N] [--horizon Q] [--price-sd-pct P] [--failure-pct P] [--delay-pct P]
[--rate-sd-pp P] [--json] [--save [--title T]]``: the scenarios of the place's disposal
pipeline (Monte Carlo, seeded), as the page and ``/api/v1/scenarios`` show them, read with the
user's roles: per quarter the plan, P5/P50/P95 of the proceeds, the debt service and the
probability it is missed. Bad input names the field; nothing is written unless ``--save``
stores the run (as the scenarios page's "Save this run" does)."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.commands import ActionsCommand
from panhuo.decisions.cli_args import place_parser, refusals_as_errors
from panhuo.decisions.optimiser import cli as optimiser_cli
from panhuo.decisions.pipeline import run
from panhuo.decisions.runs import scenario_run_save
from panhuo.organisation.commands import jurisdiction_option, user_option

NUMBERS = {"seed": int, "scenarios": int, "horizon": int, "price_sd_pct": float,
           "failure_pct": float, "delay_pct": float, "rate_sd_pp": float}  # fmt: skip


class Command(ActionsCommand):
    help = "Disposal plans: scenarios of what can go wrong."

    def add_actions(self, sub):
        s = place_parser(
            sub,
            "scenario",
            NUMBERS,
            help="Monte Carlo of the place's disposal pipeline.",
            as_help="Read as this user.",
            as_of_help="The day (default: today).",
        )
        s.add_argument("--save", action="store_true", help="Store the run (head/deputy/office).")
        s.add_argument("--title", default="", help="The stored run's title (with --save).")
        optimiser_cli.add_parser(sub)

    def handle(self, *args, **options):
        place = jurisdiction_option(options)
        user = user_option(options)
        try:
            on = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else None
        except ValueError:
            raise CommandError(_("--as-of/--day: “%(value)s” is not a date (YYYY-MM-DD).")
                               % {"value": options["as_of"]}) from None  # fmt: skip
        if options["action"] == "optimise":
            return optimiser_cli.handle(self, user, place, on or timezone.localdate(), options)
        params = {k: options[k] for k in NUMBERS}
        with refusals_as_errors():
            if options["save"]:
                stored = scenario_run_save(
                    actor=user,
                    place=place,
                    params=params,
                    on=on or timezone.localdate(),
                    title=options["title"],
                )
                out = stored.result
                self.stderr.write(f"stored as scenario run {stored.pk}")
            else:
                out = run(user, place, on=on or timezone.localdate(), params=params)
        if options["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
            return
        params = ", ".join(f"{k}={v}" for k, v in out["params"].items())
        self.stdout.write(f"{out['place']} {out['on']}: {params} ({out['failure_source']})")
        self.stdout.write("Q  starts      plan  P5  P50  P95  service  P(missed)")
        for p in out["periods"]:
            self.stdout.write(f"Q{p['period']} {p['starts']} {p['plan']} {p['p5']} {p['p50']} "
                              f"{p['p95']} {p['service']} {p['p_missed']:.3f}")  # fmt: skip
        for left in out["left_out"]:
            self.stdout.write(f"left out {left['code']}: {left['why']}")
