"""Benchmark: importing and exporting a large asset register, against raw database baselines.

Run:  python bench/import_export.py [--rows 1000000] [--db sqlite|postgres|both]

For each database it generates N realistic asset rows into a CSV file, then measures in the
same run:
  * baseline import: PostgreSQL COPY of the same rows into an equivalent bare table, or SQLite
    executemany of the same (already parsed) rows;
  * Panhuo import: the full path (reading, mapping, parsing, validation, matching by natural
    key, writing, audit entries) of `panhuo import assets --commit`;
  * baseline export: PostgreSQL COPY ... TO STDOUT, or an SQLite cursor dump to CSV;
  * Panhuo export: the streamed CSV export of the same assets (cells made by the database), and
    the same rows made cell by cell in Python (the export before), for comparison.
Each measured step runs in its own process so that its peak memory (max RSS) is its own.

``--work DIR`` keeps the generated file and the databases (SQLite's file in DIR, PostgreSQL's
scratch database) after the run; ``--only export`` then measures the exports again on them
without generating and importing anew (the import is most of a run's time).
The table is printed; the figures are recorded by hand in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
#: The scratch database (dropped and made again); PANHUO_BENCH_DB names another, so that two
#: runs on one server do not drop each other's.
BENCH_DB = os.environ.get("PANHUO_BENCH_DB", "panhuo_bench")
KINDS = ["land", "building", "vehicle", "equipment", "equity", "operating_right",
         "natural_resource", "data", "receivable"]  # fmt: skip
STATUSES = ["in_use", "idle", "under_used", "leased_out", "occupied"]
HEADER = ["unit", "code", "name", "kind", "address", "latitude", "longitude", "area",
          "book_value", "accumulated_depreciation", "appraised_value", "annual_income",
          "annual_holding_cost", "status", "idle_since", "criticality", "certificate_number",
          "title_complete", "acquired_on"]  # fmt: skip
UNITS = [f"BU{i:02d}" for i in range(1, 9)]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    streets = ["Renmin Rd", "Jiefang Ave", "Zhongshan Rd", "Binjiang Rd", "Xinhua St"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(rows):
            kind = KINDS[i % len(KINDS)]
            cost = rnd.randint(10_000, 50_000_000)
            dep = rnd.randint(0, cost // 2)
            status = rnd.choice(STATUSES)
            idle = (
                f"{rnd.randint(2015, 2025)}-{rnd.randint(1, 12):02d}-01"
                if status in ("idle", "under_used")
                else ""
            )
            w.writerow([
                UNITS[i % len(UNITS)], f"A{i:08d}", f"{kind.replace('_', ' ').title()} {i}",
                kind, f"{rnd.randint(1, 999)} {rnd.choice(streets)}",
                f"{30 + rnd.random():.6f}", f"{120 + rnd.random():.6f}",
                f"{rnd.randint(10, 20000)}.{rnd.randint(0, 99):02d}", f"{cost}.00",
                f"{dep}.00", f"{int(cost * rnd.uniform(0.6, 1.8))}.00",
                f"{rnd.randint(0, cost // 20)}.00", f"{rnd.randint(0, cost // 50)}.00",
                status, idle, rnd.choice(["supporting", "non_essential", "non_essential"]),
                f"CERT-{i:08d}", rnd.choice(["true", "false"]),
                f"{rnd.randint(1990, 2024)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
            ])  # fmt: skip


# --- steps, each run in a child process -------------------------------------------------------

BARE_PG = """CREATE TABLE IF NOT EXISTS bench_bare (
 unit text, code text, name text, kind text, address text, latitude numeric(9,6),
 longitude numeric(9,6), area numeric(14,2), book_value numeric(20,2),
 accumulated_depreciation numeric(20,2), appraised_value numeric(20,2),
 annual_income numeric(20,2), annual_holding_cost numeric(20,2), status text,
 idle_since date, criticality text, certificate_number text, title_complete boolean,
 acquired_on date)"""


def step_pg_copy(db_url: str, csv_path: str) -> dict:
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_bare")
        conn.execute(BARE_PG)
        t, cpu = time.perf_counter(), time.process_time()
        with (
            conn.cursor() as cur,
            cur.copy("COPY bench_bare FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            open(csv_path, "rb") as f,
        ):
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        return {"seconds": time.perf_counter() - t, "cpu": time.process_time() - cpu}


def step_sqlite_executemany(db_path: str, csv_path: str) -> dict:
    import sqlite3

    conn = sqlite3.connect(db_path)
    conn.execute("DROP TABLE IF EXISTS bench_bare")
    conn.execute(BARE_PG.replace("numeric(9,6)", "numeric").replace("numeric(14,2)", "numeric")
                 .replace("numeric(20,2)", "numeric"))  # fmt: skip
    t, cpu = time.perf_counter(), time.process_time()
    with open(csv_path, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        next(r)
        conn.executemany(f"INSERT INTO bench_bare VALUES ({','.join('?' * len(HEADER))})", r)
    conn.commit()
    return {"seconds": time.perf_counter() - t, "cpu": time.process_time() - cpu}


def step_pg_copy_out(db_url: str, out_path: str) -> dict:
    import psycopg

    with psycopg.connect(db_url) as conn:
        t, cpu = time.perf_counter(), time.process_time()
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY (SELECT u.code, a.code, a.name, a.kind, a.address, a.latitude, a.longitude, "
                "a.area, a.book_value, a.accumulated_depreciation, a.appraised_value, "
                "a.annual_income, a.annual_holding_cost, a.status, a.idle_since, a.criticality, "
                "a.certificate_number, a.title_complete, a.acquired_on FROM register_asset a "
                "JOIN organisation_unit u ON u.id = a.unit_id) TO STDOUT WITH (FORMAT csv, HEADER)"
            ) as copy,
            open(out_path, "wb") as f,
        ):
            for data in copy:
                f.write(data)
        return {"seconds": time.perf_counter() - t, "cpu": time.process_time() - cpu}


def step_sqlite_dump(db_path: str, out_path: str) -> dict:
    import sqlite3

    conn = sqlite3.connect(db_path)
    t, cpu = time.perf_counter(), time.process_time()
    cur = conn.execute(
        "SELECT u.code, a.code, a.name, a.kind, a.address, a.latitude, a.longitude, a.area, "
        "a.book_value, a.accumulated_depreciation, a.appraised_value, a.annual_income, "
        "a.annual_holding_cost, a.status, a.idle_since, a.criticality, a.certificate_number, "
        "a.title_complete, a.acquired_on FROM register_asset a JOIN organisation_unit u "
        "ON u.id = a.unit_id"
    )
    with open(out_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        while rows := cur.fetchmany(5000):
            w.writerows(rows)
    return {"seconds": time.perf_counter() - t, "cpu": time.process_time() - cpu}


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panhuo.settings")
    import django

    django.setup()


def step_setup(_arg: str, _arg2: str) -> dict:
    """Migrate and create the bench district, units and an office user."""
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from panhuo.organisation.models import Jurisdiction, Role, RoleAssignment, Unit, User

    j, _ = Jurisdiction.objects.get_or_create(
        code="BENCH", defaults={"name": "Bench district", "level": "district"}
    )
    for code in UNITS:
        Unit.objects.get_or_create(
            code=code, defaults={"name": f"Unit {code}", "kind": "department", "jurisdiction": j}
        )
    user, created = User.objects.get_or_create(username="bench_office")
    if created:
        RoleAssignment.objects.create(user=user, role=Role.OFFICE, jurisdiction=j)
    return {}


def step_panhuo_import(csv_path: str, _arg2: str) -> dict:
    _django()
    from panhuo.organisation.models import User
    from panhuo.register.importing.engine import import_assets

    user = User.objects.get(username="bench_office")
    t, cpu = time.perf_counter(), time.process_time()
    with open(csv_path, "rb") as f:
        report = import_assets(actor=user, stream=f, commit=True, filename="bench.csv")
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    if not report.committed:
        raise SystemExit(f"import rejected: {report.errors[:3]}")
    return {"seconds": seconds, "cpu": cpu, "new": report.new}


def step_panhuo_export(out_path: str, _arg2: str) -> dict:
    _django()
    from panhuo.organisation.models import User
    from panhuo.register.exporting import write_csv
    from panhuo.register.selectors import asset_list

    user = User.objects.get(username="bench_office")
    t, cpu = time.perf_counter(), time.process_time()
    with open(out_path, "wb") as f:
        write_csv(asset_list(user), f)
    return {"seconds": time.perf_counter() - t, "cpu": time.process_time() - cpu}


def step_panhuo_export_rows(out_path: str, _arg2: str) -> dict:
    """The export as it was before the database made the cells (COPY TO, a plain cursor):
    Django's iterator and each cell formatted in Python, for the same-run comparison."""
    _django()
    from panhuo.organisation.models import User
    from panhuo.register.exporting import csv_rows
    from panhuo.register.selectors import asset_list

    user = User.objects.get(username="bench_office")
    t, cpu = time.perf_counter(), time.process_time()
    with open(out_path, "wb") as f:
        for chunk in csv_rows(asset_list(user)):
            f.write(chunk)
    return {"seconds": time.perf_counter() - t, "cpu": time.process_time() - cpu}


