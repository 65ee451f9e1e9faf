"""``panhuo demo`` stopped by SIGTERM stops its background worker too.

A real process: the demo on a free port with its own data directory (SQLite), waited for until it
serves, then sent the signal; the worker it started must be gone within seconds, not left
running against a database nobody serves.

The data directory starts as a copy of the one an earlier run of this test left (migrated and
seeded, in the tests' cache directory, keyed by the migrations and the demo's code), so the
demo finds its district and serves at once: migrating and seeding from nothing took most of
this test's half minute, on each database's run (CI time, issue 11), and neither is what it
tests. The first run with new migrations or a changed seed does both, and saves the copy;
``panhuo demo`` from an empty directory is run by .ci/run itself, and in process by test_demo.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from panhuo.core.tests.migrated import cache_dir, migrations_key

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


def _seeded_copy() -> Path:
    """Where the seeded data directory of today's migrations and demo code is kept."""
    digest = hashlib.sha256(migrations_key("sqlite").encode())
    demo = Path(__file__).resolve().parents[1] / "demo"
    for path in sorted(demo.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(demo)).encode() + b"\0" + path.read_bytes())
    return cache_dir() / f"demo-small-{digest.hexdigest()[:16]}"


def _keep(data: Path, copy: Path) -> None:
    """Save the stopped demo's data directory for the next run; copies of other code unused
    for a day are removed (not sooner: another checkout may be copying one). A read-only
    cache only means the next run seeds again."""
    try:
        copy.parent.mkdir(parents=True, exist_ok=True)
        for old in copy.parent.glob("demo-small-*"):
            if old.stat().st_mtime < time.time() - 86400:
                shutil.rmtree(old, ignore_errors=True)
        part = copy.parent / f"{copy.name}.{os.getpid()}.part"
        shutil.copytree(data, part, ignore=shutil.ignore_patterns("cache"))
        try:
            part.rename(copy)
        except OSError:  # another run saved it first
            shutil.rmtree(part, ignore_errors=True)
    except OSError:
        pass


def test_the_demo_stops_its_worker_on_sigterm(tmp_path):
    """(Ctrl+C, SIGINT, takes the same ``finally``; one real demo is enough seconds of CI.)"""
    port = _free_port()
    data = tmp_path / "var"
    copy = _seeded_copy()
    seeded = copy.is_dir()
    if seeded:
        # copytree keeps the files' times: collectstatic finds the static files up to date.
        shutil.copytree(copy, data)
        os.utime(copy)  # in use
    # Not the xdist worker's name either: under it the test settings move the data directory
    # into xdist-<worker>/, and a copy saved by one worker would not be found by another.
    drop = ("DATABASE_URL", "PANHUO_", "PYTEST_XDIST_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env |= {"PANHUO_ENV": "demo", "PANHUO_DATA_DIR": str(data)}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[3])
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
        assert ("already seeded" if seeded else "Seeded the demo district") in text, text[-3000:]
        if not seeded:
            _keep(data, copy)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        log.close()
