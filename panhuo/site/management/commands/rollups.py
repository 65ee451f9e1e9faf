"""``panhuo rollups verify`` / ``rebuild``: the services' roll-ups against their base tables."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from panhuo.core import rollups


class Command(BaseCommand):
    help = (
        "verify: recompute every roll-up (register: assets per unit, status and kind; finance: "
        "money and debts per jurisdiction) from its base tables and report each place and "
        "figure that disagrees (exit status 1), correcting nothing. rebuild: recompute them all."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "rebuild"])

    def handle(self, *args, action: str, **options):
        with rollups.sharing():
            self._run(action)

    def _run(self, action: str) -> None:
        if action == "rebuild":
            for name, rollup in sorted(rollups.REGISTRY.items()):
                n = rollups.rebuild(rollup)
                self.stdout.write(f"{name}: {n} rows recomputed.")
            return
        bad = []
        for _name, rollup in sorted(rollups.REGISTRY.items()):
            bad += rollups.verify(rollup)
        for d in bad:
            group = " ".join(str(g) for g in d.group)
            self.stdout.write(
                f"{d.rollup}: {d.where}{' ' + group if group else ''}: {d.figure} "
                f"kept {d.kept}, recomputed {d.recomputed}"
            )
        if bad:
            raise CommandError(
                _(
                    "%(count)s roll-up figures disagree with their base tables; nothing was "
                    "corrected (`panhuo rollups rebuild` recomputes them)."
                )
                % {"count": len(bad)}
            )
        names = ", ".join(sorted(rollups.REGISTRY))
        self.stdout.write(self.style.SUCCESS(f"Roll-ups agree with their base tables ({names})."))
