"""``panhuo restore FILE``: put a backup into an empty migrated database, all or nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from panhuo.core.errors import Conflict
from panhuo.integrity.services import audit_verify
from panhuo.site.backup import BackupError
from panhuo.site.restore import restore


class Command(BaseCommand):
    help = (
        "Restore a `panhuo backup` archive into this (migrated, empty) database in one "
        "transaction; a damaged or foreign file, another schema state, or a database in use "
        "(without --force) is refused and nothing is written."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup archive.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace everything in a database that is already in use.",
        )

    def handle(self, *args, **options):
        try:
            result = restore(options["file"], force=options["force"])
        except (BackupError, Conflict) as exc:
            raise CommandError(f"Restore refused: {exc}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result.rows} rows of {result.tables} tables ({result.files} files "
                f"written) from a backup taken "
                f"{result.created_at} ({result.source_database})."
            )
        )
        check = audit_verify()
        if check.ok:
            self.stdout.write(f"The audit chain is intact: {check.checked} entries checked.")
        else:
            raise CommandError(
                f"Restored, but the audit chain is broken at entry #{check.broken_seq}: "
                f"{check.reason}.",
                returncode=1,
            )
