"""Bids benchmark: one hot lot, N concurrent bidders, through the production server.

Run:  python bench/bids.py [--db sqlite|postgres|both] [--bidders 50] [--seconds 20]
                           [--servers gunicorn,waitress] [--workers auto] [--threads 8]
                           [--profile 200] [--strategy sequence|latest]
                           [--clients asyncio,threads]

For each database it migrates a fresh one with production settings, sets up one open lot and N
verified bidders registered for it with confirmed deposits (each with an API token), starts
the production server (``panhuo serve --workers auto``: gunicorn, one process per core, as a
TLS-terminating proxy on the same host would reach it: ``X-Forwarded-Proto: https`` from a
trusted 127.0.0.1) and, for comparison, ``panhuo serve`` without ``--workers`` (one waitress
process) on the same lot, one after the other, and measures in the same run:

  * bids: N clients, one keep-alive connection and one bidder each, post
    ``POST /api/v1/lots/{id}/bids`` as fast as the server answers for ``--seconds``; each bid
    is the next amount of one shared, rising sequence (so most are above the price when they
    arrive, and those overtaken on the way are refused "too low", as they should be). Reported:
    answers per second, accepted bids per second, p50/p99 latency of an accepted bid. The
    clients (``--clients``): ``asyncio`` (the default), N tasks of one thread on raw sockets,
    or ``threads``, N threads of http.client; either way every answer is read whole and
    counted. They share the machine's cores with the server, so their own CPU per answer is
    reported too (the threads cost about twice the asyncio tasks' CPU, docs/benchmarks.md);
  * the check: the bids written are exactly those answered "accepted" (none lost, none twice),
    and replayed in the database's order through the rules they give the rows, the price, the
    leader and the end written (none accepted against a stale price, none mis-ordered):
    ``panhuo.auctions.tests.live_tasks.check``;
  * the baseline: N threads, each with its own database connection, doing single-row locked
    updates of the same lot row for the same time (PostgreSQL: ``SELECT … FOR UPDATE`` then
    ``UPDATE``; SQLite: ``BEGIN IMMEDIATE`` then ``UPDATE``), one transaction each: the
    database's own ceiling for writes serialised on one row;
  * the ceiling: the same N clients asking the same server for ``/healthz`` (no database: the
    server, its middleware and the clients alone) for ``--ceiling-seconds``: what this server
    answers at most on this machine, whatever a bid does;
  * the server's CPU time (user + system, from /proc: the serving process and its workers) per
    answered request and per accepted bid, and on PostgreSQL the database's (its backends
    serving the bench's database) per accepted bid: on a machine shared with other work, the
    cost of a bid that wall times do not give;
  * with ``--profile K``: K bids placed one after the other in one process under cProfile
    (no HTTP), with the statements per bid: where a bid's time goes.

The table is printed; the figures are recorded by hand in docs/benchmarks.md.
"""

# ruff: noqa: S603, S607 - fixed commands of our own: psql, the server, our tasks

from __future__ import annotations

import argparse
import asyncio
import http.client
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
#: The bench's own database (another name for a second run at the same time).
PG_DB = os.environ.get("PANHUO_BENCH_BIDS_DB", "panhuo_bench_bids")
PROXY = {"X-Forwarded-Proto": "https"}

sys.path.insert(0, str(ROOT))
from bench import load  # noqa: E402
from bench.load import free_port, get  # noqa: E402


def environment(data_dir: Path, db: str) -> dict[str, str]:
    """The load benchmark's production environment, behind a trusted proxy on 127.0.0.1."""
    env = {**load.environment(data_dir, db), "PANHUO_TRUSTED_PROXIES": "127.0.0.1",
           "DJANGO_SETTINGS_MODULE": "panhuo.settings"}  # fmt: skip
    if db == "postgres":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    return env