STEPS = {f.__name__.removeprefix("step_"): f for f in [
    step_panhuo_export_rows,
    step_pg_copy, step_sqlite_executemany, step_pg_copy_out, step_sqlite_dump, step_setup,
    step_panhuo_import, step_panhuo_export]}  # fmt: skip


def run_step(name: str, a: str, b: str, env: dict) -> dict:
    """Run one step in a child process and return its figures plus its peak memory (MiB)."""
    code = (
        f"import json, resource, sys; sys.path.insert(0, {str(ROOT)!r}); "
        f"import bench.import_export as b; r = b.STEPS[{name!r}]({a!r}, {b!r}); "
        "r['peak_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; "
        "import os; r['load'] = os.getloadavg()[0]; "
        "print('RESULT' + json.dumps(r))"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter running our own step
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT, check=False
    )
    if out.returncode:
        raise SystemExit(f"{name} failed:\n{out.stdout}\n{out.stderr}")
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("RESULT"))
    return json.loads(line.removeprefix("RESULT"))


def bench_db(db: str, rows: int, work: Path, csv_path: Path, only: str = "all") -> list[tuple]:
    env = {
        **os.environ,
        "PANHUO_ENV": "development",
        "DEBUG": "false",
        "PANHUO_DATA_DIR": str(work / db),
    }
    sqlite_path = work / db / "panhuo.sqlite3"
    if db == "postgres":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
    rows_in: list[tuple] = []
    if only == "export":
        run_step("setup", "", "", env)  # migrations added since the import run
    else:
        if db == "postgres":
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
                conn.execute(f"CREATE DATABASE {BENCH_DB}")
            base_in = run_step("pg_copy", env["DATABASE_URL"], str(csv_path), env)
        else:
            sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            sqlite_path.unlink(missing_ok=True)
            base_in = run_step("sqlite_executemany", str(work / "bare.sqlite3"), str(csv_path), env)
        run_step("setup", "", "", env)
        imp = run_step("panhuo_import", str(csv_path), "", env)
        rows_in = [
            (db, "import", "baseline (COPY)" if db == "postgres" else "baseline (executemany)",
             rows, base_in["seconds"], base_in["cpu"], base_in["peak_mib"], 1.0, base_in["load"]),
            (db, "import", "panhuo import --commit", rows, imp["seconds"], imp["cpu"],
             imp["peak_mib"], imp["seconds"] / base_in["seconds"], imp["load"]),
        ]  # fmt: skip
    out_base = work / f"{db}-base.csv"
    out_panhuo = work / f"{db}-panhuo.csv"
    if db == "postgres":
        base_out = run_step("pg_copy_out", env["DATABASE_URL"], str(out_base), env)
    else:
        base_out = run_step("sqlite_dump", str(sqlite_path), str(out_base), env)
    exp = run_step("panhuo_export", str(out_panhuo), "", env)
    rows_exp = run_step("panhuo_export_rows", str(work / f"{db}-rows.csv"), "", env)
    return [
        *rows_in,
        (db, "export", "baseline (COPY TO)" if db == "postgres" else "baseline (cursor dump)",
         rows, base_out["seconds"], base_out["cpu"], base_out["peak_mib"], 1.0, base_out["load"]),
        (db, "export", "panhuo export (CSV)", rows, exp["seconds"], exp["cpu"], exp["peak_mib"],
         exp["seconds"] / base_out["seconds"], exp["load"]),
        (db, "export", "cells made in Python (the export before)", rows, rows_exp["seconds"],
         rows_exp["cpu"], rows_exp["peak_mib"], rows_exp["seconds"] / base_out["seconds"],
         rows_exp["load"]),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--work", help="Keep the file and the databases in this folder.")
    parser.add_argument(
        "--only",
        choices=["all", "export"],
        default="all",
        help="export: only the exports, on the databases an earlier run left in --work.",
    )
    args = parser.parse_args()
    if args.only == "export" and not args.work:
        parser.error("--only export needs the --work folder of an earlier run")
    with tempfile.TemporaryDirectory(prefix="panhuo-bench-") as tmp:
        work = Path(args.work or tmp)
        work.mkdir(parents=True, exist_ok=True)
        csv_path = work / "assets.csv"
        if args.only == "all":
            generate(csv_path, args.rows)
            print(f"generated {args.rows:,} rows, {csv_path.stat().st_size / 2**20:.1f} MiB")
        dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
        table = []
        for db in dbs:
            table += bench_db(db, args.rows, work, csv_path, args.only)
    print()
    print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}")
    # "cpu s" is this process's CPU in the step (the database server's is not in it: COPY's
    # work is the server's), beside the wall seconds the ratio is taken of.
    print("| database | step | method | rows | seconds | cpu s | rows/s | peak MiB | × baseline "
          "| load |")  # fmt: skip
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for db, step, method, rows, secs, cpu, peak, ratio, load in table:
        print(f"| {db} | {step} | {method} | {rows:,} | {secs:.2f} | {cpu:.2f} | "
              f"{rows / secs:,.0f} | {peak:.0f} | {ratio:.2f} | {load:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
