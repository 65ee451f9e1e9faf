"""Restore of a backup (see panhuo/site/backup.py for the archive): checks the whole archive
first and refuses a damaged or foreign file before touching the database, then replaces every
table's rows in one transaction, keeping primary keys, and resets PostgreSQL's sequences; so
either the whole backup is in the database or nothing changed. A database already in use is
refused unless ``force`` is given. An archive without a valid signature of the audit signing
key is refused first (backup_signing.py); ``--allow-unsigned`` restores an unsigned one and
records that in the audit log. After a restore a signed ``restore`` checkpoint is appended
(integrity/checkpoints.py), so the checkpoints of the replaced history do not count against
the restored chain.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from decimal import InvalidOperation
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.utils.translation import gettext as _

from panhuo.core.busy import retry_when_busy
from panhuo.integrity.checkpoints import audit_head_event, checkpoint_quietly
from panhuo.integrity.services import Operator
from panhuo.integrity.signing import SigningError
from panhuo.site.backup import (
    BATCH,
    FILLED_BY_MIGRATE,
    BackupError,
    RestoreResult,
    TableInfo,
    _columns,
    _decode,
    _file_list,
    _kind,
    _open,
    applied_migrations,
    backup_models,
    read_manifest,
    require_migrated,
)
from panhuo.site.backup_signing import (
    SignatureRefused,
    archived_checkpoints,
    check_signature,
    put_checkpoints_in_place,
)


def _check_files(archive: zipfile.ZipFile, name: str, files: list[tuple[str, str]]) -> None:
    for path, want in files:
        digest = hashlib.sha256()
        try:
            with archive.open(f"files/{path}") as f:
                while chunk := f.read(1024 * 1024):
                    digest.update(chunk)
        except KeyError:
            raise BackupError(
                _("%(name)s is incomplete: the file %(path)s is missing.")
                % {"name": name, "path": path}
            ) from None
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise BackupError(
                _("%(name)s is damaged: the file %(path)s cannot be read (%(exc)s).")
                % {"name": name, "path": path, "exc": exc}
            ) from None
        if digest.hexdigest() != want:
            raise BackupError(
                _("%(name)s is damaged: the file %(path)s does not match its checksum.")
                % {"name": name, "path": path}
            )


def _restore_files(archive: zipfile.ZipFile, files: list[tuple[str, str]]) -> int:
    """Put the backup's files in place (those already there with the same bytes are kept)."""
    written = 0
    for path, want in files:
        target = settings.DATA_DIR.joinpath(*path.split("/"))
        if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == want:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".restore-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out, archive.open(f"files/{path}") as src:
                shutil.copyfileobj(src, out, 1024 * 1024)
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
        written += 1
    return written


def _check_members(archive: zipfile.ZipFile, name: str, tables: list[TableInfo]) -> None:
    """Every table file is there, with its checksum and row count (before any write)."""
    for info in tables:
        digest = hashlib.sha256()
        rows = 0
        try:
            with archive.open(info.member) as f:
                for line in f:
                    digest.update(line)
                    rows += 1
        except KeyError:
            raise BackupError(
                _("%(name)s is incomplete: %(info_member)s is missing.")
                % {"name": name, "info_member": info.member}
            ) from None
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise BackupError(
                _("%(name)s is damaged: %(info_member)s cannot be read (%(exc)s).")
                % {"name": name, "info_member": info.member, "exc": exc}
            ) from None
        if digest.hexdigest() != info.sha256 or rows != info.rows:
            raise BackupError(
                _(
                    "%(name)s is damaged: %(info_member)s does not match its checksum "
                    "(%(rows)s rows read, %(info_rows)s expected)."
                )
                % {"name": name, "info_member": info.member, "rows": rows, "info_rows": info.rows}
            )


def _check_schema(manifest: dict[str, Any], name: str, tables: list[TableInfo]) -> dict:
    here = applied_migrations()
    if not here:
        raise BackupError(_("This database has no tables yet: run `panhuo migrate` first."))
    theirs = sorted([str(a), str(n)] for a, n in manifest.get("migrations", []))
    if here != theirs:
        missing = [f"{a}.{n}" for a, n in theirs if [a, n] not in here]
        extra = [f"{a}.{n}" for a, n in here if [a, n] not in theirs]
        raise BackupError(
            " ".join(
                [
                    _("%(name)s was taken at another schema state than this database's.")
                    % {"name": name},
                    *(
                        [_("Not applied here: %(names)s.") % {"names": ", ".join(missing[:5])}]
                        if missing
                        else []
                    ),
                    *(
                        [_("Not in the backup: %(names)s.") % {"names": ", ".join(extra[:5])}]
                        if extra
                        else []
                    ),
                    _("Restore into a database migrated to the same Panhuo version."),
                ]
            )
        )
    by_label = {m._meta.label_lower: m for m in backup_models()}
    mine = set(by_label)
    named = {t.model for t in tables}
    if mine != named:
        raise BackupError(
            _("%(name)s holds other tables than this database: %(choices)s.")
            % {"name": name, "choices": ", ".join(sorted(mine ^ named)[:5])}
        )
    for info in tables:
        model = by_label[info.model]
        want = [(f.attname, _kind(f)) for f in _columns(model)]
        if want != info.columns:
            raise BackupError(
                _("%(name)s: the columns of %(info_model)s differ from this database's.")
                % {"name": name, "info_model": info.model}
            )
    return by_label