def task(env: dict[str, str], function: str, **kwargs):
    """``panhuo.auctions.tests.live_tasks.<function>`` in its own process: its JSON answer."""
    argv = ["-m", "panhuo.auctions.tests.live_tasks", function, json.dumps(kwargs)]
    printed = subprocess.check_output([sys.executable, *argv], env=env, cwd=ROOT, text=True)
    return json.loads(printed.strip().splitlines()[-1])


def together(work, jobs: list[tuple], seconds: float) -> float:
    """Run ``work(*job, start, stop_at)`` in one thread per job, released at once by a barrier
    (``start.wait()``) and working until the monotonic ``stop_at[0]``; the seconds taken."""
    start, stop_at = threading.Barrier(len(jobs) + 1), [0.0]
    threads = [threading.Thread(target=work, args=(*job, start, stop_at)) for job in jobs]
    for t in threads:
        t.start()
    stop_at[0] = time.monotonic() + seconds
    start.wait()
    began = time.monotonic()
    for t in threads:
        t.join()
    return time.monotonic() - began


def start_server(env: dict[str, str], port: int, kind: str, args) -> subprocess.Popen:
    """``panhuo serve`` on ``port``: gunicorn (``--workers``, the production way) or waitress
    (one process, without ``--workers``). Its output goes to a file in the data directory, not
    a pipe: a pipe nobody reads fills, and the server's next log line blocks every thread."""
    workers = ["--workers", args.workers] if kind == "gunicorn" else []
    log = Path(env["PANHUO_DATA_DIR"]) / f"serve-{kind}.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "panhuo.cli", "serve", "--listen", f"127.0.0.1:{port}",
             "--threads", str(args.threads), *workers],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 300  # a loaded shared machine starts gunicorn slowly
    while time.monotonic() < deadline:
        try:
            if get(port, "/healthz", PROXY)[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the server did not start: {log.read_text()[-2000:]}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def reason(body: bytes) -> str:
    """A refusal's field (``amount``: too low; ``lot``: closed …), for counting."""
    try:
        errors = json.loads(body).get("errors")
    except (ValueError, AttributeError):
        return "?"
    if isinstance(errors, dict):
        return ",".join(sorted(errors))
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("field") or errors[0].get("loc") or "?")
    return "?"


def process_cpu(pid: int) -> float | None:
    """The CPU time (user + system) of process ``pid`` so far; None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_cpu() -> dict[int, float]:
    """The CPU time so far of each PostgreSQL backend connected to the bench's database (the
    server's connections, kept open between requests): the database's own share of a bid, on
    the same machine."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        pids = [r[0] for r in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (PG_DB,))]  # fmt: skip
    return {pid: cpu for pid in pids if (cpu := process_cpu(pid)) is not None}


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) process ``pid`` and its living children (gunicorn's
    workers) have used so far."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = stat.read_text().rsplit(")", 1)[1].split()[1]
        except OSError:  # gone since the listing
            continue
        if stat.parent.name == str(pid) or parent == str(pid):
            total += process_cpu(int(stat.parent.name)) or 0.0
    return total


def ceiling(port: int, clients: int, seconds: float) -> dict:
    """``clients`` keep-alive clients asking for ``/healthz`` (no database) for ``seconds``."""
    counts = []
    lock = threading.Lock()

    def client(go, stop_at) -> None:
        conn, n = http.client.HTTPConnection("127.0.0.1", port, timeout=120), 0
        go.wait()
        while time.monotonic() < stop_at[0]:
            conn.request("GET", "/healthz", headers=PROXY)
            conn.getresponse().read()
            n += 1
        conn.close()
        with lock:
            counts.append(n)

    elapsed = together(client, [()] * clients, seconds)
    return {"per_s": sum(counts) / elapsed, "answers": sum(counts)}


def bid_figures(elapsed: float, answers: dict, accepted: list, latencies: list) -> dict:
    total = sum(answers.values())
    return {
        "seconds": elapsed, "answers": answers, "answered_per_s": total / elapsed,
        "accepted": accepted, "accepted_per_s": len(accepted) / elapsed,
        "p50_ms": percentile(latencies, 0.5) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000,
    }  # fmt: skip


