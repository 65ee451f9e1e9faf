"""Test databases laid down from a migrated copy instead of migrating each one (a pytest plugin,
registered in the root conftest.py).

Every pytest-xdist worker makes its own test database, and Django migrates each one: about
80 migrations, some 8 CPU seconds per worker and per database, which on a two-core machine is
most of a minute of every CI run. The schema those migrations produce depends only on the
migration files, Django's version and the installed apps, so it is made once and copied:

* SQLite (in-memory test databases): the first worker that finds no copy migrates as before and
  saves its fresh database to a file in the cache directory (written under a temporary name and
  renamed, so workers racing to save it never see half a file); later workers, and later runs,
  load that file into their in-memory database with SQLite's backup API.
* PostgreSQL: the same, as a template database ``panhuo_tpl_<key>`` on the server; a worker's
  test database is ``CREATE DATABASE … TEMPLATE`` of it, which copies files instead of
  replaying DDL.

Only one process of a machine migrates for a missing copy: the others wait on a lock file in the
cache directory (``copy_lock``) and then load what it saved. Without it both workers of a fresh
two-core machine migrated side by side, each 45-53 CPU seconds, for one copy.

The key is a hash of every migration file of every installed app, the engine, Django's version
and the list of apps, so a new or edited migration makes a new copy. The key is in the copy's
name, so copies for different migration sets coexist: checkouts on different branches that share
the cache (and the database server) keep their own instead of replacing each other's on every run.
Old copies are pruned: a SQLite copy not used for ``KEEP_DAYS`` days, and all but the
``KEEP_COPIES`` newest of each kind.
``--reuse-db`` (keepdb) and file-based SQLite test databases keep Django's own path.
``PANHUO_TEST_MIGRATE=1`` turns the copies off. ``test_migrated.py`` checks that a copied
database has the same schema and migration records as a migrated one.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sqlite3
import tempfile
import time
from pathlib import Path

import django
from django.db import Error as DatabaseError
from django.db.backends.base.creation import BaseDatabaseCreation

TEMPLATE_PREFIX = "panhuo_tpl_"
#: How many migrated copies of each kind the cache keeps (one per branch in use, roughly).
KEEP_COPIES = 8
#: A SQLite copy that no run has loaded for this long is removed when a new copy is saved.
KEEP_DAYS = 7

_original_create_test_db = BaseDatabaseCreation.create_test_db


def cache_dir() -> Path:
    """Where the SQLite copies live: PANHUO_TEST_CACHE, else the user's cache directory."""
    base = os.environ.get("PANHUO_TEST_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "panhuo-tests",
    )
    return Path(base)


