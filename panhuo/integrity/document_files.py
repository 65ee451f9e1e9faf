"""The files behind documents: which types are accepted, and the content-addressed store.

A file's type is decided twice, by its name's extension and by its first bytes, and the two
must agree: a spreadsheet renamed ``.pdf`` or an executable renamed ``.txt`` is refused. Files
are stored under ``DATA_DIR/documents/<first two hex digits>/<sha256>``: the same bytes are
stored once, and a stored file is never replaced (a new one is linked into place only where
no file is).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from django.conf import settings
from django.utils.translation import gettext

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileType:
    key: str
    label: str
    mime: str


PDF = FileType("pdf", "PDF", "application/pdf")
PNG = FileType("png", "PNG", "image/png")
JPEG = FileType("jpeg", "JPEG", "image/jpeg")
XLSX = FileType("xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOCX = FileType(
    "docx", "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
CSV = FileType("csv", "CSV", "text/csv")
TXT = FileType("txt", "TXT", "text/plain")

#: Accepted extensions and the type each promises.
EXTENSIONS: dict[str, FileType] = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".xlsx": XLSX,
    ".docx": DOCX,
    ".csv": CSV,
    ".txt": TXT,
}
ACCEPTED = "PDF, PNG, JPEG, XLSX, DOCX, CSV, TXT"
#: The ``accept`` attribute of upload inputs.
ACCEPT_ATTR = ",".join(EXTENSIONS)

_SIGNATURES = {
    b"%PDF-": "pdf",
    b"\x89PNG\r\n\x1a\n": "png",
    b"\xff\xd8\xff": "jpeg",
    b"PK\x03\x04": "zip",
}
#: Starts of binary formats that must never pass as text.
_BINARY_STARTS = (
    *_SIGNATURES,
    b"MZ",  # Windows executables
    b"\x7fELF",
    b"\xd0\xcf\x11\xe0",  # old Office files
    b"GIF8",
    b"\x1f\x8b",  # gzip
    b"Rar!",
    b"7z\xbc\xaf",
)


class FileRefused(ValueError):
    """The file breaks a limit; the message names it."""


def max_bytes() -> int:
    return int(settings.PANHUO.get("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024))


def human_size(n: int) -> str:
    """A size as people read it: 812 bytes, 1.0 KiB, 20.0 MiB, 1.2 GiB."""
    if n < 1024:
        return f"{n:,} bytes"
    for unit in ("KiB", "MiB", "GiB"):
        n /= 1024
        if n < 1024 or unit == "GiB":
            return f"{n:,.1f} {unit}"
    raise AssertionError("unreachable")


def too_large_message(limit: int, size: int | None = None) -> str:
    """The refusal of a file over ``limit``, with the file's real ``size`` when known (a 200 MB
    upload was reported as "20.0 MiB": the bytes read up to the limit, not the file)."""
    values = {"limit": human_size(limit), "bytes": f"{limit:,}"}
    if size is None:
        return gettext("the limit is %(limit)s (%(bytes)s bytes).") % values
    return gettext("The file is %(size)s; the limit is %(limit)s (%(bytes)s bytes).") % {
        **values,
        "size": human_size(size),
    }


def clean_filename(name: str) -> str:
    """The last part of the name the client sent, without control characters."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[-255:]


def _ooxml_kind(data: bytes) -> str:
    """'xlsx', 'docx', or 'zip' for any other (or broken) ZIP archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except Exception:  # zipfile raises many kinds of error on hostile input
        return "zip"
    if "[Content_Types].xml" not in names:
        return "zip"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    return "zip"


def _is_text(data: bytes) -> bool:
    if b"\x00" in data or data.startswith(_BINARY_STARTS):
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def sniff(data: bytes) -> str | None:
    """What the first bytes say the file is: pdf, png, jpeg, xlsx, docx, zip, text or None."""
    for signature, kind in _SIGNATURES.items():
        if data.startswith(signature):
            return _ooxml_kind(data) if kind == "zip" else kind
    return "text" if _is_text(data) else None


def check_file(name: str, data: bytes, size: int | None = None) -> FileType:
    """The file's type, if its name, size and content are acceptable; FileRefused otherwise.
    ``data`` may stop one byte past the limit; ``size`` is then the whole file's size."""
    limit = max_bytes()
    if not data:
        raise FileRefused(gettext("The file is empty."))
    size = max(size or 0, len(data))
    if size > limit:
        raise FileRefused(too_large_message(limit, size))
    suffix = PurePath(name).suffix.lower()
    promised = EXTENSIONS.get(suffix)
    if promised is None:
        shown = suffix or "no extension"
        raise FileRefused(
            gettext("Only %(accepted)s files are accepted, not %(shown)s.")
            % {"accepted": ACCEPTED, "shown": shown}
        )
    found = sniff(data)
    expected = "text" if promised in (CSV, TXT) else promised.key
    if found != expected:
        raise FileRefused(
            gettext(
                "The name says %(promised_label)s (%(suffix)s) but the content is not "
                "a %(promised_label)s file; only %(accepted)s files whose content "
                "matches their extension are accepted."
            )
            % {"promised_label": promised.label, "suffix": suffix, "accepted": ACCEPTED}
        )
    return promised


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_root() -> Path:
    return Path(settings.DATA_DIR) / "documents"


def relative_path(sha256: str) -> str:
    return f"documents/{sha256[:2]}/{sha256}"


def absolute_path(storage_path: str) -> Path:
    """Where a stored path lives; refuses paths that would leave the store."""
    root = store_root().resolve()
    path = (Path(settings.DATA_DIR) / storage_path).resolve()
    if not path.is_relative_to(root):
        raise FileRefused(gettext("The storage path leaves the document store."))
    return path


def store(data: bytes, sha256: str) -> tuple[str, bool]:
    """Put ``data`` in the store; returns its storage path and whether this call created it.

    An existing file with the same name is never touched; if its content no longer matches
    its name the store is damaged and the upload is refused (restore it from a backup).
    """
    rel = relative_path(sha256)
    final = absolute_path(rel)
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        _check_existing(final, sha256)
        return rel, False
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o440)
        try:
            os.link(tmp, final)  # fails, rather than replaces, if another writer got there
        except FileExistsError:
            _check_existing(final, sha256)
            return rel, False
    finally:
        os.unlink(tmp)
    return rel, True


def _check_existing(path: Path, sha256: str) -> None:
    if sha256_of(path.read_bytes()) != sha256:
        logger.error("Stored document file %s no longer matches its SHA-256", path)
        raise FileRefused(
            gettext(
                "A stored copy of this content is damaged; ask an administrator to "
                "restore the document store from a backup."
            )
        )


def discard(storage_path: str) -> None:
    """Remove a file this request stored, when the write that needed it failed."""
    try:
        absolute_path(storage_path).unlink(missing_ok=True)
    except OSError:
        logger.exception("Could not remove %s after a failed upload", storage_path)


def read_verified(storage_path: str, sha256: str) -> bytes | None:
    """The stored bytes if they still match ``sha256``; None if missing or changed."""
    try:
        data = absolute_path(storage_path).read_bytes()
    except (OSError, FileRefused):
        return None
    return data if sha256_of(data) == sha256 else None
