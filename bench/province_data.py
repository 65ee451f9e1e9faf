"""The province benchmark's database (bench/province.py): create it, migrate it, fill its real
tables with ``COPY`` (what is generated: bench/province_rows.py), check the rows hold together,
and drop it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.province_rows import TABLES, generate

ROOT = Path(__file__).resolve().parent.parent

PG = "postgres://postgres@127.0.0.1:5432/"


def database_name(scale: float) -> str:
    if scale == 1:
        return "panhuo_bench_province"
    return "panhuo_bench_province_s" + f"{scale:g}".replace(".", "_")


FOREIGN_KEYS = """
SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname
FROM pg_constraint c
  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
  JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
"""


def verify(conn) -> None:
    """The generated rows hold together: every foreign key resolves (they were not checked
    while copying), and each receipt's ``allocated`` is what its allocations add up to."""
    conn.execute("SET session_replication_role = DEFAULT")
    for table, column, target, target_column in conn.execute(FOREIGN_KEYS, [list(TABLES)]):
        orphans = conn.execute(
            f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {target} r WHERE r.{target_column} = t.{column})"
        ).fetchone()[0]
        if orphans:
            raise SystemExit(f"{orphans} rows of {table}.{column} point nowhere in {target}")
    bad = conn.execute("""
        SELECT count(*) FROM finance_receipt r LEFT JOIN (
          SELECT receipt_id, sum(CASE WHEN reverses_id IS NULL THEN amount ELSE -amount END) s
          FROM finance_allocation GROUP BY receipt_id) a ON a.receipt_id = r.id
        WHERE r.allocated <> coalesce(a.s, 0)""").fetchone()[0]  # fmt: skip
    if bad:
        raise SystemExit(f"{bad} receipts' allocated differs from their allocations")
    bad = conn.execute("""
        SELECT count(*) FROM finance_debt d LEFT JOIN (
          SELECT debt_id, sum(CASE WHEN reverses_id IS NULL THEN amount ELSE -amount END) s
          FROM finance_repayment GROUP BY debt_id) p ON p.debt_id = d.id
        WHERE d.outstanding <> d.principal - coalesce(p.s, 0)""").fetchone()[0]  # fmt: skip
    if bad:
        raise SystemExit(f"{bad} debts' outstanding differs from their repayment ledger")


def prepare(
    scale: float, keep: bool, *, name: str | None = None, extra=None, rebuild: bool = True
) -> str:
    """The province's database at ``scale`` (``name``, else ``database_name(scale)``): with
    ``keep``, one a previous run left is reused (migrated, its roll-ups rebuilt unless not
    ``rebuild``); else it is generated afresh. ``extra`` is a benchmark's own rows on top,
    ``(marker table, add(url, scale))``: added after a fresh generation, or to a reused province
    that lacks its marker table (which ``add`` creates). Then ``VACUUM ANALYZE``; its URL."""
    import psycopg

    name = name or database_name(scale)
    url = PG + name
    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if keep and exists:
        with psycopg.connect(url) as conn:
            done = conn.execute("SELECT to_regclass('bench_province_done')").fetchone()[0]
            added = (
                extra is None or conn.execute("SELECT to_regclass(%s)", [extra[0]]).fetchone()[0]
            )
        if done:
            migrate(url)  # a roll-up table added since it was generated
            if rebuild:
                rebuild_rollups(url)
            if added:
                print(f"reusing {name}")
                return url
            print(f"reusing {name}'s province, adding {extra[0]}")
            extra[1](url, scale)
            _analyze(url)
            return url
    started = time.perf_counter()
    fill(name, scale, rollups=rebuild)
    if extra is not None:
        extra[1](url, scale)
    _analyze(url)
    print(f"generated in {time.perf_counter() - started:.0f} s (migrate included)", flush=True)
    return url


def _analyze(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def fill(name: str, scale: float, rollups: bool = True) -> str:
    """Database ``name`` created afresh, migrated, generated, checked and marked done
    (``bench_province_done``), its roll-ups rebuilt (unless not ``rollups``); its URL."""
    import psycopg

    url = PG + name
    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    print(f"migrating {name}…", flush=True)
    migrate(url)
    print(f"generating at scale {scale:g}…", flush=True)
    with psycopg.connect(url) as conn:
        generate(conn, scale)
        verify(conn)
        conn.execute("CREATE TABLE bench_province_done (scale float)")
        conn.commit()
    if rollups:
        rebuild_rollups(url)
    return url


def migrate(url: str) -> None:
    subprocess.run([sys.executable, "-m", "panhuo.cli", "migrate", "--no-input", "-v0"],
                   env={**os.environ, "DATABASE_URL": url}, cwd=ROOT, check=True)  # fmt: skip


def rebuild_rollups(url: str) -> None:
    """The services' roll-ups computed from the rows written with COPY (which bypassed them),
    as `panhuo rollups rebuild` does after any bulk load, then checked."""
    for action in ("rebuild", "verify"):
        subprocess.run(  # noqa: S603 (our own command, a fixed action)
            [sys.executable, "-m", "panhuo.cli", "rollups", action],
            env={**os.environ, "DATABASE_URL": url}, cwd=ROOT, check=True,
        )  # fmt: skip


def drop(scale: float) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database_name(scale)}")
