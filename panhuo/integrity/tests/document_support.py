"""What the document tests share: small valid files of each type, and the state to compare."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from panhuo.core.tests.api_support import ApiWorld
from panhuo.integrity.models import AuditEntry, Document
from panhuo.organisation.models import TaskForce
from panhuo.site.demo.seed_documents import minimal_pdf


def pdf_bytes(text: str = "Appraisal report") -> bytes:
    """A minimal valid one-page PDF: the demo's own generator, so both stay valid together."""
    return minimal_pdf([text])


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def ooxml(kind: str) -> bytes:
    main = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml", "zip": "other.xml"}[kind]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(main, "<x/>")
    return buf.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def stored_files() -> list[str]:
    root = Path(settings.DATA_DIR) / "documents"
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def state() -> tuple:
    """Rows, audit entries and files: a refused upload must leave all three as they were."""
    return (
        list(Document.objects.order_by("pk").values_list("pk", "sha256")),
        AuditEntry.objects.count(),
        stored_files(),
    )


#: The records these tests put documents on: every type that holds them (the finding is
#: findings', an app above, registered by its hooks: an auditor's evidence).
KEYS = ["asset", "debt", "finding", "package", "project", "receipt", "taskforce"]


def _finding(aw: ApiWorld):
    """The auditor's finding on ``aw.asset``, raised through the service the first time."""
    from panhuo.findings.models import Finding
    from panhuo.findings.services import finding_raise

    found = Finding.objects.filter(record_kind="asset", record_id=aw.asset.pk).first()
    return found or finding_raise(
        actor=aw.w.user("auditor"), record_kind="asset", record_id=aw.asset.pk,
        title="Idle for years", description="Nobody uses it.", severity="medium",
    )  # fmt: skip


def targets(aw: ApiWorld) -> dict:
    """One record of each type that holds documents, all in district A (unit U1)."""
    return {
        "asset": aw.asset,
        "package": aw.package,
        "project": aw.project,
        "receipt": aw.receipt,
        "debt": aw.debt,
        "taskforce": TaskForce.objects.get(jurisdiction=aw.w.district),
        "finding": _finding(aw),
    }


_TASK_FORCE = {"head", "deputy", "deputy2"}
#: Who may add documents to each record of :func:`targets`.
UPLOADERS = {
    "asset": _TASK_FORCE | {"office", "office2", "unit_officer"},
    "package": _TASK_FORCE | {"office", "office2", "unit_officer"},
    "project": _TASK_FORCE | {"office", "office2", "unit_officer"},
    "receipt": _TASK_FORCE | {"finance"},
    "debt": _TASK_FORCE | {"finance"},
    "taskforce": _TASK_FORCE | {"office", "office2"},
    # The auditor's evidence; the supervisor (city) may add to it too.
    "finding": {"auditor", "supervisor"},
}
#: Who may see each record of :func:`targets` (and so its documents).
_READERS_A = {"head", "deputy", "deputy2", "office", "office2", "finance", "auditor", "supervisor"}
VIEWERS = {
    "asset": _READERS_A | {"unit_officer"},
    "package": _READERS_A | {"unit_officer"},
    "project": _READERS_A | {"unit_officer"},
    "receipt": _READERS_A,
    "debt": _READERS_A,
    "taskforce": _READERS_A,
    "finding": {"head", "deputy", "deputy2", "auditor", "supervisor"},
}
