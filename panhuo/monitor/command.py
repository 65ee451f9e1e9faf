"""``panhuo import revenue FILE [--commit] [--valid-only]``: the register's import command
hands the ``revenue`` target to this function, which checks or writes a file of figures and
prints the counts and every rejected figure's row, column and reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from panhuo.monitor.importing import revenue_import
from panhuo.organisation.models import User
from panhuo.organisation.policy import NotPermitted
from panhuo.register.importing.readers import FileRejected
from panhuo.register.importing.report import report_to_command


def run_import(command: BaseCommand, opts: dict[str, Any]) -> None:
    try:
        user = User.objects.get(username=opts["user"], is_active=True)
    except User.DoesNotExist:
        raise CommandError(gettext("No active user “%(name)s”.") % {"name": opts["user"]}) from None
    path = Path(opts["file"])
    if not path.is_file():
        raise CommandError(gettext("No file %(path)s.") % {"path": path})
    with path.open("rb") as f:
        try:
            report = revenue_import(
                actor=user, stream=f, filename=path.name, commit=opts["commit"],
                valid_only=opts["valid_only"], sheet=opts["sheet"], encoding=opts["encoding"],
                delimiter=opts["delimiter"], amount_unit=opts["amount_unit"] or "yuan",
            )  # fmt: skip
        except FileRejected as exc:
            raise CommandError(
                gettext("%(path)s: %(exc)s") % {"path": path.name, "exc": exc}
            ) from None
        except NotPermitted as exc:
            raise CommandError(str(exc)) from None
    report_to_command(command, report, commit=opts["commit"], noun="figures")
