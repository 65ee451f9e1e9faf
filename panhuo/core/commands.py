"""What the ``panhuo`` management commands share."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class ActionsCommand(BaseCommand):
    """``panhuo NAME ACTION [options]``: a command of named actions, each a sub-parser that
    ``add_actions`` adds; the one run is ``options["action"]``. It needs only the models, so it
    runs even when the web layer's checks would fail."""

    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        self.add_actions(parser.add_subparsers(dest="action", metavar="ACTION", required=True))

    def add_actions(self, actions) -> None:
        raise NotImplementedError
