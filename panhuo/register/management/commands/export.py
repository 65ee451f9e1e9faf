"""panhuo export assets FILE: the assets a user may see, filtered, to CSV or XLSX."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from panhuo.organisation.models import User
from panhuo.register.exporting import write_csv, write_xlsx
from panhuo.register.selectors import asset_list


class Command(BaseCommand):
    help = "Export assets to CSV or XLSX (the format follows the file's extension)."

    def add_arguments(self, parser):
        parser.add_argument("target", choices=["assets"])
        parser.add_argument("file")
        parser.add_argument("--user", required=True)
        parser.add_argument("--q", default="")
        parser.add_argument("--kind", default="")
        parser.add_argument("--status", default="")
        parser.add_argument("--unit", type=int, default=None)

    def handle(self, *args, **opts):
        try:
            user = User.objects.get(username=opts["user"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(_("No active user “%(user)s”.") % {"user": opts["user"]}) from None
        qs = asset_list(user, q=opts["q"], kind=opts["kind"], status=opts["status"],
                        unit=opts["unit"])  # fmt: skip
        path = Path(opts["file"])
        if path.suffix.lower() == ".xlsx":
            write_xlsx(qs, str(path))
        elif path.suffix.lower() in (".csv", ".txt"):
            with path.open("wb") as f:
                write_csv(qs, f)
        else:
            raise CommandError(_("The file must end in .csv or .xlsx."))
        self.stdout.write(f"Exported {qs.count()} assets to {path}.")
