"""SQLite runs in WAL with a busy timeout (issue 13, "Long writes never block others"): readers
go on while one connection writes, a writer waits its turn (up to 20 s) instead of failing at
once with "database is locked", and every transaction takes the write lock at BEGIN.

Checked on a real file database opened with the settings a deployment gets from
``DATABASE_URL=sqlite:///…`` (a fresh process: the suite's own database may be PostgreSQL or
SQLite in memory, where WAL does not apply).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROBE = """
import json, django
django.setup()
from django.db import connection
with connection.cursor() as c:
    out = {}
    for pragma in ("journal_mode", "busy_timeout", "synchronous"):
        c.execute(f"PRAGMA {pragma}")
        out[pragma] = c.fetchone()[0]
out["transaction_mode"] = connection.settings_dict["OPTIONS"]["transaction_mode"]
print(json.dumps(out))
"""


def test_a_sqlite_deployment_runs_in_wal_with_a_busy_timeout(tmp_path: Path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'panhuo.sqlite3'}",
        "PANHUO_DATA_DIR": str(tmp_path),
        "PANHUO_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "panhuo.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(  # noqa: S603 (our own interpreter and probe)
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {
        "journal_mode": "wal",
        "busy_timeout": 20000,
        "synchronous": 1,  # NORMAL
        "transaction_mode": "IMMEDIATE",
    }
