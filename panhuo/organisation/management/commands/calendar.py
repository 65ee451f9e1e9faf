"""``panhuo calendar import FILE --year YEAR --source TEXT --user USERNAME [--jurisdiction CODE]
[--replace]``: load the State Council's annual notice of holidays and adjusted working days (or a
local one) as a list of dates, one per line: ``2027-01-01, holiday, New Year's Day`` (or 休/班).
All days go in or none, with each bad line named. The user must be allowed to manage the
calendar there (the head or the office; national days over the whole installation).

``panhuo calendar status [--year YEAR]``: where each year's calendar comes from; exits 1 when a
year is provisional (no library calendar and no notice), so a cron job can remind someone."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core import calendars
from panhuo.core.commands import ActionsCommand
from panhuo.organisation.commands import jurisdiction_option
from panhuo.organisation.models import User


class Command(ActionsCommand):
    help = "The working-day calendar: load a year's notice of holidays, or show where years stand."

    def add_actions(self, sub):
        load = sub.add_parser("import", help="Load a year's notice from a file of dates.")
        load.add_argument("file", help="Text or CSV file, UTF-8: date, holiday|working[, note].")
        load.add_argument("--year", type=int, required=True)
        load.add_argument("--source", required=True, help="The notice's title or number.")
        load.add_argument("--user", required=True, help="Who loads it (for permission, audit).")
        load.add_argument("--jurisdiction", default="", help="Its code; default: national.")
        load.add_argument("--replace", action="store_true", help="Replace a loaded notice.")
        status = sub.add_parser("status", help="Whether this year and the next are known.")
        status.add_argument("--year", type=int, default=None)

    def handle(self, *args, **options):
        if options["action"] == "import":
            self.load(options)
        else:
            self.status(options["year"])

    def load(self, options) -> None:
        path = Path(options["file"])
        try:
            text = path.read_bytes()[: 64 * 1024 + 1].decode("utf-8-sig")
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(exc_strerror)s.")
                % {"path": path, "exc_strerror": exc.strerror}
            ) from exc
        except UnicodeDecodeError:
            raise CommandError(_("%(path)s is not UTF-8 text.") % {"path": path}) from None
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(_("No active user named “%(user)s”.") % {"user": options["user"]})
        jurisdiction = jurisdiction_option(options)
        try:
            notice = calendars.calendar_notice_load(
                actor=user,
                year=options["year"],
                source=options["source"],
                text=text,
                jurisdiction=jurisdiction,
                replace=options["replace"],
            )
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        where = jurisdiction.name if jurisdiction else "national"
        self.stdout.write(
            f"Loaded {notice.source!r} for {notice.year} ({where}): {notice.days.count()} days."
        )

    def status(self, year: int | None) -> None:
        first = year or timezone.localdate().year
        provisional = False
        for y in (first, first + 1):
            s = calendars.year_status(y)
            if s.source == "library":
                self.stdout.write(f"{y}: national calendar (library)")
            elif s.source == "notice":
                self.stdout.write(f"{y}: loaded notice {s.notice.source!r}")
            else:
                provisional = True
                self.stdout.write(f"{y}: PROVISIONAL - no notice loaded; deadlines may move")
        if provisional:
            raise SystemExit(1)
