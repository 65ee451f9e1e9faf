"""``panhuo backup FILE``: the whole database in one compressed, checksummed archive."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from panhuo.core.errors import Conflict
from panhuo.site.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the whole database (every table, the schema state) to FILE, a ZIP archive "
        "that `panhuo restore` reads on SQLite or PostgreSQL."
    )
    # Needs only the models: it must run even when the web layer's checks would fail.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the backup (replaced if it exists).")

    def handle(self, *args, **options):
        try:
            manifest = backup(options["file"])
        except (BackupError, OSError, Conflict) as exc:
            raise CommandError(_("Backup failed: %(exc)s") % {"exc": exc}) from None
        rows = sum(t["rows"] for t in manifest["tables"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {rows} rows of {len(manifest['tables'])} tables "
                f"({manifest['database']}) to {options['file']}."
            )
        )
