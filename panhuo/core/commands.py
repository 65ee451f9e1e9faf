"""What the ``panhuo`` management commands share."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import models


class ActionsCommand(BaseCommand):
    """``panhuo NAME ACTION [options]``: a command of named actions, each a sub-parser that
    ``add_actions`` adds; the one run is ``options["action"]``. It needs only the models, so it
    runs even when the web layer's checks would fail."""

    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        self.add_actions(parser.add_subparsers(dest="action", metavar="ACTION", required=True))

    def add_actions(self, actions) -> None:
        raise NotImplementedError


def option_row(
    model: type[models.Model], options: dict, option: str, refusal: str, *, field: str = "code"
) -> Any:
    """The ``model`` row whose ``field`` is the value of ``option`` (None when the option is not
    given); a value no row has: a CommandError, ``refusal`` (translated) with the value under
    the option's name (``%(jurisdiction)s``)."""
    value = options[option]
    if not value:
        return None
    row = model._default_manager.filter(**{field: value}).first()
    if row is None:
        raise CommandError(refusal % {option: value})
    return row
