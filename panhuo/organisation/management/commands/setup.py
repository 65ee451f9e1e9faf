"""``panhuo setup --file place.yaml [--dry-run] [--operator WHO] [--language en|zh-hans]``: set
up a real place on a fresh installation: its jurisdiction tree (GB/T 2260 codes), holding units
(unified social credit codes) and first users with their roles, from one YAML file
(docs/place.example.yaml), all or nothing. Every mistake is listed, naming its entry and field;
``--dry-run`` checks only. Each user's password is generated and printed once, here."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from panhuo.integrity.services import Operator, add_operator_argument, operator_named
from panhuo.organisation.place import PlaceFileError, place_setup

#: A place file is typed by hand: a few hundred entries at most.
MAX_BYTES = 4 * 1024 * 1024


class Command(BaseCommand):
    help = "Set up a real place (jurisdictions, units, first users) from a YAML file."
    # Needs only the models: it runs before anything else exists.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--file", required=True, help="The place file (YAML, UTF-8).")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        add_operator_argument(parser)
        parser.add_argument(
            "--language", default="", choices=["", "en", "zh-hans"], help="Language of messages."
        )

    def handle(self, *args, **options):
        with translation.override(options["language"] or None):
            self.setup(Path(options["file"]), options["dry_run"], options["operator"])

    def setup(self, path: Path, dry_run: bool, operator: str) -> None:
        try:
            raw = path.read_bytes()[: MAX_BYTES + 1]
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s.") % {"file": path, "reason": exc.strerror}
            ) from exc
        if len(raw) > MAX_BYTES:
            raise CommandError(_("%(file)s is larger than 4 MB.") % {"file": path})
        try:
            data = yaml.safe_load(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise CommandError(_("%(file)s is not UTF-8 text.") % {"file": path}) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else 0
            raise CommandError(
                _("%(file)s is not valid YAML (line %(line)d).") % {"file": path, "line": line}
            ) from None
        operator = operator_named(operator)
        try:
            result = place_setup(operator=Operator(operator), data=data, dry_run=dry_run)
        except PlaceFileError as exc:
            lines = [_("Nothing was written. Correct these in %(file)s:") % {"file": path}]
            raise CommandError("\n".join([*lines, *(f"  - {p}" for p in exc.problems)])) from exc
        counts = {
            "jurisdictions": len(result.jurisdictions),
            "units": len(result.units),
            "users": len(result.users),
            "roles": result.assignments,
        }
        if dry_run:
            self.stdout.write(
                _(
                    "Dry run: the file is correct. It would set up %(jurisdictions)d "
                    "jurisdictions, %(units)d units, %(users)d users and %(roles)d role "
                    "assignments. Nothing was written."
                )
                % counts
            )
            return
        self.stdout.write(
            _(
                "Set up %(jurisdictions)d jurisdictions, %(units)d units, %(users)d users and "
                "%(roles)d role assignments."
            )
            % counts
        )
        self.stdout.write(
            _(
                "Each user's first password follows. It is shown only now and is stored nowhere "
                "in clear: hand each to its user in person."
            )
        )
        for user, password in result.users:
            self.stdout.write(f"  {user.username}\t{password}")
