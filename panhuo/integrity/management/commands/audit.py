"""``panhuo audit verify``: walk the audit log's hash chain and report the first broken entry.
``panhuo audit documents``: check every stored document's file against its SHA-256."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from panhuo.integrity.document_services import documents_verify
from panhuo.integrity.services import audit_verify


class Command(BaseCommand):
    help = "Work with the append-only audit log."
    # Needs only the models: it must run even when the web layer's checks would fail.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        sub.add_parser(
            "verify",
            help="Check every entry's hash and link; exit 1 naming the first broken entry.",
        )
        sub.add_parser(
            "documents",
            help="Check every stored document's file against its SHA-256; exit 1 naming those "
            "that are missing or changed.",
        )

    def handle(self, *args, **options):
        check = self.verify if options["action"] == "verify" else self.documents
        problem, intact = check()
        if problem:
            # CommandError makes `panhuo` print the message and exit with status 1.
            raise CommandError(problem, returncode=1)
        self.stdout.write(self.style.SUCCESS(intact))

    def documents(self) -> tuple[str, str]:
        """(what is missing or changed, or ""; the all-clear)."""
        checked, damaged = documents_verify()
        if not damaged:
            return "", f"Every stored document is intact: {checked} checked."
        names = "; ".join(
            f"#{d.pk} {d.title} v{d.revision} ({d.storage_path})" for d in damaged[:20]
        )
        more = f" and {len(damaged) - 20} more" if len(damaged) > 20 else ""
        return (
            f"{len(damaged)} of {checked} stored documents are missing or changed: "
            f"{names}{more}. Restore them from a backup."
        ), ""

    def verify(self) -> tuple[str, str]:
        """(where the hash chain breaks, or ""; the all-clear)."""
        result = audit_verify()
        if result.ok:
            return "", f"The audit chain is intact: {result.checked} entries checked."
        return (
            f"The audit chain is broken at entry #{result.broken_seq}: {result.reason}. "
            f"{result.checked} entries before it are intact."
        ), ""