def bid_load(port: int, made: dict, seconds: float, strategy: str = "sequence") -> dict:
    """N bidders posting bids for ``seconds``: ``sequence``, each the next amount of one shared
    rising sequence (one increment apart: a bid overtaken on its way by a later one is refused
    "too low"); ``latest``, each a maximum of the latest price any answer has shown plus 1 to
    20 increments at random (as bidders watching the live price set maxima: the proxy bids up
    to them), refused only when the price has passed it on the way."""
    lot, start, inc = made["lot"], Decimal(made["start_price"]), Decimal(made["increment"])
    # One sequence for the run: the next server's bids go on from where the last one's ended.
    steps, lock = made.setdefault("steps", itertools.count(0)), threading.Lock()
    latest = made.setdefault("latest", [start])
    rng = random.Random(16)
    accepted: list[list[str]] = []
    latencies: list[float] = []
    answers: dict[str, int] = {}

    def bidder(b: dict, go, stop_at) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Bearer {b['token']}", "Content-Type": "application/json",
                   **PROXY}  # fmt: skip
        go.wait()
        while time.monotonic() < stop_at[0]:
            with lock:
                if strategy == "latest":
                    amount = str(latest[0] + inc * rng.randint(1, 20))
                else:
                    amount = str(start + inc * next(steps))
            t = time.perf_counter()
            conn.request("POST", f"/api/v1/lots/{lot}/bids", json.dumps({"amount": amount}),
                         headers)  # fmt: skip
            response = conn.getresponse()
            body = response.read()
            took = time.perf_counter() - t
            key = str(response.status)
            if response.status == 400:
                key += " " + reason(body)
            with lock:
                answers[key] = answers.get(key, 0) + 1
                if response.status == 200:
                    accepted.append([b["username"], amount])
                    latencies.append(took)
                    if strategy == "latest":
                        latest[0] = max(latest[0], Decimal(json.loads(body)["price"]))
        conn.close()

    elapsed = together(bidder, [(b,) for b in made["bidders"]], seconds)
    return bid_figures(elapsed, answers, accepted, latencies)


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection: a request written, its answer read whole (the server
    gives every answer a ``Content-Length``), then the next."""

    def __init__(self) -> None:
        self.transport = None
        self.buffer = bytearray()
        self.waiting: asyncio.Future | None = None
        self.lost: Exception | None = None
        self.closing = False  # the last answer said "Connection: close"

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        self.lost = exc or ConnectionError("the server closed the connection")
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_exception(self.lost)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0 or self.waiting is None or self.waiting.done():
            return
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        fields = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in head[1:])}
        length = int(fields["content-length"]) if "content-length" in fields else None
        self.closing = fields.get("connection", "").lower() == "close"
        if length is None:
            self.waiting.set_exception(ValueError(f"an answer without Content-Length: {head}"))
            return
        if len(self.buffer) < end + 4 + length:
            return
        body = bytes(self.buffer[end + 4 : end + 4 + length])
        del self.buffer[: end + 4 + length]
        self.waiting.set_result((int(head[0].split()[1]), body))

    async def ask(self, request: bytes) -> tuple[int, bytes]:
        if self.lost is not None:
            raise self.lost
        self.waiting = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self.waiting


def asyncio_clients(port: int, jobs: list, seconds: float, request_of, answered) -> float:
    """One keep-alive connection per job, as one thread's asyncio tasks on raw sockets,
    released together once all are connected: each writes ``request_of(job)`` (bytes and a
    context), reads the answer whole and gives it to ``answered(job, context, status, body,
    seconds taken)``, again until ``seconds`` have passed; the seconds taken."""

    async def client(job, go: asyncio.Event, stop_at: list[float]) -> None:
        async def connect() -> _Connection:
            loop = asyncio.get_running_loop()
            return (await loop.create_connection(_Connection, "127.0.0.1", port))[1]

        conn = await connect()
        await go.wait()
        while time.monotonic() < stop_at[0]:
            request, context = request_of(job)
            t = time.perf_counter()
            try:
                status, body = await conn.ask(request)
            except ConnectionError:  # counted (a bid's fate unknown: the check finds it)
                status, body = 0, b""
            answered(job, context, status, body, time.perf_counter() - t)
            if conn.lost is not None or conn.closing:
                conn.transport.close()
                conn = await connect()
        conn.transport.close()

    async def main() -> float:
        go, stop_at = asyncio.Event(), [0.0]
        tasks = [asyncio.create_task(client(job, go, stop_at)) for job in jobs]
        await asyncio.sleep(0.5)  # every client connected, then released at once
        stop_at[0] = time.monotonic() + seconds
        began = time.monotonic()
        go.set()
        await asyncio.gather(*tasks)
        return time.monotonic() - began

    return asyncio.run(main())


def bid_load_asyncio(port: int, made: dict, seconds: float, strategy: str = "sequence") -> dict:
    """``bid_load``'s bidders as asyncio tasks on raw sockets (``--client asyncio``): the same
    N keep-alive connections and bids, every answer read whole and counted, for a fraction of
    the CPU of N threads of http.client (which share the server's cores)."""
    lot, start, inc = made["lot"], Decimal(made["start_price"]), Decimal(made["increment"])
    steps = made.setdefault("steps", itertools.count(0))
    latest = made.setdefault("latest", [start])
    rng = random.Random(16)
    accepted: list[list[str]] = []
    latencies: list[float] = []
    answers: dict[str, int] = {}
    heads = {b["username"]: (
        f"POST /api/v1/lots/{lot}/bids HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {b['token']}\r\nContent-Type: application/json\r\n"
        "X-Forwarded-Proto: https\r\n"
    ) for b in made["bidders"]}  # fmt: skip

    def request_of(b: dict):
        if strategy == "latest":
            amount = str(latest[0] + inc * rng.randint(1, 20))
        else:
            amount = str(start + inc * next(steps))
        body = json.dumps({"amount": amount}).encode()
        head = f"{heads[b['username']]}Content-Length: {len(body)}\r\n\r\n"
        return head.encode() + body, amount

    def answered(b: dict, amount: str, status: int, body: bytes, took: float) -> None:
        key = str(status) + (" " + reason(body) if status == 400 else "")
        answers[key] = answers.get(key, 0) + 1
        if status == 200:
            accepted.append([b["username"], amount])
            latencies.append(took)
            if strategy == "latest":
                latest[0] = max(latest[0], Decimal(json.loads(body)["price"]))

    elapsed = asyncio_clients(port, made["bidders"], seconds, request_of, answered)
    return bid_figures(elapsed, answers, accepted, latencies)


def ceiling_asyncio(port: int, clients: int, seconds: float) -> dict:
    """``ceiling`` with asyncio clients (``--client asyncio``)."""
    request = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Forwarded-Proto: https\r\n\r\n"
    count, errors = [0], {}

    def answered(job, context, status: int, body: bytes, took: float) -> None:
        if status == 200:
            count[0] += 1
        else:
            errors[status] = errors.get(status, 0) + 1

    elapsed = asyncio_clients(
        port, range(clients), seconds, lambda job: (request.encode(), None), answered
    )
    return {"per_s": count[0] / elapsed, "answers": count[0], "errors": errors}


def locked_updates(db: str, env: dict[str, str], lot: int, clients: int, seconds: float) -> dict:
    """The baseline: single-row locked updates of the lot row, ``clients`` connections."""
    latencies: list[float] = []
    lock = threading.Lock()

    def connect():
        if db == "postgres":
            import psycopg

            return psycopg.connect(env["DATABASE_URL"], autocommit=True)
        import sqlite3

        return sqlite3.connect(
            Path(env["PANHUO_DATA_DIR"]) / "panhuo.sqlite3", timeout=60, isolation_level=None
        )

    def worker(go, stop_at) -> None:
        try:
            conn = connect()
        except Exception:
            go.abort()  # the run stops with this error instead of waiting for this thread
            raise
        mine = []
        go.wait()
        while time.monotonic() < stop_at[0]:
            t = time.perf_counter()
            if db == "postgres":
                with conn.transaction():
                    conn.execute("SELECT version FROM auctions_lot WHERE id = %s FOR UPDATE",
                                 (lot,))  # fmt: skip
                    conn.execute("UPDATE auctions_lot SET version = version + 1 WHERE id = %s",
                                 (lot,))  # fmt: skip
            else:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("SELECT version FROM auctions_lot WHERE id = ?", (lot,))
                conn.execute("UPDATE auctions_lot SET version = version + 1 WHERE id = ?", (lot,))
                conn.execute("COMMIT")
            mine.append(time.perf_counter() - t)
        conn.close()
        with lock:
            latencies.extend(mine)

    elapsed = together(worker, [()] * clients, seconds)
    return {"per_s": len(latencies) / elapsed, "p50_ms": percentile(latencies, 0.5) * 1000,
            "p99_ms": percentile(latencies, 0.99) * 1000}  # fmt: skip


PROFILE = r"""
import cProfile, io, json, pstats, sys, time
import django; django.setup()
from decimal import Decimal
from django.db import connection
from django.test.utils import CaptureQueriesContext
from panhuo.auctions import bidding
from panhuo.auctions.models import Lot
from panhuo.organisation.models import User

lot_id, users, n = int(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
actors = [User.objects.get(username=u) for u in users]
lot = Lot.objects.get(pk=lot_id)
amount = lot.price + lot.increment * 1000
profiler = cProfile.Profile()
with CaptureQueriesContext(connection) as queries:
    t = time.perf_counter()
    profiler.enable()
    for i in range(n):
        amount += lot.increment * 2
        bidding.bid_place(actor=actors[i % len(actors)], lot_id=lot_id, amount=amount)
    profiler.disable()
    took = time.perf_counter() - t
out = io.StringIO()
pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
print(out.getvalue())
print(json.dumps({"ms_per_bid": took / n * 1000, "queries_per_bid": len(queries) / n}))
"""


def profile(env: dict[str, str], made: dict, n: int) -> dict:
    users = [b["username"] for b in made["bidders"][:2]]
    out = subprocess.run(
        [sys.executable, "-c", PROFILE, str(made["lot"]), json.dumps(users), str(n)],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    print(out[:6000])
    return json.loads(out.strip().splitlines()[-1])


def prepare_postgres() -> None:
    subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"],
                   check=True)  # fmt: skip
    subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {PG_DB}"], check=True)


def serve_and_load(env: dict[str, str], made: dict, kind: str, client: str, args) -> dict:
    """One server (``kind``) started, the bids and the ceiling measured on it with ``client``'s
    load generator (the generator's own CPU too: it shares the machine's cores), stopped."""
    port = free_port()
    server = start_server(env, port, kind, args)
    try:
        print(f"[{kind}] bidding for {args.seconds} s (load {loadavg()})…", flush=True)
        pg = env.get("DATABASE_URL", "").endswith(PG_DB)
        cpu, before, backends = cpu_seconds(server.pid), loadavg(), backend_cpu() if pg else {}
        mine = time.process_time()
        bids = bid_load_asyncio if client == "asyncio" else bid_load
        load = bids(port, made, args.seconds, args.strategy)
        mine = time.process_time() - mine
        cpu, answered = cpu_seconds(server.pid) - cpu, sum(load["answers"].values())
        if pg:  # backends opened during the load count from nothing
            after = backend_cpu()
            db_cpu = sum(c - backends.get(p, 0.0) for p, c in after.items())
            load["db_ms_per_accepted"] = db_cpu * 1000 / max(len(load["accepted"]), 1)
        load["load"] = f"{before} → {loadavg()}"
        load["cpu_ms_per_answer"] = cpu * 1000 / max(answered, 1)
        load["cpu_ms_per_accepted"] = cpu * 1000 / max(len(load["accepted"]), 1)
        load["client_ms_per_answer"] = mine * 1000 / max(answered, 1)
        print(f"[{kind}] the ceiling: /healthz for {args.ceiling_seconds} s…", flush=True)
        cpu, mine = cpu_seconds(server.pid), time.process_time()
        top = (ceiling_asyncio if client == "asyncio" else ceiling)(
            port, args.bidders, args.ceiling_seconds
        )
        answers = max(top["answers"], 1)
        top["cpu_ms_per_answer"] = (cpu_seconds(server.pid) - cpu) * 1000 / answers
        top["client_ms_per_answer"] = (time.process_time() - mine) * 1000 / answers
    finally:
        server.terminate()
        server.wait(timeout=120)
    if top.get("errors") or "0" in load["answers"]:  # answers missing: what the server said
        log = Path(env["PANHUO_DATA_DIR"]) / f"serve-{kind}.log"
        print(f"[{kind}] connections lost; the server's log:\n{log.read_text()[-3000:]}")
    return {"server": f"{kind} ({client} client)", "load": load, "ceiling": top}


def loadavg() -> str:
    """The machine's 1-minute load average (shared machines: what the figures ran beside)."""
    return Path("/proc/loadavg").read_text().split()[0]


def run(db: str, args) -> dict:
    with tempfile.TemporaryDirectory(prefix="panhuo-bids-") as tmp:
        env = environment(Path(tmp), db)
        if db == "postgres":
            prepare_postgres()
        print(f"[{db}] migrating and setting up the lot and {args.bidders} bidders…", flush=True)
        subprocess.run([sys.executable, "-m", "panhuo.cli", "migrate", "--no-input", "-v0"],
                       env=env, cwd=ROOT, check=True)  # fmt: skip
        made = task(env, "setup", bidders=args.bidders, tokens=True, minutes=24 * 60)
        if db == "postgres":
            subprocess.run(["psql", env["DATABASE_URL"], "-qc", "ANALYZE"], check=True)
        # Each server in turn bids on the same lot (the price goes on rising); the check
        # after covers every bid of them all.
        servers = [
            serve_and_load(env, made, kind, client, args)
            for kind in args.servers.split(",")
            for client in args.clients.split(",")
        ]
        state = task(env, "check", lot=made["lot"])
        written = {tuple(p) for p in state["placed"]}
        answered = {tuple(a) for s in servers for a in s["load"]["accepted"]}
        result = {
            "db": db, "servers": servers, "problems": state["problems"],
            "lost": len(answered - written), "unanswered": len(written - answered),
            "rows": state["rows"],
        }  # fmt: skip
        print(f"[{db}] baseline: locked updates for {args.seconds} s…", flush=True)
        before = loadavg()
        result["baseline"] = locked_updates(db, env, made["lot"], args.bidders, args.seconds)
        result["baseline"]["load"] = f"{before} → {loadavg()}"
        if args.profile:
            result["profile"] = profile(env, made, args.profile)
        if db == "postgres":
            subprocess.run(
                ["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"],
                check=False,
            )
        return result


def table(results: list[dict], args) -> str:
    lines = [
        f"{args.bidders} concurrent bidders ({args.strategy}), one lot, {args.seconds} s each; "
        f"clients: {args.clients}; gunicorn: "
        f"panhuo serve --workers {args.workers} --threads {args.threads}; waitress: "
        f"panhuo serve --threads {args.threads}",
        "",
        "| database | what | per second | p50 ms | p99 ms | × baseline "
        "| server CPU ms / answer | … / accepted bid | database CPU ms / accepted bid "
        "| load generator CPU ms / answer | load average |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        base, db = r["baseline"], r["db"]
        lines.append(
            f"| {db} | baseline: single-row locked updates ({args.bidders} connections) "
            f"| {base['per_s']:,.0f} | {base['p50_ms']:.1f} | {base['p99_ms']:.1f} | 1.00 "
            f"| | | | | {base['load']} |"
        )
        for s in r["servers"]:
            load, top, kind = s["load"], s["ceiling"], s["server"]
            db_ms = f"{load['db_ms_per_accepted']:.1f}" if "db_ms_per_accepted" in load else ""
            lines += [
                f"| {db} | {kind}: bids accepted | {load['accepted_per_s']:,.1f} "
                f"| {load['p50_ms']:.1f} | {load['p99_ms']:.1f} "
                f"| {load['accepted_per_s'] / base['per_s']:.3f} | "
                f"| {load['cpu_ms_per_accepted']:.1f} | {db_ms} | | {load['load']} |",
                f"| {db} | {kind}: bid requests answered (accepted + refused) "
                f"| {load['answered_per_s']:,.1f} | | | | {load['cpu_ms_per_answer']:.1f} | | "
                f"| {load['client_ms_per_answer']:.2f} | |",
                f"| {db} | {kind}: ceiling, /healthz (no database) "
                f"| {top['per_s']:,.1f} | | | | {top['cpu_ms_per_answer']:.1f} | | "
                f"| {top['client_ms_per_answer']:.2f} | |",
            ]
    lines.append("")
    for r in results:
        answers = {s["server"]: s["load"]["answers"] for s in r["servers"]}
        lines.append(
            f"{r['db']}: answers {answers}; bid rows {r['rows']}; "
            f"accepted but not written (lost): {r['lost']}; written but not answered accepted: "
            f"{r['unanswered']}; replay problems (mis-ordered / stale): {r['problems'] or 'none'}"
        )
        if "profile" in r:
            p = r["profile"]
            one = f"{p['ms_per_bid']:.1f} ms, {p['queries_per_bid']:.1f} statements"
            lines.append(f"{r['db']}: one bid in-process (no HTTP, no contention): {one}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Bids per second on one hot lot.")
    parser.add_argument("--bidders", type=int, default=50)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--servers", default="gunicorn,waitress",
                        help="servers to measure, in turn: gunicorn (panhuo serve --workers, "
                        "the production way), waitress (one process)")  # fmt: skip
    parser.add_argument("--clients", default="asyncio",
                        help="load generators to measure, in turn: asyncio (one thread, raw "
                        "sockets), threads (one http.client thread per bidder)")  # fmt: skip
    parser.add_argument("--workers", default="auto", help="gunicorn's processes (auto)")
    parser.add_argument("--threads", type=int, default=8, help="threads per process (8)")
    parser.add_argument("--profile", type=int, default=0, help="bids to profile in-process")
    parser.add_argument("--strategy", choices=["sequence", "latest"], default="sequence",
                        help="sequence: one shared rising sequence, a step apart; latest: the "
                        "latest price seen plus 1-20 steps, as a maximum")  # fmt: skip
    parser.add_argument("--ceiling-seconds", type=float, default=5,
                        help="seconds of /healthz for the server's ceiling (5)")  # fmt: skip
    args = parser.parse_args()
    unknown = set(args.servers.split(",")) - {"gunicorn", "waitress"}
    if unknown:
        parser.error(f"--servers: gunicorn or waitress, not {', '.join(sorted(unknown))}")
    if set(args.clients.split(",")) - {"asyncio", "threads"}:
        parser.error("--clients: asyncio or threads")
    dbs = ["postgres", "sqlite"] if args.db == "both" else [args.db]
    results = [run(db, args) for db in dbs]
    print()
    print(table(results, args))


if __name__ == "__main__":
    main()
