"""panhuo import assets|debts|units|users FILE: check (dry run) or commit a register file, with a
progress bar. A users import prints each new user's one-time password, once.

``panhuo import revenue FILE`` imports fiscal revenue figures (panhuo/monitor/command.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from panhuo.organisation.models import User
from panhuo.register import hooks
from panhuo.register.import_models import ImportMapping
from panhuo.register.importing import engine
from panhuo.register.importing.engine import ImportCancelled, Mapping, target_for
from panhuo.register.importing.readers import FileRejected
from panhuo.register.importing.report import report_to_command


class Command(BaseCommand):
    help = (
        "Import assets, debts, revenue or fiscal figures, holding units or users from a CSV or "
        "XLSX file (dry run unless --commit)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "target", choices=["assets", "revenue", "debts", "fiscal", "units", "users"]
        )
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="who imports (for permission and audit)")
        parser.add_argument("--mapping", default="", help="name of one of the user's mappings")
        parser.add_argument("--sheet", default=None)
        parser.add_argument("--encoding", default=None)
        parser.add_argument("--delimiter", default=None)
        parser.add_argument("--date-order", choices=["dmy", "mdy"], default=None)
        parser.add_argument("--amount-unit", choices=["yuan", "wan", "yi"], default=None)
        parser.add_argument("--crs", default=None, help="coordinate reference system of x/y")
        parser.add_argument("--commit", action="store_true", help="write (default: dry run)")
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help="write the valid rows even if others are rejected",
        )
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **opts):
        own_command = hooks.import_commands.get(opts["target"])  # the monitor's "revenue"
        if own_command is not None:
            return own_command(self, opts)
        try:
            user = User.objects.get(username=opts["user"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(
                gettext("No active user “%(name)s”.") % {"name": opts["user"]}
            ) from None
        mapping = Mapping()
        if opts["mapping"]:
            saved = ImportMapping.objects.filter(
                owner=user, target=opts["target"], name=opts["mapping"]
            ).first()
            if saved is None:
                raise CommandError(
                    gettext("%(user)s has no mapping named “%(name)s”.")
                    % {"user": user, "name": opts["mapping"]}
                )
            mapping = Mapping.from_json(saved.as_json())
        for key in ("sheet", "encoding", "delimiter", "date_order", "amount_unit", "crs"):
            if opts[key]:
                mapping.options[key] = opts[key]
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(gettext("No file %(path)s.") % {"path": path})
        size = path.stat().st_size
        show = not opts["no_progress"]

        with path.open("rb") as f:

            def progress(rows: int) -> bool:
                if show:
                    done = f.tell() / size if size else 1
                    bar = "#" * int(done * 30)
                    sys.stderr.write(
                        f"\r[{bar:<30}] {done:6.1%} "
                        + gettext("%(rows)s rows") % {"rows": f"{rows:>10,}"}
                    )
                    sys.stderr.flush()
                return False

            try:
                report = engine.run_import(
                    target_for(opts["target"]), actor=user, stream=f, mapping=mapping,
                    commit=opts["commit"],
                    valid_only=opts["valid_only"], batch_size=opts["batch_size"],
                    progress=progress, filename=path.name,
                )  # fmt: skip
            except FileRejected as exc:
                if show:
                    sys.stderr.write("\n")
                raise CommandError(
                    gettext("%(path)s: %(exc)s") % {"path": path.name, "exc": exc}
                ) from None
            except ImportCancelled:
                raise CommandError(gettext("Cancelled; nothing was written.")) from None
        if show:
            sys.stderr.write("\n")
        for username, password in sorted(report.secrets.items()):
            self.stdout.write(
                gettext("  password of %(user)s (shown once; to be changed at first sign-in): "
                        "%(password)s") % {"user": username, "password": password}
            )  # fmt: skip
        report_to_command(self, report, commit=opts["commit"], noun="rows")
