"""Benchmark: the audit step of an asset import, one chained entry per asset (before) against one
chained entry per batch holding each row's digest and their Merkle root (integrity/batches.py).

Run:  python bench/import_audit.py [--batches 20] [--size 1000] [--db sqlite|postgres|both]

Same process, same records (an imported asset's values as the import audits them), the two
writers alternating batch by batch, each batch in its own committed transaction as the import
writes it. Only the integrity tables are migrated (a scratch SQLite file, or the scratch
PostgreSQL database PANHUO_BENCH_DB, default panhuo_bench_audit, dropped and made again). The
whole import is measured by bench/import_export.py; this isolates what the change changed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
BENCH_DB = os.environ.get("PANHUO_BENCH_DB", "panhuo_bench_audit")


def _records(start: int, size: int, source: dict | None) -> list[tuple]:
    from panhuo.integrity.services import ObjRef

    out = []
    for i in range(start, start + size):
        after = {
            "id": i, "unit": 3, "code": f"A-{i:07d}", "name": f"Asset {i}", "kind": "building",
            "classification": None, "address": "Renmin Rd 12", "latitude": "30.12345",
            "longitude": "120.54321", "area": "1200.50", "book_value": "12005000.00",
            "accumulated_depreciation": "300000.00", "appraised_value": None,
            "annual_income": "0.00", "annual_holding_cost": "12000.00", "status": "idle",
            "idle_since": "2023-01-15", "criticality": "normal", "certificate_number": "",
            "title_complete": True, "acquired_on": "2001-05-01", "attributes": {},
        }  # fmt: skip
        if source is not None:
            after["source"] = source
        out.append(("asset.import_create", ObjRef("register.asset", i, f"A-{i:07d} Asset {i}"),
                    None, after, "/1/2/"))  # fmt: skip
    return out


def child(batches: int, size: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panhuo.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from panhuo.integrity.batches import audit_record_batch
    from panhuo.integrity.services import audit_record_many, audit_verify

    call_command("migrate", "integrity", verbosity=0)
    call_command("migrate", "django_tasks_database", verbosity=0)  # checkpoint tasks
    source = {"file": "bench.csv", "write": "0" * 32}
    times: dict[str, list[float]] = {"entry per asset": [], "entry per batch": []}
    n = 0
    for _ in range(batches):
        for name in times:
            records = _records(n, size, source if name == "entry per asset" else None)
            n += size
            t = time.perf_counter()
            with transaction.atomic():
                if name == "entry per asset":
                    audit_record_many(actor=None, records=records)
                else:
                    audit_record_batch(
                        actor=None, action="asset.import_batch", records=records,
                        source=source, what="asset rows",
                    )  # fmt: skip
            times[name].append(time.perf_counter() - t)
    t = time.perf_counter()
    ok = audit_verify().ok
    verify = time.perf_counter() - t
    load = os.getloadavg()[0]
    base = statistics.median(times["entry per asset"])
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"| {connection.vendor} | {name} | {size:,} | {med * 1000:.0f} | "
              f"{size / med:,.0f} | {med / base:.2f} | {load:.1f} |")  # fmt: skip
    print(f"| {connection.vendor} | audit verify, {n:,} rows, intact={ok} | | "
          f"{verify * 1000:.0f} | {n / verify:,.0f} | | {load:.1f} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.batches, args.size)
    print("| database | audit of a batch | rows | median ms | rows/s | × per asset | load |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        with tempfile.TemporaryDirectory(prefix="panhuo-audit-bench-") as tmp:
            env = {**os.environ, "PANHUO_ENV": "development", "DEBUG": "false",
                   "PANHUO_DATA_DIR": tmp, "PYTHONPATH": str(ROOT)}  # fmt: skip
            env.pop("DATABASE_URL", None)
            if db == "postgres":
                import psycopg

                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
                    conn.execute(f"CREATE DATABASE {BENCH_DB}")
                env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
            subprocess.run(  # noqa: S603 - our own interpreter running this script
                [sys.executable, __file__, "--child", f"--batches={args.batches}",
                 f"--size={args.size}"], env=env, cwd=ROOT, check=True,
            )  # fmt: skip


if __name__ == "__main__":
    main()
