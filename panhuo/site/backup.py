"""Backup and restore of the whole database, the same on SQLite and PostgreSQL.

A backup is a ZIP archive (deflate-compressed) holding:

- ``manifest.json``: the format and its version, when and from which database it was taken,
  the applied migrations (the schema state), and for every table its model, columns (with their
  field types), row count and the SHA-256 of its rows file;
- ``tables/<app_label>.<model>.jsonl``: one JSON array per row, in primary-key order, in the
  column order of the manifest. Decimals, dates and times are written as exact text (never
  floats), JSON fields as JSON;
- ``files/<store>/...``: the files the rows point to, from the data directory's file stores
  (``FILE_STORES``: stored documents, uploaded import files), each with its SHA-256 in the
  manifest;
- ``audit/checkpoints.jsonl``: the signed audit checkpoints (kept outside the database), with
  its SHA-256 in the manifest, which also names the audit chain's head at the backup;
- ``signature.json``: the manifest's Ed25519 signature with the audit signing key
  (backup_signing.py), which ``restore`` requires.

Every model table is included (Django's own tables too: users' sessions, permissions, content
types, the task queue). The rows of a backup are read in one transaction (on PostgreSQL a
REPEATABLE READ snapshot), so it is consistent even while others write; the archive is written
to a temporary file and renamed, so a backup file is never half-written.

A restore checks the whole archive first (manifest, each file's checksum and row count, the
schema state against this database's migrations, the columns against the models) and refuses a
damaged or foreign file before touching the database. It then replaces every table's rows in
one transaction, keeping primary keys, and resets PostgreSQL's sequences, so either the whole
backup is in the database or nothing changed. A database already in use is refused unless
``force`` is given. The audit log's triggers refuse UPDATE only: restore inserts its entries
as they were (same sequence numbers and hashes), so ``audit verify`` passes afterwards.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

import panhuo
from panhuo.core.busy import retry_when_busy
from panhuo.integrity.models import AuditHead
from panhuo.integrity.signing import SigningError
from panhuo.site.backup_signing import add_checkpoints, sign_archive

FORMAT = "panhuo-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
#: Tables a fresh ``migrate`` fills by itself; rows there do not make a database "in use".
FILLED_BY_MIGRATE = frozenset(
    {
        "contenttypes.contenttype",
        "auth.permission",
        "register.classificationedition",
        "register.classificationcode",
        "monitor.revenuecategory",
    }
)
BATCH = 2000
#: Folders of the data directory whose files the database's rows name (content-addressed).
FILE_STORES = ("documents", "imports")


class BackupError(Exception):
    """The archive cannot be restored here (damaged, foreign, other schema) or the target is in
    use; the message says which and what to do."""


@dataclass
class TableInfo:
    model: str
    table: str
    columns: list[tuple[str, str]]
    rows: int
    sha256: str

    @property
    def member(self) -> str:
        return f"tables/{self.model}.jsonl"


@dataclass
class RestoreResult:
    tables: int
    rows: int
    created_at: str
    source_database: str
    files: int = 0


def backup_models() -> list[type[models.Model]]:
    """Every concrete, managed model with its own table (many-to-many tables included)."""
    seen: set[str] = set()
    result = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        seen.add(meta.db_table)
        result.append(model)
    return sorted(result, key=lambda m: m._meta.label_lower)


def _columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def _kind(field: models.Field) -> str:
    return field.get_internal_type()


# --- values to and from JSON ------------------------------------------------------------------


def _utc_iso(value: dt.datetime) -> str:
    return (value.astimezone(dt.UTC) if timezone.is_aware(value) else value).isoformat()


def _iso(value) -> str:
    return value.isoformat()


#: Per field type, (to JSON, from JSON); a value of any other type is stored as it is.
_CODECS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "DecimalField": (str, Decimal),
    "DateTimeField": (_utc_iso, dt.datetime.fromisoformat),
    "DateField": (_iso, dt.date.fromisoformat),
    "TimeField": (_iso, dt.time.fromisoformat),
    "DurationField": (
        lambda v: v // dt.timedelta(microseconds=1),
        lambda v: dt.timedelta(microseconds=v),
    ),
    "UUIDField": (str, uuid.UUID),
    "BinaryField": (lambda v: base64.b64encode(bytes(v)).decode("ascii"), base64.b64decode),
}


def _encode(kind: str, value: Any) -> Any:
    codec = _CODECS.get(kind)
    return value if value is None or codec is None else codec[0](value)


def _decode(kind: str, value: Any) -> Any:
    codec = _CODECS.get(kind)
    return value if value is None or codec is None else codec[1](value)


def table_rows(model: type[models.Model]) -> Iterator[list[Any]]:
    """The table's rows as JSON-ready lists, in primary-key order (what a backup holds)."""
    fields = _columns(model)
    kinds = [_kind(f) for f in fields]
    qs = model._base_manager.order_by("pk").values_list(*[f.attname for f in fields])
    for row in qs.iterator(chunk_size=BATCH):
        yield [_encode(k, v) for k, v in zip(kinds, row, strict=True)]


def applied_migrations() -> list[list[str]]:
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return []
    return sorted([app, name] for app, name in recorder.applied_migrations())


