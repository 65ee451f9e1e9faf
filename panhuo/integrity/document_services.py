"""Writing and reading documents: upload a new version, open a stored one (verified)."""

from __future__ import annotations

import contextlib
import io
import logging
from typing import IO

from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.errors import Conflict, ValidationError
from panhuo.integrity import document_files as files
from panhuo.integrity.document_models import Document, DocumentKind
from panhuo.integrity.document_registry import target_for_model, target_of
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import policy

logger = logging.getLogger(__name__)

TITLE_MAX = 200
NUMBER_MAX = 100


class DocumentDamaged(Conflict):
    """The stored file is missing or no longer matches the SHA-256 recorded at upload."""


def _read_limited(file: IO[bytes]) -> bytes:
    """At most one byte more than the limit, so an oversized file is never read whole."""
    if hasattr(file, "seek"):
        with contextlib.suppress(OSError, ValueError):
            file.seek(0)
    data = file.read(files.max_bytes() + 1)
    return bytes(data or b"")


def _size_of(file: IO[bytes]) -> int | None:
    """The whole file's size, without reading it: an upload knows it; a real file seeks."""
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    try:
        here = file.tell()
        end = file.seek(0, io.SEEK_END)
        file.seek(here)
    except (AttributeError, OSError, ValueError):
        return None
    return end


def document_upload(
    *, actor, target: Model, kind: str, title: str, file: IO[bytes], number: str = ""
) -> Document:
    """Add ``file`` to ``target`` as the next version of (kind, title), with its document
    number (文号) when it has one: an approval document counts for an approval gate only with it.

    Refusals name the field and the limit, and leave nothing behind: no row, no file, no
    audit entry. Earlier versions and their files are never touched.
    """
    spec = target_for_model(type(target))
    if spec is None:
        raise ValidationError(
            {
                "target": [
                    _("%(target__meta_label)s records do not hold documents.")
                    % {"target__meta_label": target._meta.label}
                ]
            }
        )
    jurisdiction = spec.jurisdiction(target)
    if not policy.allowed(
        actor,
        spec.resource,
        "attach",
        jurisdiction=jurisdiction,
        units=spec.units(target) if spec.units else None,
    ):
        raise policy.NotPermitted(
            _("You may not add documents to this %(spec_key)s.") % {"spec_key": spec.key}
        )
    if kind not in DocumentKind.values:
        raise ValidationError(
            {
                "kind": [
                    _("Unknown kind; use one of %(choices)s.")
                    % {"choices": ", ".join(DocumentKind)}
                ]
            }
        )
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": [_("The document needs a title.")]})
    if len(title) > TITLE_MAX:
        raise ValidationError(
            {
                "title": [
                    _("The title is longer than %(title_max)s characters.")
                    % {"title_max": TITLE_MAX}
                ]
            }
        )
    number = " ".join((number or "").split())
    if len(number) > NUMBER_MAX:
        raise ValidationError(
            {
                "number": [
                    _("The document number is longer than %(number_max)s characters.")
                    % {"number_max": NUMBER_MAX}
                ]
            }
        )
    filename = files.clean_filename(getattr(file, "name", "") or "")
    if not filename:
        raise ValidationError({"file": [_("The file has no name.")]})
    data = _read_limited(file)
    try:
        file_type = files.check_file(filename, data, size=_size_of(file))
    except files.FileRefused as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    sha256 = files.sha256_of(data)

    storage_path, created = None, False
    try:
        with transaction.atomic():
            # Lock the record: versions of one record are numbered one writer at a time.
            list(spec.model._default_manager.select_for_update().filter(pk=target.pk).values("pk"))
            ct = spec.content_type()
            last = Document.objects.filter(
                target_type=ct, target_id=target.pk, kind=kind, title=title
            ).aggregate(n=Max("revision"))["n"]
            doc = Document.objects.create(
                target_type=ct,
                target_id=target.pk,
                kind=kind,
                title=title,
                number=number,
                revision=(last or 0) + 1,
                filename=filename,
                content_type=file_type.mime,
                size=len(data),
                sha256=sha256,
                storage_path=files.relative_path(sha256),
                uploaded_by=actor,
                uploaded_at=timezone.now(),
                jurisdiction_path=jurisdiction.path,
            )
            audit_record(
                actor=actor,
                action="document.upload",
                obj=doc,
                after=snapshot(doc),
                jurisdiction_path=jurisdiction.path,
            )
            # Last, so that a refusal above never leaves a file behind.
            try:
                storage_path, created = files.store(data, sha256)
            except files.FileRefused as exc:
                raise ValidationError({"file": [str(exc)]}) from None
    except BaseException:
        if created and storage_path:
            _discard_unreferenced(storage_path, sha256)
        raise
    return doc


def _discard_unreferenced(storage_path: str, sha256: str) -> None:
    """Remove the file this upload stored, unless a committed document now refers to it."""
    try:
        referenced = Document.objects.filter(sha256=sha256).exists()
    except Exception:  # inside a broken outer transaction: keep the file
        logger.warning("Kept %s after a failed upload: could not check its use", storage_path)
        return
    if not referenced:
        files.discard(storage_path)


def document_open(*, actor, document: Document) -> bytes:
    """The document's bytes, checked against its SHA-256 on every read.

    A file that is missing or changed is refused, logged, and recorded in the audit log so
    that auditors see it; the caller has already checked that ``actor`` may see the record.
    """
    data = files.read_verified(document.storage_path, document.sha256)
    if data is not None:
        return data
    logger.error(
        "Document %s (%s) failed its integrity check: the stored file is missing or changed",
        document.pk,
        document.storage_path,
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="document.damaged",
            obj=document,
            after={"sha256": document.sha256, "storage_path": document.storage_path},
            jurisdiction_path=document.jurisdiction_path,
        )
    raise DocumentDamaged(
        _(
            "The stored file no longer matches the SHA-256 recorded when it was "
            "uploaded; it has been reported. Ask an administrator to restore it "
            "from a backup."
        )
    )


__all__ = ["DocumentDamaged", "document_open", "document_upload", "target_of"]


def documents_verify() -> tuple[int, list[Document]]:
    """Check every stored document against its SHA-256 (for ``panhuo audit documents``):
    how many were checked, and those whose file is missing or changed, oldest first."""
    checked, damaged = 0, []
    for doc in Document.objects.order_by("pk").iterator(chunk_size=500):
        checked += 1
        if files.read_verified(doc.storage_path, doc.sha256) is None:
            damaged.append(doc)
    return checked, damaged


def document_set_public(*, actor, document: Document, public: bool) -> Document:
    """Mark ``document`` public (a notice publishing its record may show it to anyone), or take
    the mark back. Who may add documents to the record may mark them; audited."""
    from panhuo.integrity.document_models import DocumentPublication
    from panhuo.integrity.document_registry import may_upload

    if not may_upload(actor, document.target):
        raise policy.NotPermitted(policy.refusal("document", "attach"))
    with transaction.atomic():
        found = DocumentPublication.objects.select_for_update().filter(document=document).first()
        if public == (found is not None):
            return document
        if public:
            DocumentPublication.objects.create(
                document=document, marked_by=actor, marked_at=timezone.now()
            )
        else:
            found.delete()
        audit_record(
            actor=actor,
            action="document.public" if public else "document.private",
            obj=document,
            before={"public": not public},
            after={"public": public},
            jurisdiction_path=document.jurisdiction_path,
        )
    return document