def migrations_key(vendor: str, configs=None) -> str:
    """A hash of everything that decides the migrated schema and its seeded rows (``configs``:
    the installed apps' configs unless given)."""
    if configs is None:
        from django.apps import apps

        configs = apps.get_app_configs()
    digest = hashlib.sha256()
    digest.update(f"{vendor}\0{django.get_version()}\0".encode())
    for config in configs:
        digest.update(config.name.encode() + b"\0")
        folder = Path(config.path) / "migrations"
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            digest.update(str(path.relative_to(config.path)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _in_memory(creation: BaseDatabaseCreation) -> bool:
    return creation.connection.vendor == "sqlite" and creation.is_in_memory_db(
        creation._get_test_db_name()
    )


def sqlite_copy() -> Path:
    """The cached migrated SQLite database for today's migrations (it may not exist yet)."""
    return cache_dir() / f"migrated-sqlite-{migrations_key('sqlite')}.sqlite3"


def pg_template() -> str:
    """The PostgreSQL template database for today's migrations (it may not exist yet)."""
    return TEMPLATE_PREFIX + migrations_key("postgresql")


def prune_sqlite_copies(folder: Path, keep: Path) -> None:
    """Remove the copies no run has used lately, and all but the newest ``KEEP_COPIES``.

    A copy's modification time is when a run last loaded it (``_sqlite_create`` touches it), so
    a copy another checkout still uses stays; ``keep`` (the copy about to be saved) always stays.
    """
    copies = []
    for path in folder.glob("migrated-sqlite-*.sqlite3"):
        with contextlib.suppress(OSError):
            copies.append((path.stat().st_mtime, path))
    copies.sort(reverse=True)
    cutoff = time.time() - KEEP_DAYS * 86400
    kept = 1  # ``keep`` itself
    for mtime, path in copies:
        if path == keep:
            continue
        if mtime >= cutoff and kept < KEEP_COPIES:
            kept += 1
            continue
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def copy_lock(name: str):
    """Hold an exclusive lock named ``name`` in the cache directory: the first worker to want a
    missing copy makes it while the others wait, instead of each migrating for the same copy.
    Without a writable cache directory there is no lock (every worker migrates, as Django does).
    """
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / f"{name}.lock", "a")  # noqa: SIM115 (held for the block)
    except OSError:
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        handle.close()  # releases the lock


def _sqlite_create(creation: BaseDatabaseCreation, verbosity, autoclobber, serialize) -> str:
    """Load the cached migrated database into this worker's in-memory one, or make the cache."""
    copy = sqlite_copy()
    if not copy.is_file():
        with copy_lock(copy.stem):
            if not copy.is_file():
                return _sqlite_make(creation, verbosity, autoclobber, serialize)
    return _sqlite_load(creation, verbosity, autoclobber, serialize)


def _sqlite_make(creation: BaseDatabaseCreation, verbosity, autoclobber, serialize) -> str:
    """Migrate this worker's database and save it as the cached copy."""
    folder = cache_dir()
    copy = sqlite_copy()
    name = _original_create_test_db(creation, verbosity, autoclobber, serialize)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        prune_sqlite_copies(folder, copy)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
        os.close(fd)
        target = sqlite3.connect(tmp)
        try:
            creation.connection.connection.backup(target)
        finally:
            target.close()
        os.replace(tmp, copy)
    except OSError:
        pass  # a read-only cache: this run migrates every worker, as Django does
    return name


def _sqlite_load(creation: BaseDatabaseCreation, verbosity, autoclobber, serialize) -> str:
    """Load the cached copy into this worker's in-memory database."""
    copy = sqlite_copy()
    try:
        # Read-only: a copy that another run (with other migrations) removed meanwhile must
        # not come back as an empty file.
        source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    except sqlite3.Error:
        return _original_create_test_db(creation, verbosity, autoclobber, serialize)
    with contextlib.suppress(OSError):
        os.utime(copy)  # in use: pruning keeps the copies runs load
    # Django's own first steps for an in-memory database (nothing to create on disk)...
    test_name = creation._get_test_db_name()
    creation.connection.close()
    from django.conf import settings

    settings.DATABASES[creation.connection.alias]["NAME"] = test_name
    creation.connection.settings_dict["NAME"] = test_name
    creation.connection.ensure_connection()
    # ...then the migrated schema and rows, instead of running the migrations.
    try:
        source.backup(creation.connection.connection)
    finally:
        source.close()
    return test_name


def _pg_exists(creation: BaseDatabaseCreation, name: str) -> bool:
    with creation._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def _pg_create(creation: BaseDatabaseCreation, verbosity, autoclobber, serialize) -> str:
    """Clone this worker's test database from the template, or make the template."""
    from django.conf import settings

    connection = creation.connection
    template = pg_template()
    test_name = creation._get_test_db_name()
    quote = connection.ops.quote_name
    if not _pg_exists(creation, template):
        with copy_lock(template):
            if not _pg_exists(creation, template):
                return _pg_make(creation, verbosity, autoclobber, serialize)
    try:
        with creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_name)}")
            cursor.execute(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(template)}")
    except DatabaseError:
        # Another run (other migrations) removed the template meanwhile: migrate after all.
        return _original_create_test_db(creation, verbosity, autoclobber, serialize)
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = test_name
    connection.settings_dict["NAME"] = test_name
    connection.ensure_connection()
    return test_name


def _pg_make(creation: BaseDatabaseCreation, verbosity, autoclobber, serialize) -> str:
    """Migrate this worker's test database and save it as the template."""
    connection = creation.connection
    template = pg_template()
    quote = connection.ops.quote_name
    name = _original_create_test_db(creation, verbosity, autoclobber, serialize)
    connection.close()
    part = f"{template}_{os.getpid()}"
    with creation._nodb_cursor() as cursor:
        # Other migration sets' templates stay (other checkouts use them), but only the
        # newest few: a database's oid grows with its creation.
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s"
            " ORDER BY oid DESC OFFSET %s",
            [TEMPLATE_PREFIX.replace("_", r"\_") + "%", template, KEEP_COPIES - 1],
        )
        stale = [row[0] for row in cursor.fetchall()]
        for old in stale:
            # Another run may be cloning from it: then it goes next time.
            with contextlib.suppress(DatabaseError):
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(old)}")
        cursor.execute(f"CREATE DATABASE {quote(part)} TEMPLATE {quote(name)}")
        try:
            cursor.execute(f"ALTER DATABASE {quote(part)} RENAME TO {quote(template)}")
        except DatabaseError:
            # Another worker saved the same template first.
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(part)}")
    connection.ensure_connection()
    return name


def create_test_db(self, verbosity=1, autoclobber=False, serialize=None, keepdb=False):
    """Django's ``create_test_db``, with the migrations replaced by a copy where one fits."""
    if keepdb or os.environ.get("PANHUO_TEST_MIGRATE") == "1":
        return _original_create_test_db(self, verbosity, autoclobber, serialize, keepdb)
    if self.connection.vendor == "postgresql":
        return _pg_create(self, verbosity, autoclobber, serialize)
    if _in_memory(self):
        return _sqlite_create(self, verbosity, autoclobber, serialize)
    return _original_create_test_db(self, verbosity, autoclobber, serialize, keepdb)


def pytest_configure(config) -> None:
    BaseDatabaseCreation.create_test_db = create_test_db
