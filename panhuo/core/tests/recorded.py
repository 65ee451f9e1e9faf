"""A test-data builder run for real once per worker, and replayed after that.

``build_api_world()`` makes records in every state through the services (packages, projects,
a concluded sale, receipts, a debt, an allocation): a second of work under load, for every one
of several hundred tests. ``@recorded`` runs the builder for real the first time in a worker
process and notes what it changed, table by table (rows it inserted, rows it updated, rows it
deleted, with their primary keys); every later call applies the same changes again inside the
calling test's transaction (the first time through the ORM, recording the SQL; then by replaying
that SQL) and hands back an unpickled copy of what the builder returned. Files the builder
stored under ``DATA_DIR`` (documents' bytes) are kept too and written again, where missing, into
the calling test's ``DATA_DIR``.

A replay is only correct in the state the recording was made in: recordings are kept per
flush generation (a flush makes content types again under new ids) and per the rows the
arguments name (the matrix builds its own ``World``, with other ids on PostgreSQL). If the
calling test wrote rows first and a replayed row collides with one of them, the replay is
rolled back to its savepoint and the builder runs for real instead, so a replay can be slower
but never wrong in a way that passes silently: the ids are the recorded ids, anything else
that differs is the caller's own rows.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction
from django.db.models import Model

from panhuo.core.tests import replay


def _models() -> list[type]:
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]


def _rows(model) -> dict:
    names = [f.attname for f in model._meta.concrete_fields]
    return {row[0]: row for row in model._base_manager.order_by().values_list("pk", *names)}


@dataclass
class _Changes:
    #: (model, instances) to insert with their recorded primary keys.
    inserts: list[tuple[type, list]] = field(default_factory=list)
    #: (model, pk, {attname: value}) for rows the builder changed.
    updates: list[tuple[type, object, dict]] = field(default_factory=list)
    #: (model, [pk, ...]) for rows the builder deleted.
    deletes: list[tuple[type, list]] = field(default_factory=list)
    #: (sql, params, many) of the first replay, replayed as they are after that.
    sql: list[tuple[str, object, bool]] = field(default_factory=list)
    result: bytes = b""
    #: Files the builder stored, relative to DATA_DIR, with their bytes.
    files: dict[str, bytes] = field(default_factory=dict)
    #: ``sql`` as one query (PostgreSQL; ``replay``), once rendered.
    text: str | None = None
    rendered: bool = False
    #: The statements that set the id sequences past the replayed ids (one on PostgreSQL).
    resets: list[str] | None = None

    @property
    def touched(self) -> list[type]:
        return [m for m, _ in self.inserts]


class _Pickler(pickle.Pickler):
    """Pickles the builder's result, but the call's own arguments by reference: a replay hands
    back the caller's objects (its ``World``), not copies of the first caller's."""

    def __init__(self, file, args):
        super().__init__(file)
        self._args = {id(a): i for i, a in enumerate(args)}

    def persistent_id(self, obj):
        return self._args.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, args):
        super().__init__(file)
        self._args = args

    def persistent_load(self, pid):
        return self._args[pid]


def _diff(before: dict, after: dict) -> _Changes:
    changes = _Changes()
    for model, rows in after.items():
        old = before[model]
        names = [f.attname for f in model._meta.concrete_fields]
        new = [pk for pk in rows if pk not in old]
        if new:
            objs = list(model._base_manager.filter(pk__in=new).order_by("pk"))
            changes.inserts.append((model, objs))
        for pk, row in rows.items():
            if pk in old and old[pk] != row:
                values = {
                    n: v for n, v, w in zip(names, row[1:], old[pk][1:], strict=True) if v != w
                }
                changes.updates.append((model, pk, values))
        gone = [pk for pk in old if pk not in rows]
        if gone:
            changes.deletes.append((model, gone))
    return changes


def _apply(changes: _Changes) -> None:
    if changes.sql:
        # One round trip on PostgreSQL (``replay``), rendered the first time it is replayed.
        if not changes.rendered:
            changes.text = replay.render(changes.sql)
            changes.rendered = True
        replay.run(changes.sql, text=changes.text)
        return
    recorded: list[tuple[str, object, bool]] = []

    def record(execute, sql, params, many, context):
        recorded.append((sql, params, many))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        for model, pks in changes.deletes:
            model._base_manager.filter(pk__in=pks).delete()
        for model, objs in changes.inserts:
            # Our own bytes, made in this process: a fresh copy of the recorded rows.
            model._base_manager.bulk_create(pickle.loads(pickle.dumps(objs)))  # noqa: S301
        for model, pk, values in changes.updates:
            model._base_manager.filter(pk=pk).update(**values)
    changes.sql = recorded


def _files() -> dict[str, Path]:
    """The files under DATA_DIR (its ``cache`` aside), by their path relative to it."""
    root = Path(settings.DATA_DIR)
    if not root.is_dir():
        return {}
    return {
        str(p.relative_to(root)): p
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).parts[0] != "cache"
    }


def _lay_files(files: dict[str, bytes]) -> None:
    root = Path(settings.DATA_DIR)
    for name, data in files.items():
        path = root / name
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def _signature(value) -> object:
    """What a replay must match in the arguments: the rows they name (a ``World`` built by
    another fixture, or after a flush, holds other ids), not the Python objects."""
    if isinstance(value, Model):
        return (value._meta.label, value.pk)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(
            (f.name, _signature(getattr(value, f.name))) for f in dataclasses.fields(value)
        )
    if isinstance(value, dict):
        return tuple(sorted((k, _signature(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_signature(v) for v in value)
    return repr(value)


def recorded(build):
    """Run ``build(*args)`` for real once per process and arguments, replay its changes
    after that."""
    recordings: dict[object, _Changes] = {}

    @functools.wraps(build)
    def wrapper(*args):
        key = (_flushes(), _signature(args))
        changes = recordings.get(key)
        if changes is not None:
            try:
                with transaction.atomic():
                    _apply(changes)
            except IntegrityError:
                # The caller's own rows are in the way: build for real (see the module doc).
                return build(*args)
            # The sequences set past the replayed ids: one query on PostgreSQL (``replay``).
            if changes.resets is None:
                resets = connection.ops.sequence_reset_sql(no_style(), changes.touched)
                text = replay.render([], resets)
                changes.resets = [text] if text else resets
            replay.run([], changes.resets)
            _lay_files(changes.files)
            return _Unpickler(io.BytesIO(changes.result), args).load()
        models = _models()
        before = {m: _rows(m) for m in models}
        files_before = _files()
        result = build(*args)
        changes = _diff(before, {m: _rows(m) for m in models})
        changes.files = {
            name: path.read_bytes() for name, path in _files().items() if name not in files_before
        }
        buffer = io.BytesIO()
        _Pickler(buffer, args).dump(result)
        changes.result = buffer.getvalue()
        recordings[key] = changes
        return result

    return wrapper


def _flushes() -> int:
    """The flush count of the ``seeded`` plugin, imported here and not at the top: pytest
    registers that plugin from conftest.py and must import it first (assertion rewriting)."""
    from panhuo.core.tests import seeded

    return seeded.flushes
