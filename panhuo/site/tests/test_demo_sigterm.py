"""``panhuo demo`` stopped by SIGTERM stops its background worker too.

A real process: the demo on a free port with its own data directory (SQLite), waited for until it
serves, then sent the signal; the worker it started must be gone within seconds, not left
running against a database nobody serves.

The data directory's database is the suite's migrated SQLite database (``migrated.py``'s copy,
or one ``panhuo migrate`` makes where there is no copy yet) holding the demo district's marker
row, so the demo finds its district "already seeded" and serves at once: seeding the small demo
took most of this test's half minute whenever the demo's code or the migrations had changed
since the last run (nearly every CI run, on a cache of seeded copies keyed by them; CI time,
issue 11), and neither seeding nor the seeded rows are what it tests. ``panhuo demo`` from an
empty directory is run by .ci/run itself, and in process by test_demo.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from panhuo.core.tests.migrated import sqlite_copy
from panhuo.site.demo.catalogue import MARKER_CODE

pytestmark = [
    pytest.mark.slow,
    # The demo runs on SQLite in its own data directory on either database's run (the test
    # drops DATABASE_URL): the PostgreSQL run alone runs it (CI time, issue 11).
    pytest.mark.own_database,
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the worker through /proc"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid …; comm may hold spaces, so split after its closing bracket.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _migrated_and_marked(data: Path, env: dict[str, str]) -> None:
    """``data``'s database migrated, with the row that marks the demo district as seeded (its
    code, ``MARKER_CODE``; ``seed_demo`` looks for nothing else)."""
    data.mkdir(parents=True)
    database = data / "panhuo.sqlite3"
    try:
        shutil.copyfile(sqlite_copy(), database)
    except FileNotFoundError:  # no copy yet (a run on PostgreSQL alone, say): migrate
        subprocess.run(
            [sys.executable, "-m", "panhuo.cli", "migrate", "--no-input", "-v0"],
            env=env, check=True, capture_output=True, timeout=600,
        )  # fmt: skip
    with contextlib.closing(sqlite3.connect(database)) as conn, conn:
        conn.execute(
            "INSERT INTO organisation_jurisdiction (code, name, name_en, level, path)"
            " VALUES (?, ?, '', 'district', '/0/')",
            [MARKER_CODE, "河西区"],
        )


def test_the_demo_stops_its_worker_on_sigterm(tmp_path):
    """(Ctrl+C, SIGINT, takes the same ``finally``; one real demo is enough seconds of CI.)"""
    port = _free_port()
    data = tmp_path / "var"
    # Not the xdist worker's name either: under it the test settings would move the data
    # directory into xdist-<worker>/.
    drop = ("DATABASE_URL", "PANHUO_", "PYTEST_XDIST_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env |= {"PANHUO_ENV": "demo", "PANHUO_DATA_DIR": str(data)}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[3])
    _migrated_and_marked(data, env)
    log = (tmp_path / "demo.log").open("w")
    cmd = [sys.executable, "-m", "panhuo.cli", "demo", "--size", "small", "--port", str(port)]
    demo = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 600
        while True:
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()[-3000:]
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except urllib.error.HTTPError:
                break  # it answers (a redirect to sign in, say): it serves
            except OSError:
                assert time.monotonic() < deadline, "the demo never served"
                time.sleep(1)
        workers = _children(demo.pid)
        assert workers, "the demo started no worker"
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=20) == 0
        gone_by = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < gone_by:
            time.sleep(0.2)
        assert not any(_alive(w) for w in workers), "the worker outlived the demo"
        text = (tmp_path / "demo.log").read_text()
        assert "already seeded" in text, text[-3000:]
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        log.close()
