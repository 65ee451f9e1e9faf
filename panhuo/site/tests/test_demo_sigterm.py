"""``panhuo demo`` stopped by SIGTERM stops its background worker too.

A real process: the demo on a free port with its own data directory (SQLite), waited for until it
serves, then sent the signal; the worker it started must be gone within seconds, not left
running against a database nobody serves.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
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


def test_the_demo_stops_its_worker_on_sigterm(tmp_path):
    """(Ctrl+C, SIGINT, takes the same ``finally``; one real demo is enough seconds of CI.)"""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PANHUO_"))}
    env |= {"PANHUO_ENV": "demo", "PANHUO_DATA_DIR": str(tmp_path)}
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
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        log.close()
