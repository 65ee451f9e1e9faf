"""A real, committed database beside the test database, for tests that need other processes.

pytest-django's test database lives inside one transaction (and on SQLite in memory), so a
worker or a second process cannot see it. ``ExternalDb`` makes a database of the same kind as
the suite's: a SQLite file (WAL) when the suite runs on SQLite, a new PostgreSQL database on the
same server when it runs on PostgreSQL; migrates it once with ``panhuo migrate`` and runs
``panhuo`` commands and helper functions (``panhuo.core.tests.external_tasks``) against it in
subprocesses, each with its own connection.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings

import panhuo

ROOT = Path(panhuo.__file__).resolve().parent.parent


class ExternalDb:
    def __init__(self, workdir: Path, *, sqlite: bool = False):
        self.workdir = workdir
        self.data_dir = workdir / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        base = settings.DATABASES["default"]
        pg = "postgresql" in base["ENGINE"] and not sqlite
        self.vendor = "postgresql" if pg else "sqlite"
        self._pg_admin: dict[str, Any] | None = None
        if self.vendor == "postgresql":
            test_name = base.get("TEST", {}).get("NAME") or f"test_{base['NAME']}"
            self.name = f"{test_name}_ext{os.getpid()}"[:60]
            self._pg_admin = {
                "host": base.get("HOST") or None,
                "port": base.get("PORT") or None,
                "user": base.get("USER") or None,
                "password": base.get("PASSWORD") or None,
                "dbname": "postgres",
            }
            auth = base.get("USER") or ""
            if base.get("PASSWORD"):
                auth += f":{base['PASSWORD']}"
            host = base.get("HOST") or "localhost"
            port = base.get("PORT") or 5432
            self.url = f"postgres://{auth}@{host}:{port}/{self.name}"
        else:
            self.name = str(workdir / "external.sqlite3")
            self.url = f"sqlite:///{self.name}"

    # --- life cycle -------------------------------------------------------------------------

    def create(self) -> ExternalDb:
        """A migrated database: a copy of the suite's migrated one (``migrated.py``) where it
        exists, else an empty one that ``panhuo migrate`` fills in a subprocess."""
        from panhuo.core.tests import migrated

        copies = os.environ.get("PANHUO_TEST_MIGRATE") != "1"
        if self._pg_admin is not None:
            import psycopg

            self._pg(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            try:
                if copies:
                    self._pg(f'CREATE DATABASE "{self.name}" TEMPLATE "{migrated.pg_template()}"')
                    return self
            except psycopg.Error:
                pass  # no template yet (or another run's migrations replaced it)
            self._pg(f'CREATE DATABASE "{self.name}"')
        elif copies:
            try:
                shutil.copyfile(migrated.sqlite_copy(), self.name)
                return self
            except FileNotFoundError:
                pass  # no copy yet (or another run's migrations replaced it): migrate
        self.panhuo("migrate", "--no-input", "-v0", timeout=300)
        return self

    def drop(self) -> None:
        if self._pg_admin is not None:
            self._pg(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _pg(self, sql: str) -> None:
        import psycopg

        params = {k: v for k, v in (self._pg_admin or {}).items() if v is not None}
        with psycopg.connect(autocommit=True, **params) as conn:
            conn.execute(sql)

    # --- processes --------------------------------------------------------------------------

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PANHUO_", "DJANGO_"))}
        env.update(
            PANHUO_ENV="test",
            DJANGO_SETTINGS_MODULE="panhuo.settings",
            DATABASE_URL=self.url,
            PANHUO_DATA_DIR=str(self.data_dir),
            PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        )
        env.pop("CACHE_URL", None)
        env.update(extra)
        return env

    def panhuo_argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "panhuo.cli", *args]

    def panhuo(
        self, *args: str, timeout: float = 120, check: bool = True, **env: str
    ) -> subprocess.CompletedProcess:
        result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
            self.panhuo_argv(*args),
            env=self.env(**env),
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"panhuo {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def call(self, function: str, **kwargs: Any) -> Any:
        """Run ``panhuo.core.tests.external_tasks.<function>(**kwargs)`` in a fresh process
        against this database; returns what it returned (JSON)."""
        return self.call_env(function, {}, **kwargs)

    def task_argv(self, function: str, **kwargs: Any) -> list[str]:
        return [sys.executable, "-m", "panhuo.core.tests.external_tasks", function,
                json.dumps(kwargs)]  # fmt: skip

    def call_env(self, function: str, env: dict[str, str], timeout: float = 120, **kwargs):
        result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
            self.task_argv(function, **kwargs),
            env=self.env(**env),
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise AssertionError(f"{function} exited {result.returncode}:\n{result.stderr}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def popen(self, argv: list[str], **env: str) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            argv,
            env=self.env(**env),
            cwd=self.workdir,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