def require_migrated() -> None:
    """Backups and restores need the database at this code's schema."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        raise BackupError(
            _(
                "This database is not migrated to this Panhuo version (not applied: "
                "%(names)s): run `panhuo migrate` first."
            )
            % {"names": names}
        )


# --- backup -----------------------------------------------------------------------------------


@retry_when_busy
def backup(path: str | Path) -> dict[str, Any]:
    """Write the whole database to ``path`` (replaced atomically); returns the manifest."""
    path = Path(path)
    require_migrated()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".backup-", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                # One snapshot for every table (only a transaction's first statement may say).
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            tables = []
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for model in backup_models():
                    info = TableInfo(
                        model=model._meta.label_lower,
                        table=model._meta.db_table,
                        columns=[(f.attname, _kind(f)) for f in _columns(model)],
                        rows=0,
                        sha256="",
                    )
                    digest = hashlib.sha256()
                    with archive.open(info.member, "w", force_zip64=True) as out:
                        for row in table_rows(model):
                            line = (
                                json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"
                            ).encode("utf-8")
                            digest.update(line)
                            out.write(line)
                            info.rows += 1
                    info.sha256 = digest.hexdigest()
                    tables.append(info)
                manifest = {
                    "format": FORMAT,
                    "version": FORMAT_VERSION,
                    "panhuo": panhuo.__version__,
                    "created_at": timezone.now().astimezone(dt.UTC).isoformat(),
                    "database": connection.vendor,
                    "migrations": applied_migrations(),
                    "tables": [
                        {
                            "model": t.model,
                            "table": t.table,
                            "columns": [list(c) for c in t.columns],
                            "rows": t.rows,
                            "sha256": t.sha256,
                        }
                        for t in tables
                    ],
                }
                manifest["files"] = _backup_files(archive)
                manifest["checkpoints"] = add_checkpoints(archive)
                head = AuditHead.objects.filter(id=1).values("last_seq", "last_hash").first()
                manifest["audit_head"] = head
                data = json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8")
                archive.writestr(MANIFEST, data)
                try:
                    sign_archive(archive, data)
                except SigningError as exc:
                    raise BackupError(str(exc)) from None
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return manifest


# --- reading an archive ----------------------------------------------------------------------


def _open(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise BackupError(_("There is no file %(path)s.") % {"path": path})
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(
            _("%(path)s is not a Panhuo backup, or it is damaged or incomplete (%(exc)s).")
            % {"path": path.name, "exc": exc}
        ) from None


def _store_files() -> Iterator[tuple[str, Path]]:
    """(name in the archive, path) of every file in the file stores (temporary files aside)."""
    for store in FILE_STORES:
        root = settings.DATA_DIR / store
        if not root.is_dir():
            continue
        for file in sorted(root.rglob("*")):
            rel = file.relative_to(root)
            if file.is_file() and not any(part.startswith(".") for part in rel.parts):
                yield f"{store}/{rel.as_posix()}", file


def _backup_files(archive: zipfile.ZipFile) -> list[dict[str, Any]]:
    files = []
    for name, file in _store_files():
        digest = hashlib.sha256()
        size = 0
        with file.open("rb") as src, archive.open(f"files/{name}", "w", force_zip64=True) as out:
            while chunk := src.read(1024 * 1024):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        files.append({"path": name, "size": size, "sha256": digest.hexdigest()})
    return files


def _file_list(manifest: dict[str, Any], name: str) -> list[tuple[str, str]]:
    """(path, sha256) of the backup's files, each path checked to stay inside its store."""
    result = []
    try:
        for entry in manifest.get("files", []):
            path, digest = str(entry["path"]), str(entry["sha256"])
            parts = path.split("/")
            if parts[0] not in FILE_STORES or len(parts) < 2 or ".." in parts or "" in parts:
                raise ValueError(f"file outside the stores: {path!r}")
            result.append((path, digest))
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(
            _("%(name)s: the manifest is damaged (%(exc)s).") % {"name": name, "exc": exc}
        ) from None
    return result


def read_manifest(archive: zipfile.ZipFile, name: str) -> tuple[dict[str, Any], list[TableInfo]]:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError(
            _("%(name)s is not a Panhuo backup: it has no %(manifest)s.")
            % {"name": name, "manifest": MANIFEST}
        ) from None
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(
            _("%(name)s: the manifest is damaged (%(exc)s).") % {"name": name, "exc": exc}
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            _("%(name)s is not a Panhuo backup (its manifest names no %(format)s).")
            % {"name": name, "format": FORMAT}
        )
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(
            _(
                "%(name)s is a backup of format version %(value)s; this Panhuo reads "
                "version %(format_version)s."
            )
            % {"name": name, "value": manifest.get("version"), "format_version": FORMAT_VERSION}
        )
    try:
        tables = [
            TableInfo(
                model=str(t["model"]),
                table=str(t["table"]),
                columns=[(str(a), str(k)) for a, k in t["columns"]],
                rows=int(t["rows"]),
                sha256=str(t["sha256"]),
            )
            for t in manifest["tables"]
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(
            _("%(name)s: the manifest is damaged (%(exc)s).") % {"name": name, "exc": repr(exc)}
        ) from None
    return manifest, tables


def read_rows(path: str | Path) -> dict[str, list[list[Any]]]:
    """Every table's rows as the archive holds them (for comparing two backups)."""
    path = Path(path)
    with _open(path) as archive:
        _manifest, tables = read_manifest(archive, path.name)
        return {
            t.model: [json.loads(line) for line in io.BytesIO(archive.read(t.member))]
            for t in tables
        }
