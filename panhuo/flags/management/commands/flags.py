"""``panhuo flags recompute [--jurisdiction CODE] [--rule CODE ...]``: run every rule (or those
named) over a place and below (everything by default), opening, refreshing and clearing flags,
one line of progress per rule; ``panhuo flags rules``: the rules with their sources and
thresholds' defaults; ``panhuo flags coverage``: how many open and resolved flags each rule has,
failing (exit 1) when a rule has none — the demo carries a case of every flag (issue 17), which
CI checks on the full demo it seeds."""

from __future__ import annotations

import time

from django.core.management.base import CommandError
from django.db.models import Count
from django.utils.translation import gettext as _

from panhuo.core.commands import ActionsCommand
from panhuo.flags.engine import Outcome, recompute
from panhuo.flags.models import Flag, FlagStatus
from panhuo.flags.registry import RULES
from panhuo.organisation.commands import jurisdiction_option


class Command(ActionsCommand):
    help = "Red flags: recompute them, or list the rules."

    def add_actions(self, sub):
        run = sub.add_parser("recompute", help="Run the rules and keep the flags up to date.")
        run.add_argument("--jurisdiction", default="", help="A jurisdiction's code (and below).")
        run.add_argument("--rule", action="append", default=[], help="Only this rule (repeat).")
        sub.add_parser("rules", help="List the rules, their severity, source and parameters.")
        sub.add_parser("coverage", help="Open and resolved flags per rule; fail if one has none.")

    def handle(self, *args, **options):
        if options["action"] == "rules":
            return self.rules()
        if options["action"] == "coverage":
            return self.coverage()
        place = jurisdiction_option(options)
        unknown = [r for r in options["rule"] if r not in RULES]
        if unknown:
            raise CommandError(
                _("Unknown rule(s): %(choices)s; see `panhuo flags rules`.")
                % {"choices": ", ".join(unknown)}
            )
        started = time.monotonic()
        total = len(options["rule"] or RULES)
        done = [0]

        def progress(code: str, out: Outcome) -> None:
            done[0] += 1
            self.stdout.write(
                f"[{done[0]}/{total}] {code}: {out.by_rule.get(code, 0)} hit(s), "
                f"{out.opened} opened, {out.updated} updated, {out.cleared} cleared"
            )

        out = recompute(place, rules=options["rule"] or None, progress=progress)
        self.stdout.write(self.style.SUCCESS(
            f"Done in {time.monotonic() - started:.1f} s: {out.opened} opened, "
            f"{out.updated} updated, {out.cleared} cleared, {out.held} still holding."
        ))  # fmt: skip

    def rules(self):
        for r in RULES.values():
            params = ", ".join(f"{p.name}={p.default}" for p in r.params) or "-"
            self.stdout.write(f"{r.code} [{r.category}, {r.severity}] {r.label}: {params}")
            self.stdout.write(f"    {r.source}")

    def coverage(self):
        rows = (
            Flag.objects.exclude(status=FlagStatus.CLEARED)
            .values_list("rule", "status")
            .annotate(n=Count("pk"))
        )
        counts: dict[str, dict[str, int]] = {code: {} for code in RULES}
        for rule, status, n in rows:
            counts.setdefault(rule, {})[status] = n
        for code, by_status in counts.items():
            self.stdout.write(f"{code}: {by_status.get('open', 0)} open, "
                              f"{by_status.get('resolved', 0)} resolved")  # fmt: skip
        missing = [code for code in RULES if not counts[code]]
        if missing:
            raise CommandError(
                _("No open or resolved flag of: %(rules)s.") % {"rules": ", ".join(missing)}
            )
        self.stdout.write(self.style.SUCCESS(f"Every one of the {len(RULES)} rules has a case."))
