"""Load benchmark: the production server under wrk, against a trivial endpoint of the same server.

Run:  python bench/load.py [--db sqlite|postgres] [--duration 10] [--connections 50]

It seeds the demo district into a fresh database with production settings, starts the
production server (``panhuo serve --workers auto``: gunicorn, one process per core; ``--workers 0``
for one waitress process) on loopback, and measures in the same run:

  * wrk at N concurrent connections against
      - ``/healthz``: a trivial JSON endpoint of the same server (the baseline),
      - ``/api/v1/assets?page_size=50``: the asset list API, as the task-force office (token),
      - ``/``: the dashboard page, as the same user (session cookie);
  * requests one at a time (one keep-alive connection, after a warm-up) to the same three URLs,
    for the median and p99 of a single request with no queueing;
  * the asset list again on a second server with answer reuse off (``PANHUO_READ_CACHE=0``):
    the production server reuses a list answer until the next write (core/read_cache.py), and
    the benchmark asks the same page over and over with nothing written, so the list's own cost
    is only seen with reuse off.

Requests carry ``X-Forwarded-Proto: https``, as they would behind the TLS-terminating proxy a
production deployment has (otherwise production settings redirect them to https).
The table is printed; the figures are recorded by hand in docs/benchmarks.md.
Needs wrk (Debian package ``wrk``).
"""

