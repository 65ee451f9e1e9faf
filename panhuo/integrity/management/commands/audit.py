"""``panhuo audit verify``: walk the audit log's hash chain and check it against the signed
checkpoints kept outside the database; ``panhuo audit checkpoint``: sign the chain's head now;
``panhuo audit keygen`` / ``public-key``: the signing key; ``panhuo audit reconcile``: replay
every audited record from its entries and compare it with its row; ``panhuo audit documents``:
check every stored document's file against its SHA-256."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from panhuo.core.commands import ActionsCommand
from panhuo.integrity import signing
from panhuo.integrity.checkpoints import (
    checkpoint_path,
    describe,
    make_checkpoint,
    verify_checkpoints,
)
from panhuo.integrity.document_services import documents_verify
from panhuo.integrity.services import audit_verify


class Command(ActionsCommand):
    help = "Work with the append-only audit log."

    def add_actions(self, sub):
        verify = sub.add_parser(
            "verify",
            help="Check every entry's hash and link, then the chain against the signed "
            "checkpoints; exit 1 naming the first broken entry or contradicted checkpoint.",
        )
        verify.add_argument(
            "--checkpoints",
            help="A checkpoint file to check against (e.g. a supervisor's copy); default: "
            "this installation's.",
        )
        verify.add_argument(
            "--public-key",
            help="The public key (PEM) that signed the checkpoints; default: this "
            "installation's signing key.",
        )
        checkpoint = sub.add_parser(
            "checkpoint",
            help="Sign the chain's head (sequence, hash, time) and append it to the checkpoint "
            "file outside the database.",
        )
        checkpoint.add_argument("--note", default="on demand", help="Why (kept in the line).")
        sub.add_parser(
            "keygen",
            help="Make the Ed25519 signing key (PANHUO_AUDIT_KEY_FILE, else in the data "
            "directory); an existing key is never replaced.",
        )
        sub.add_parser(
            "public-key",
            help="Print the public key (PEM) to give a supervisor, with its fingerprint.",
        )
        reconcile = sub.add_parser(
            "reconcile",
            help="Replay every audited record from its audit entries and compare it with its "
            "row; exit 1 listing every change, insertion or deletion made outside the services.",
        )
        reconcile.add_argument(
            "--limit", type=int, default=200, help="Differences to print (default 200)."
        )
        sub.add_parser(
            "documents",
            help="Check every stored document's file against its SHA-256; exit 1 naming those "
            "that are missing or changed.",
        )

    def handle(self, *args, **options):
        action = options["action"]
        try:
            if action == "checkpoint":
                return self.checkpoint(options["note"])
            if action == "keygen":
                return self.keygen()
            if action == "public-key":
                return self.public_key()
            if action == "reconcile":
                return self.reconcile(options["limit"])
            if action == "verify":
                problem, intact = self.verify(options["checkpoints"], options["public_key"])
            else:
                problem, intact = self.documents()
        except (signing.SigningError, OSError) as exc:
            raise CommandError(str(exc), returncode=1) from None
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

    def verify(self, checkpoints: str | None, public_key: str | None) -> tuple[str, str]:
        """(where the chain breaks or which checkpoint it contradicts, or ""; the all-clear)."""
        result = audit_verify()
        if result.ok:
            chain = _("The audit chain is intact: %(n)s entries checked.") % {"n": result.checked}
        else:
            chain = _(
                "The audit chain is broken at entry #%(seq)s: %(reason)s. %(n)s entries before "
                "it are intact."
            ) % {"seq": result.broken_seq, "reason": result.reason, "n": result.checked}
        key = signing.load_public_key(public_key) if public_key else None
        report = verify_checkpoints(Path(checkpoints) if checkpoints else None, key)
        good, lines = describe(report)
        text = "\n".join([chain, *lines])
        return ("", text) if result.ok and good else (text, "")

    def checkpoint(self, note: str) -> None:
        cp = make_checkpoint(note=note)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Checkpoint %(n)s: entry #%(seq)s, hash %(hash)s, signed by key %(key)s, "
                    "appended to %(path)s."
                )
                % {
                    "n": cp.number,
                    "seq": cp.seq,
                    "hash": cp.hash,
                    "key": cp.signature["key"],
                    "path": checkpoint_path(),
                }
            )
        )

    def keygen(self) -> None:
        path = signing.key_path()
        key = signing.generate_key(path)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Made the signing key %(path)s (fingerprint %(key)s). Keep it from the "
                    "database's administrators; give the public key to the supervisor."
                )
                % {"path": path, "key": signing.fingerprint(key.public_key())}
            )
        )
        self.stdout.write(signing.public_pem(key.public_key()))

    def public_key(self) -> None:
        key = signing.public_key()
        self.stdout.write(signing.public_pem(key), ending="")
        self.stdout.write(_("Fingerprint: %(key)s") % {"key": signing.fingerprint(key)})

    def reconcile(self, limit: int) -> None:
        from panhuo.integrity.reconcile import reconcile

        report = reconcile()
        summary = _(
            "%(records)s audited records of %(models)s kinds replayed from %(entries)s entries."
        ) % {"records": report.records, "models": report.models, "entries": report.entries}
        if not report.differences:
            self.stdout.write(
                self.style.SUCCESS(summary + " " + _("Every row agrees with its audit entries."))
            )
            return
        lines = [d.describe() for d in report.differences[:limit]]
        more = len(report.differences) - len(lines)
        if more > 0:
            lines.append(_("… and %(n)s more.") % {"n": more})
        head = _("%(n)s differences between the rows and their audit entries:") % {
            "n": len(report.differences)
        }
        raise CommandError("\n".join([summary, head, *lines]), returncode=1)