def tables_in_use() -> list[str]:
    """Tables holding rows that ``migrate`` did not put there (the target is in use)."""
    return [
        m._meta.label_lower
        for m in backup_models()
        if m._meta.label_lower not in FILLED_BY_MIGRATE and m._base_manager.exists()
    ]


def _insert(model: type[models.Model], info: TableInfo, lines: Iterator[bytes]) -> int:
    fields = _columns(model)
    kinds = [_kind(f) for f in fields]
    qn = connection.ops.quote_name
    names = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join("%s" for _ in fields)
    # Table and column names come from the models' metadata, quoted; values are bound.
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    n = 0
    batch: list[list[Any]] = []
    with connection.cursor() as cursor:
        for line in lines:
            try:
                raw = json.loads(line)
                if not isinstance(raw, list) or len(raw) != len(fields):
                    raise ValueError("wrong number of columns")
                values = [
                    f.get_db_prep_save(_decode(k, v), connection=connection)
                    for f, k, v in zip(fields, kinds, raw, strict=True)
                ]
            except (ValueError, TypeError, InvalidOperation) as exc:
                raise BackupError(
                    _(
                        "Row %(value)s of %(info_model)s cannot be read (%(exc)s); nothing was "
                        "restored."
                    )
                    % {"value": n + 1, "info_model": info.model, "exc": exc}
                ) from None
            batch.append(values)
            n += 1
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
    return n


@retry_when_busy
def restore(
    path: str | Path,
    *,
    force: bool = False,
    allow_unsigned: bool = False,
    public_key: Ed25519PublicKey | None = None,
    operator: str = "",
) -> RestoreResult:
    """Replace this database's rows with the backup's, all or nothing (see the module doc).
    The archive must carry a valid signature (backup_signing.py); ``allow_unsigned`` lets an
    unsigned one through and records that in the audit log, naming ``operator``."""
    path = Path(path)
    with _open(path) as archive:
        manifest, tables = read_manifest(archive, path.name)
        try:
            signed = check_signature(
                archive, path.name, allow_unsigned=allow_unsigned, public_key=public_key
            )
        except (SignatureRefused, SigningError) as exc:
            raise BackupError(str(exc)) from None
        checkpoints = archived_checkpoints(archive, manifest)
        _check_members(archive, path.name, tables)
        files = _file_list(manifest, path.name)
        _check_files(archive, path.name, files)
        require_migrated()
        by_label = _check_schema(manifest, path.name, tables)
        in_use = tables_in_use()
        if in_use and not force:
            raise BackupError(
                _(
                    "This database is in use (rows in %(tables)s): restore into an empty "
                    "migrated database, or pass --force to replace everything in it."
                )
                % {"tables": ", ".join(in_use[:5]) + (" …" if len(in_use) > 5 else "")}
            )
        total = 0
        try:
            with transaction.atomic():
                qn = connection.ops.quote_name
                with connection.cursor() as cursor:
                    for model in by_label.values():
                        # Every foreign key is deferred to the commit, so the order is free.
                        cursor.execute(f"DELETE FROM {qn(model._meta.db_table)}")  # noqa: S608
                for info in tables:
                    with archive.open(info.member) as f:
                        total += _insert(by_label[info.model], info, iter(f))
                _reset_sequences(list(by_label.values()))
                if not signed:
                    # The audit log says that an unsigned archive was let in, and by whom.
                    audit_head_event(
                        actor=Operator(operator or "unknown"),
                        action="backup.restore_unsigned",
                        after={
                            "file": path.name,
                            "created_at": str(manifest.get("created_at", "")),
                            "database": str(manifest.get("database", "")),
                            "signed": False,
                        },
                    )
                # Deferred foreign keys are checked now, also inside a caller's transaction.
                connection.check_constraints()
                # Last, so that a refused row leaves the stores as they were; a file that
                # cannot be written rolls the rows back.
                written = _restore_files(archive, files)
        except DatabaseError as exc:
            raise BackupError(
                _("The database refused the backup's rows (%(exc)s); nothing was restored.")
                % {"exc": exc}
            ) from None
        except OSError as exc:
            raise BackupError(
                _("The backup's files cannot be written (%(exc)s); nothing was restored.")
                % {"exc": exc}
            ) from None
    # The restored chain is anchored again: the checkpoints made before describe the history
    # this restore replaced (integrity/checkpoints.py).
    put_checkpoints_in_place(checkpoints)
    checkpoint_quietly(f"restored {path.name}", kind="restore")
    return RestoreResult(
        tables=len(tables),
        rows=total,
        created_at=str(manifest.get("created_at", "")),
        source_database=str(manifest.get("database", "")),
        files=written,
    )


def _reset_sequences(model_list: list[type[models.Model]]) -> None:
    """Next ids follow the restored ones (PostgreSQL; SQLite's AUTOINCREMENT follows by
    itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