# ruff: noqa: S603, S607 - fixed commands of our own: psql, wrk, the server

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PROXY = {"X-Forwarded-Proto": "https"}
#: The scratch PostgreSQL database (dropped and made again); PANHUO_BENCH_DB names another, so
#: that two runs on one server do not drop each other's.
BENCH_DB = os.environ.get("PANHUO_BENCH_DB", "panhuo_bench_load")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(data_dir: Path, db: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PANHUO_ENV": "production",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PANHUO_DATA_DIR": str(data_dir),
        "STATIC_ROOT": str(data_dir / "static"),
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
    return env


def panhuo(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "panhuo.cli", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


SESSION_SCRIPT = """
import django; django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from panhuo.organisation.services import api_token_create
user = get_user_model().objects.get(username="office")
client = Client()
client.force_login(user)
_token, key = api_token_create(actor=user, user=user, name="load-bench")
print(client.cookies["sessionid"].value)
print(key)
"""


def credentials(env: dict[str, str]) -> tuple[str, str]:
    out = subprocess.run(
        [sys.executable, "-c", SESSION_SCRIPT],
        env={**env, "DJANGO_SETTINGS_MODULE": "panhuo.settings"},
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return out[-2], out[-1]


def start_server(
    env: dict[str, str], port: int, threads: int, workers: str, log: Path
) -> subprocess.Popen:
    # The server's output goes to a file, never to a pipe nobody reads: a full pipe blocks the
    # server at its next write (waitress once wrote a line for every queued request).
    with log.open("ab") as out:
        server = _spawn(env, port, threads, workers, out)
    deadline = time.monotonic() + 120  # a loaded machine starts Django slowly
    while time.monotonic() < deadline:
        try:
            status, _ = get(port, "/healthz", {})
            if status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the server did not start: {log.read_text(errors='replace')[-2000:]}")


def _spawn(env: dict[str, str], port: int, threads: int, workers: str, out) -> subprocess.Popen:
    argv = [sys.executable, "-m", "panhuo.cli", "serve", f"--listen=127.0.0.1:{port}",
            f"--threads={threads}"]  # fmt: skip
    if workers != "0":
        argv.append(f"--workers={workers}")
    # Behind a TLS-terminating proxy on the same host: its X-Forwarded-Proto is believed.
    return subprocess.Popen(
        argv,
        env={**env, "PANHUO_TRUSTED_PROXIES": "127.0.0.1"},
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def get(port: int, path: str, headers: dict[str, str], conn=None) -> tuple[int, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={**PROXY, **headers})
    response = conn.getresponse()
    body = response.read()
    if own:
        conn.close()
    return response.status, body


def one_at_a_time(port: int, path: str, headers: dict[str, str], n: int) -> dict[str, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(10):  # warm-up: connections, caches, the first compiled templates
        get(port, path, headers, conn)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        status, _ = get(port, path, headers, conn)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
    conn.close()
    times.sort()
    return {"p50": statistics.median(times), "p99": times[int(len(times) * 0.99) - 1]}


def wrk(port: int, path: str, headers: dict[str, str], connections: int, duration: int) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "30s"]
    for k, v in {**PROXY, **headers}.items():
        args += ["-H", f"{k}: {v}"]
    out = subprocess.run(
        [*args, f"http://127.0.0.1:{port}{path}"], check=True, capture_output=True, text=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)

    def pct(p: str) -> float:
        value, unit = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {
        "rps": rps,
        "p50": pct("50"),
        "p99": pct("99"),
        "bad": int(non2xx.group(1)) if non2xx else 0,
        "errors": errors.group(1) if errors else "",
    }


def prepare_postgres() -> None:
    subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {BENCH_DB}"], check=True)
    subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {BENCH_DB}"], check=True)


def run(
    db: str, duration: int, connections: int, threads: int, workers: str, samples: int
) -> list[dict]:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="panhuo-load-") as tmp:
        data = Path(tmp)
        env = environment(data, db)
        if db == "postgres":
            prepare_postgres()
        print(f"[{db}] migrating, seeding the demo district and collecting static files…")
        panhuo(env, "migrate", "--no-input", "-v0")
        panhuo(env, "collectstatic", "--no-input", "-v0")
        panhuo(env, "demo", "--no-serve")
        if db == "postgres":
            # A live database has planner statistics; a just-seeded one has none until
            # autovacuum comes round, and the first plans would be guesses.
            subprocess.run(["psql", env["DATABASE_URL"], "-qc", "ANALYZE"], check=True)
        session, token = credentials(env)
        token_header = {"Authorization": f"Bearer {token}"}
        list_path = "/api/v1/assets?page_size=50"
        # The production server as configured (answer reuse on: core/read_cache.py), then the
        # same server with reuse off, so the list's own cost is measured in the same run.
        servers = [
            ({}, [
                ("trivial JSON (/healthz), baseline", "/healthz", {}),
                ("asset list API, 50 rows (answer reused: no write between requests)",
                 list_path, token_header),
                ("dashboard page", "/", {"Cookie": f"sessionid={session}"}),
            ]),
            ({"PANHUO_READ_CACHE": "0"}, [
                ("asset list API, 50 rows (answer reuse off: computed every time)",
                 list_path, token_header),
            ]),
        ]  # fmt: skip
        rows = []
        for extra, targets in servers:
            port = free_port()
            server = start_server({**env, **extra}, port, threads, workers, data / "server.log")
            try:
                for label, path, headers in targets:
                    status, body = get(port, path, headers)
                    if status != 200:
                        raise SystemExit(f"{path} answered {status}: {body[:300]!r}")
                    single = one_at_a_time(port, path, headers, samples)
                    loaded = wrk(port, path, headers, connections, duration)
                    rows.append({"db": db, "label": label, "single": single, "wrk": loaded,
                                 "load": os.getloadavg()[0]})  # fmt: skip
                    print(f"[{db}] {label}: done")
            finally:
                server.terminate()  # gracefully: the requests wrk left queued are answered first
                try:
                    server.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
        return rows


def table(rows: list[dict], connections: int) -> str:
    lines = [
        f"| database | request | throughput at {connections} conns (req/s) | share of trivial "
        "| p50 under load (ms) | p99 under load (ms) | one at a time p50 (ms) | one at a time "
        "p99 (ms) | non-2xx | load avg (1 min) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for db in dict.fromkeys(r["db"] for r in rows):
        mine = [r for r in rows if r["db"] == db]
        base = mine[0]["wrk"]["rps"]
        for r in mine:
            w, s = r["wrk"], r["single"]
            lines.append(
                f"| {db} | {r['label']} | {w['rps']:,.0f} | {w['rps'] / base:.0%} "
                f"| {w['p50']:.1f} | {w['p99']:.1f} | {s['p50']:.1f} | {s['p99']:.1f} "
                f"| {w['bad']}{' ' + w['errors'] if w['errors'] else ''} | {r['load']:.1f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--duration", type=int, default=10, help="Seconds per wrk run.")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=8, help="Threads per server process.")
    parser.add_argument(
        "--workers",
        default="auto",
        help="Server processes (panhuo serve --workers: gunicorn; 'auto': one per core); "
        "0: one waitress process.",
    )
    parser.add_argument("--samples", type=int, default=300, help="One-at-a-time requests.")
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    rows = []
    for db in dbs:
        rows += run(db, args.duration, args.connections, args.threads, args.workers, args.samples)
    print()
    server = "waitress, 1 process" if args.workers == "0" else f"gunicorn, {args.workers} processes"
    print(f"CPU cores: {os.cpu_count()}; server: {server} of {args.threads} threads; "
          f"load average at the end: {os.getloadavg()}")  # fmt: skip
    print(table(rows, args.connections))


if __name__ == "__main__":
    main()
