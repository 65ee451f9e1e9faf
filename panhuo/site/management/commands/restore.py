"""``panhuo restore FILE``: put a backup into an empty migrated database, all or nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from panhuo.core.errors import Conflict
from panhuo.integrity.checkpoints import describe, verify_checkpoints
from panhuo.integrity.services import add_operator_argument, audit_verify, operator_named
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
        add_operator_argument(parser)

    def handle(self, *args, **options):
        try:
            key = load_public_key(options["public_key"]) if options["public_key"] else None
            result = restore(
                options["file"],
                force=options["force"],
                allow_unsigned=options["allow_unsigned"],
                public_key=key,
                operator=operator_named(options["operator"]),
            )
        except (BackupError, Conflict, SigningError, OSError) as exc:
            raise CommandError(_("Restore refused: %(error)s") % {"error": exc}) from None
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Restored %(rows)s rows of %(tables)s tables (%(files)s files written) from "
                    "a backup taken %(at)s (%(database)s)."
                )
                % {
                    "rows": result.rows,
                    "tables": result.tables,
                    "files": result.files,
                    "at": result.created_at,
                    "database": result.source_database,
                }
            )
        )
        check = audit_verify()
        if not check.ok:
            raise CommandError(
                _("Restored, but the audit chain is broken at entry #%(seq)s: %(reason)s.")
                % {"seq": check.broken_seq, "reason": check.reason},
                returncode=1,
            )
        self.stdout.write(
            _("The audit chain is intact: %(n)s entries checked.") % {"n": check.checked}
        )
        # The restored chain against the signed checkpoints (the restore appended its own).
        try:
            _good, lines = describe(verify_checkpoints())
        except SigningError as exc:
            lines = [str(exc)]
        for line in lines:
            self.stdout.write(line)
