"""The test databases are copies of one migrated database (``migrated.py``): a copy must be what
the migrations make, and a changed migration must make a new copy."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from panhuo.core.tests import migrated

pytestmark = pytest.mark.django_db


def test_every_migration_on_disk_is_recorded_as_applied():
    """A copy made before a migration was added would leave it unapplied."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    assert plan == []


def test_every_model_has_its_table_and_columns():
    """The copied schema holds every managed model's table with every concrete column."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        missing = []
        for model in apps.get_models(include_auto_created=True):
            if not model._meta.managed or model._meta.proxy:
                continue
            table = model._meta.db_table
            if table not in tables:
                missing.append(table)
                continue
            columns = {
                c.name for c in connection.introspection.get_table_description(cursor, table)
            }
            fields = model._meta.concrete_fields
            missing += [f"{table}.{f.column}" for f in fields if f.column not in columns]
    assert missing == []


def test_data_migrations_rows_are_in_the_copy():
    """The copy carries what data migrations wrote (classification codes, revenue categories)."""
    from panhuo.monitor.models import RevenueCategory
    from panhuo.register.models import ClassificationCode

    assert RevenueCategory.objects.exists()
    assert ClassificationCode.objects.exists()


def _app(tmp_path, name, files):
    folder = tmp_path / name / "migrations"
    folder.mkdir(parents=True)
    for file, text in files.items():
        (folder / file).write_text(text)
    return SimpleNamespace(name=name, path=str(tmp_path / name))


def test_the_key_follows_the_migration_files_and_the_engine(tmp_path):
    one = _app(tmp_path, "one", {"__init__.py": "", "0001_initial.py": "A = 1\n"})
    key = migrated.migrations_key("sqlite", [one])
    assert key == migrated.migrations_key("sqlite", [one])
    assert key != migrated.migrations_key("postgresql", [one])
    (tmp_path / "one" / "migrations" / "0001_initial.py").write_text("A = 2\n")
    edited = migrated.migrations_key("sqlite", [one])
    assert edited != key
    (tmp_path / "one" / "migrations" / "0002_more.py").write_text("B = 1\n")
    assert migrated.migrations_key("sqlite", [one]) != edited


def test_copies_for_other_migration_sets_stay_and_old_ones_go(tmp_path, monkeypatch):
    """Saving a new copy keeps other checkouts' recent copies (a shared cache), and removes
    copies unused for KEEP_DAYS and all beyond the KEEP_COPIES newest."""
    import os
    import time

    monkeypatch.setattr(migrated, "KEEP_COPIES", 3)
    now = time.time()

    def copy(name, age_days):
        path = tmp_path / f"migrated-sqlite-{name}.sqlite3"
        path.write_bytes(b"")
        os.utime(path, (now - age_days * 86400, now - age_days * 86400))
        return path

    new = copy("new", 0)
    other = copy("other", 1)
    older = copy("older", 2)
    oldest = copy("oldest", 3)
    stale = copy("stale", migrated.KEEP_DAYS + 1)
    migrated.prune_sqlite_copies(tmp_path, new)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([new.name, other.name, older.name])
    assert not oldest.exists() and not stale.exists()


def test_one_worker_at_a_time_makes_a_missing_copy(tmp_path, monkeypatch):
    """The lock around making a copy is exclusive, so a second worker waits for the first one's
    copy instead of migrating too; it is free again afterwards."""
    import fcntl

    monkeypatch.setenv("PANHUO_TEST_CACHE", str(tmp_path))
    lock_file = tmp_path / "migrated-sqlite-k.lock"
    with (
        migrated.copy_lock("migrated-sqlite-k"),
        open(lock_file) as f,
        pytest.raises(BlockingIOError),
    ):
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with open(lock_file) as f:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
