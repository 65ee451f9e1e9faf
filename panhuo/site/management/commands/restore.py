"""``panhuo restore FILE``: put a backup into an empty migrated database, all or nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from panhuo.core.errors import Conflict
from panhuo.integrity.services import audit_verify, system_account
from panhuo.integrity.signing import SigningError, load_public_key
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
        parser.add_argument(
            "--allow-unsigned",
            action="store_true",
            help="Restore an archive that carries no signature (recorded in the audit log).",
        )
        parser.add_argument(
            "--public-key",
            help="The public key (PEM) of the installation that made the backup; default: "
            "this installation's signing key.",
        )
        parser.add_argument(
            "--operator",
            default="",
            help="Who is running this command, for the audit log (default: the system account).",
        )

    def handle(self, *args, **options):
        try:
            key = load_public_key(options["public_key"]) if options["public_key"] else None
            result = restore(
                options["file"],
                force=options["force"],
                allow_unsigned=options["allow_unsigned"],
                public_key=key,
                operator=options["operator"].strip() or system_account(),
            )
        except (BackupError, Conflict, SigningError, OSError) as exc:
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
