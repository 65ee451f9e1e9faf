"""The test world built once per worker and laid down again by replaying its inserts.

``build_world()`` makes the jurisdiction tree, the units, the task force and 19 users with
their roles: about 70 queries through the ORM, for every one of thousands of tests. The first
test of a worker builds it for real and keeps a copy of the rows it wrote; the second inserts
those same rows (same primary keys) with one bulk insert per table and records the SQL those
inserts ran; every later test replays that SQL (a handful of statements, no ORM) inside its
own transaction, and gets its own copy of the same ``World`` (unpickled: a fresh object graph,
much cheaper than a deep copy). Nothing is shared between tests but these bytes: each test
still rolls its rows back (or flushes them).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection

from panhuo.core.testing import World, build_world
from panhuo.core.tests import replay


@dataclass
class _Snapshot:
    world: bytes
    rows: list[tuple[type, list]]
    #: (sql, params, many) of the bulk inserts, recorded the first time they ran.
    inserts: list[tuple[str, object, bool]] = field(default_factory=list)
    #: ``_flushes()`` when taken: after a flush the world is built again (content types).
    generation: int = 0
    #: The recorded inserts and the sequence resets as one query (PostgreSQL; ``replay``),
    #: once rendered.
    text: str | None = None
    rendered: bool = False


_snapshot: _Snapshot | None = None


def _pks(models) -> dict[type, set]:
    return {model: set(model._base_manager.values_list("pk", flat=True)) for model in models}


def _take() -> tuple[World, _Snapshot]:
    """Build the world and note every row it wrote, table by table."""
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed]
    before = _pks(models)
    world = build_world()
    rows = []
    for model, pks in _pks(models).items():
        new = pks - before[model]
        if new:
            rows.append((model, list(model._base_manager.filter(pk__in=new).order_by("pk"))))
    return world, _Snapshot(world=pickle.dumps(world), rows=rows)


def _insert(snapshot: _Snapshot) -> None:
    """Lay the rows down and set the id sequences past them: through the ORM once (recording
    its SQL), by replay after that (one round trip on PostgreSQL: ``replay``)."""
    # PostgreSQL's id sequences must not hand out the ids just inserted by hand.
    resets = connection.ops.sequence_reset_sql(no_style(), [m for m, _ in snapshot.rows])
    if snapshot.inserts:
        if not snapshot.rendered:
            snapshot.text = replay.render(snapshot.inserts, resets)
            snapshot.rendered = True
        replay.run(snapshot.inserts, resets, snapshot.text)
        return
    recorded: list[tuple[str, object, bool]] = []

    def record(execute, sql, params, many, context):
        recorded.append((sql, params, many))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        for model, objs in snapshot.rows:
            # Our own bytes, made in this process a line before.
            model._base_manager.bulk_create(pickle.loads(pickle.dumps(objs)))  # noqa: S301
    snapshot.inserts = recorded
    replay.run([], resets)


def world_for_test() -> World:
    """The world for one test: built the first time in this process, laid down after that."""
    global _snapshot
    if _snapshot is None or _snapshot.generation != _flushes():
        world, _snapshot = _take()
        _snapshot.generation = _flushes()
        return world
    _insert(_snapshot)
    return pickle.loads(_snapshot.world)  # noqa: S301 (our own bytes, from _take)


def _flushes() -> int:
    """The flush count of the ``seeded`` plugin, imported here and not at the top: pytest
    registers that plugin from conftest.py and must import it first (assertion rewriting)."""
    from panhuo.core.tests import seeded

    return seeded.flushes
