"""Live bidding through the production server (``panhuo serve``, waitress) and through nginx in
front of it (the proxy tests' configuration: proxy buffering on, nginx's default): a bid placed
over the API reaches an open event stream, and the streams, bounded in number, leave the
server's threads to the other requests. Against a committed database of the suite's kind, in
real processes."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time

import pytest

from panhuo.core.tests.external import ExternalDb
from panhuo.core.tests.test_proxy import _free_port, _wait_port, start_nginx

pytestmark = pytest.mark.slow


def task(ext: ExternalDb, function: str, **kwargs):
    """``panhuo.auctions.tests.live_tasks.<function>`` in a fresh process on ``ext``."""
    result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "panhuo.auctions.tests.live_tasks", function,
         json.dumps(kwargs)],
        env=ext.env(), cwd=ext.workdir, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if result.returncode != 0:
        raise AssertionError(f"{function} exited {result.returncode}:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _stop(*procs: subprocess.Popen) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.communicate(timeout=30)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A lot with two bidders on a committed database, ``panhuo serve`` (4 threads, at most 2
    streams) on it, and nginx in front."""
    work = tmp_path_factory.mktemp("live")
    ext = ExternalDb(work).create()
    made = task(ext, "setup", bidders=2, tokens=True)
    app, port, tls = _free_port(), _free_port(), _free_port()
    server = ext.popen(
        ext.panhuo_argv("serve", "--listen", f"127.0.0.1:{app}", "--threads", "4"),
        PANHUO_LIVE_STREAMS="2", PANHUO_LIVE_STREAM_SECONDS="120",
        PANHUO_LIVE_POLL_SECONDS="0.1", PANHUO_LIVE_HEARTBEAT_SECONDS="0.5",
    )  # fmt: skip
    # The proxy tests' nginx; its plain-HTTP side is the one used here.
    nginx = start_nginx(work, app, tls, port)
    try:
        _wait_port(app, server, "panhuo serve")
        _wait_port(port, nginx, "nginx")
        yield {"app": app, "nginx": port, **made}
    finally:
        _stop(nginx, server)
        ext.drop()


class Stream:
    """One open event stream, read event by event."""

    def __init__(self, port: int, path: str, cookie: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.conn.request("GET", path, headers={"Cookie": cookie, "Accept": "text/event-stream"})
        self.response = self.conn.getresponse()
        self.retry: int | None = None

    def next(self) -> tuple[str, dict]:
        """The next event (name, data); ("end", {}) when the server ended the stream."""
        fields: dict[str, str] = {}
        while True:
            line = self.response.readline().decode()
            if not line:
                return "end", {}
            line = line.rstrip("\n")
            if not line:
                if "event" in fields:
                    return fields["event"], json.loads(fields["data"])
                fields = {}
                continue
            name, _sep, value = line.partition(": ")
            fields[name] = value
            if name == "retry":
                self.retry = int(value)

    def next_lot(self) -> dict:
        while True:
            name, data = self.next()
            assert name != "end", "the stream ended before the event"
            if name == "lot":
                return data

    def close(self) -> None:
        self.conn.close()


def open_stream(port: int, path: str, cookie: str) -> tuple[Stream, dict]:
    """A stream that holds a slot, and its first state. A slot of a stream whose client left
    is given back at the server's next write to it (a heartbeat, every 0.5 s here), so the
    slots of an earlier test may still be taken for a moment: try again until one is free."""
    deadline = time.monotonic() + 60
    while True:
        stream = Stream(port, path, cookie)
        first = stream.next_lot()
        if stream.retry == 1000 or time.monotonic() > deadline:
            return stream, first
        stream.close()
        time.sleep(0.2)


def _bid(port: int, lot: int, token: str, amount: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(
        "POST", f"/api/v1/lots/{lot}/bids", body=json.dumps({"amount": amount}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    status = conn.getresponse().status
    conn.close()
    return status


def test_streams_over_the_limit_do_not_hold_the_servers_threads(served):
    """Two streams held open (the limit) on a server of four threads: more viewers are
    answered at once with the state and a later retry, and other pages still answer."""
    lot, (_a, b) = served["lot"], served["bidders"]
    path, cookie = f"/auctions/{lot}/live/", f"{served['cookie']}={b['session']}"
    held = [open_stream(served["app"], path, cookie)[0] for _ in range(2)]
    try:
        assert [s.retry for s in held] == [1000, 1000]
        for _ in range(6):
            extra = Stream(served["nginx"], path, cookie)
            assert extra.next()[0] == "lot" and extra.next() == ("end", {})
            assert extra.retry == 5000
            extra.close()
        conn = http.client.HTTPConnection("127.0.0.1", served["app"], timeout=60)
        conn.request("GET", "/healthz")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        for s in held:
            s.close()


@pytest.mark.parametrize("via", ["app", "nginx"])
def test_a_bid_reaches_the_open_stream(served, via):
    lot, (a, b) = served["lot"], served["bidders"]
    path = f"/auctions/{lot}/live/"
    viewer, first = open_stream(served[via], path, f"{served['cookie']}={b['session']}")
    try:
        assert viewer.response.status == 200 and viewer.retry == 1000
        assert viewer.response.getheader("Content-Type").startswith("text/event-stream")
        amount = str(int(first["minimum_bid"].split(".")[0]) + 10_000)
        assert _bid(served["app"], lot, a["token"], amount) == 200
        state = viewer.next_lot()
        assert state["bids"] > first["bids"] and state["leading"] is False
        assert state["leader"] and state["server_time"] >= first["server_time"]
    finally:
        viewer.close()
