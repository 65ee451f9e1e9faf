"""``panhuo serve --workers 2``, the production server (gunicorn), in a real process: it serves a
token call from its worker processes, each with the fixed-read memo on (organisation/memo.py),
and a token revoked by an audited write in another process is refused by every worker at once.

The server's output goes to a file, never to a pipe nobody reads (a full pipe blocks it).
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from panhuo.core.tests.external import ExternalDb
from panhuo.site.tests.test_demo_sigterm import _children

needs_proc = pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds workers in /proc")

# A SQLite file of its own whatever DATABASE_URL says: CI runs it once, on PostgreSQL's run.
pytestmark = [pytest.mark.slow, pytest.mark.own_database, needs_proc]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serving(port: int, server: subprocess.Popen, log: Path, workers: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the server exited: {log.read_text()[-3000:]}"
        if len(_children(server.pid)) >= workers:
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok:
                    return
            except requests.ConnectionError:
                pass
        time.sleep(0.2)
    raise AssertionError(f"not serving on {port}: {log.read_text()[-3000:]}")


def test_the_production_server_answers_token_calls_from_its_processes(tmp_path):
    ext = ExternalDb(tmp_path, sqlite=True).create()
    setup = ext.call("token_setup")
    port, log = _free_port(), tmp_path / "server.log"
    argv = ext.panhuo_argv("serve", "--workers", "2", "--listen", f"127.0.0.1:{port}")
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            argv,
            env=ext.env(PANHUO_MEMO_SECONDS="60", PANHUO_READ_CACHE="1"),
            cwd=ext.workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _serving(port, server, log, workers=2)
        assert len(_children(server.pid)) == 2
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {setup['key']}"
        url = f"http://127.0.0.1:{port}/api/v1/assets?page_size=50"
        # Enough calls for both workers to answer (and keep the token in their memo).
        for _ in range(6):
            answer = api.get(url, timeout=30)
            assert answer.status_code == 200, answer.text
            assert [a["code"] for a in answer.json()["results"]] == [setup["asset"]]
        ext.call("token_revoke", token=setup["token"])
        assert [api.get(url, timeout=30).status_code for _ in range(6)] == [401] * 6
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server.returncode == 0, log.read_text()[-3000:]
