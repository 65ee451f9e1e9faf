"""The small demo seeded once per worker and laid down again by replaying its inserts.

``seed_demo(size=SMALL)`` costs 4–8 seconds on SQLite and more on PostgreSQL, and about eight
test modules want the seeded demo to look at (its gates, valuations, approvals, documents,
deposits, backups...). Each used to seed it again, on every worker and on both databases:
most of a CI minute. Now the first of them in a worker seeds it for real, copies every row the
seed wrote (and every file it stored under ``DATA_DIR``), and rolls the seed back; every later
caller in that worker gets the same rows by replaying the recorded inserts (raw values, so that
``auto_now`` timestamps and the audit chain stay exactly as the seed wrote them) and the same
files. The test that the seed itself is deterministic (test_demo.py) seeds again for real and
compares with this copy (``seeded_on`` names its day); ``panhuo demo`` in .ci/run seeds for real.

The seed runs with the amount plausibility check on (the demo as a user sees it), whatever the
calling test's ``amount_check`` marker says. The copy is taken, and laid down, only on a database
without users (the migrated database: the demo makes its own), so its primary keys are free.
After a flush that made content types again under new ids the demo is seeded again, as
``world_snapshot`` does for the test world; so it is on another day (the seed's clock reads it).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from panhuo.disposal import amounts
from panhuo.organisation.models import User
from panhuo.site.demo import SMALL, SeedResult, seed_demo

#: The real plausibility check, taken before conftest's per-test stub can replace it.
_real_amount_check = amounts.check


@dataclass
class _Snapshot:
    result: SeedResult
    rows: list[tuple[type, list]]
    #: Files the seed stored, relative to DATA_DIR, with their bytes.
    files: dict[str, bytes]
    #: (sql, params, many) of the raw inserts, recorded the first time they ran.
    inserts: list[tuple[str, object, bool]] = field(default_factory=list)
    generation: int = 0
    #: The local date it was seeded on: the seed's clock and gates read "today".
    day: object = None


_snapshot: _Snapshot | None = None


class DemoSnapshotError(RuntimeError):
    """The seed did something a copy of its new rows cannot repeat, or the database is not
    the empty migrated one the copy needs."""


def _models() -> list[type]:
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]


def _contents(model) -> list[tuple]:
    fields = [f.attname for f in model._meta.local_concrete_fields]
    return list(model._base_manager.order_by("pk").values_list(*fields))


def _require_empty() -> None:
    if User.objects.exists():
        raise DemoSnapshotError(
            "the seeded demo is laid down on the migrated database only (this one has users: "
            "the demo's primary keys could collide with them)"
        )


def _take(today) -> _Snapshot:
    """Seed for real (on the day ``today``) in a savepoint, copy what it wrote, roll it back."""
    _require_empty()
    models = _models()
    with tempfile.TemporaryDirectory(prefix="panhuo-demo-") as tmp:
        data_dir = Path(tmp)
        with override_settings(DATA_DIR=data_dir), transaction.atomic():
            before = {m: _contents(m) for m in models}
            check, amounts.check = amounts.check, _real_amount_check
            try:
                result = seed_demo(size=SMALL, today=today)
            finally:
                amounts.check = check
            rows = []
            for model in models:
                old = before[model]
                after = _contents(model)
                old_pks = {row[0] for row in old} if old else set()
                if old and [r for r in after if r[0] in old_pks] != old:
                    raise DemoSnapshotError(
                        f"the demo seed changed or deleted rows of {model._meta.label} that it "
                        "did not write; demo_snapshot copies new rows only"
                    )
                new = [r[0] for r in after if r[0] not in old_pks]
                if new:
                    objs = list(model._base_manager.filter(pk__in=new).order_by("pk"))
                    rows.append((model, objs))
            transaction.set_rollback(True)
        files = {
            str(p.relative_to(data_dir)): p.read_bytes()
            for p in sorted(data_dir.rglob("*"))
            if p.is_file() and p.relative_to(data_dir).parts[0] != "cache"
        }
    return _Snapshot(result=result, rows=rows, files=files)


def _insert(snapshot: _Snapshot) -> None:
    """The rows, with their own ids and raw values: through the ORM's raw insert once (its SQL
    recorded), by replaying that SQL after."""
    with transaction.atomic():
        if snapshot.inserts:
            with connection.cursor() as cursor:
                for sql, params, many in snapshot.inserts:
                    (cursor.executemany if many else cursor.execute)(sql, params)
        else:
            recorded: list[tuple[str, object, bool]] = []

            def record(execute, sql, params, many, context):
                recorded.append((sql, params, many))
                return execute(sql, params, many, context)

            with connection.execute_wrapper(record):
                for model, objs in snapshot.rows:
                    fields = list(model._meta.local_concrete_fields)
                    size = connection.ops.bulk_batch_size(fields, objs) or len(objs)
                    for start in range(0, len(objs), size):
                        # raw=True: the values as stored, not auto_now's "now".
                        model._base_manager._insert(
                            objs[start : start + size], fields=fields, raw=True
                        )
            snapshot.inserts = recorded
        # PostgreSQL's id sequences must not hand out the ids just inserted by hand.
        statements = connection.ops.sequence_reset_sql(no_style(), [m for m, _ in snapshot.rows])
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
    root = Path(settings.DATA_DIR)
    for name, data in snapshot.files.items():
        path = root / name
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def seed_small_demo() -> SeedResult:
    """The database as ``seed_demo(size=SMALL)`` leaves an empty one, and that seed's result;
    documents' files land in the current ``DATA_DIR``. Call it inside the test's (or the
    module's) transaction, which rolls the demo back as it would a real seed."""
    global _snapshot
    today = timezone.localdate()
    if _snapshot is None or _snapshot.generation != _flushes() or _snapshot.day != today:
        _snapshot = _take(today)
        _snapshot.generation = _flushes()
        _snapshot.day = today
    else:
        _require_empty()
    _insert(_snapshot)
    return _snapshot.result


def seeded_on():
    """The day the worker's copy was seeded on (``seed_demo``'s ``today``), after a call of
    ``seed_small_demo``: a real seed on that day must give the same rows (test_demo.py)."""
    assert _snapshot is not None, "seed_small_demo() has not run in this worker"
    return _snapshot.day


def _flushes() -> int:
    from panhuo.core.tests import seeded

    return seeded.flushes


__all__ = ["DemoSnapshotError", "seed_small_demo", "seeded_on"]
