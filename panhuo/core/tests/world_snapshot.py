"""The test world built once per worker and laid down again by bulk inserts.

``build_world()`` makes the jurisdiction tree, the units, the task force and 19 users with
their roles: about 70 queries through the ORM, for every one of thousands of tests. The first
test of a worker builds it for real and keeps a copy of the rows it wrote; every later test
inserts those same rows (same primary keys) with one bulk insert per table, inside its own
transaction, and gets a deep copy of the same ``World``. Nothing is shared between tests but
the Python copy: each test still rolls its rows back (or flushes them).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection

from panhuo.core.testing import World, build_world


@dataclass
class _Snapshot:
    world: World
    rows: list[tuple[type, list]]


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
    return world, _Snapshot(world=copy.deepcopy(world), rows=rows)


def world_for_test() -> World:
    """The world for one test: built the first time in this process, laid down after that."""
    global _snapshot
    if _snapshot is None:
        world, _snapshot = _take()
        return world
    for model, objs in _snapshot.rows:
        model._base_manager.bulk_create(copy.deepcopy(objs))
    # PostgreSQL's id sequences must not hand out the ids just inserted by hand.
    statements = connection.ops.sequence_reset_sql(no_style(), [m for m, _ in _snapshot.rows])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    return copy.deepcopy(_snapshot.world)
