"""Reconcile benchmark: ``panhuo audit reconcile`` (and ``audit verify``) on the seeded demo.

Run:  python bench/reconcile.py [--db sqlite|postgres|both] [--size full|small] [--copies 1]

It seeds the demo district into a fresh database (``--copies N`` then multiplies the audited
assets' rows and entries N times, for a larger register), then measures, each in its own
process so its peak memory is its own:

  * the baseline: reading what reconcile reads, with raw SQL and nothing else (the audited
    tables' rows and their audit entries' object id, before and after);
  * ``reconcile()``: replaying every audited record from its entries and comparing;
  * ``audit_verify()`` and ``verify_checkpoints()``: the hash chain and the signed checkpoints.

The table is printed; the figures are recorded by hand in docs/benchmarks.md.
"""

# ruff: noqa: S603, S607 - fixed commands of our own: psql and this script

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DB = "panhuo_bench_reconcile"


def environment(data_dir: Path, db: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PANHUO_ENV": "demo",
        "PANHUO_DATA_DIR": str(data_dir),
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "panhuo.settings",
    }
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    return env


def run(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return out.stdout


STEP = r"""
import json, resource, sys, time
import django; django.setup()
from django.db import connection
from panhuo.integrity.reconcile import reconcile, registered
from panhuo.integrity.services import audit_verify
from panhuo.integrity.checkpoints import make_checkpoint, verify_checkpoints

step = sys.argv[1]
t = time.perf_counter()
info = {}
if step == "baseline":
    labels = [label for label, _spec in registered()]
    n = 0
    with connection.cursor() as cursor:
        marks = ", ".join("%s" for _ in labels)
        cursor.execute(
            "SELECT object_id, before, after FROM integrity_auditentry "
            f"WHERE object_type IN ({marks}) ORDER BY seq", labels)
        for _row in cursor:
            n += 1
        for _label, spec in registered():
            cursor.execute(f"SELECT * FROM {spec.model._meta.db_table} ORDER BY id")
            for _row in cursor:
                n += 1
    info = {"rows": n}
elif step == "reconcile":
    r = reconcile()
    info = {"rows": r.records + r.entries, "records": r.records, "entries": r.entries,
            "differences": len(r.differences)}
elif step == "verify":
    r = audit_verify()
    info = {"rows": r.checked, "ok": r.ok}
elif step == "checkpoints":
    make_checkpoint(note="bench")
    r = verify_checkpoints()
    info = {"rows": r.checked, "ok": r.ok}
info["seconds"] = time.perf_counter() - t
info["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(info))
"""

MULTIPLY = r"""
import sys
import django; django.setup()
from django.db import connection, transaction
from panhuo.integrity.models import AuditEntry
from panhuo.integrity.services import ObjRef, audit_record_many, snapshot
from panhuo.register.models import Asset

copies = int(sys.argv[1])
originals = list(Asset.objects.order_by("pk"))
with transaction.atomic():
    for n in range(1, copies):
        made = []
        for a in originals:
            a.pk = None
            a.code = f"{a.code}-x{n}"
            made.append(a)
        Asset.objects.bulk_create(made, batch_size=2000)
        audit_record_many(actor=None, records=[
            ("asset.create", a, None, snapshot(a), "") for a in made])
print(Asset.objects.count(), AuditEntry.objects.count())
"""


def prepare(db: str, data_dir: Path, size: str, copies: int) -> dict[str, str]:
    env = environment(data_dir, db)
    if db == "postgres":
        subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {PG_DB}"], check=True)
        subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {PG_DB}"], check=True)
    run(env, "-m", "panhuo.cli", "migrate", "--no-input", "-v0")
    run(env, "-c", f"import django; django.setup(); from panhuo.site.demo import SIZES, "
        f"seed_demo; seed_demo(size=SIZES[{size!r}])")  # fmt: skip
    if copies > 1:
        run(env, "-c", MULTIPLY, str(copies))
    if db == "postgres":
        subprocess.run(["psql", env["DATABASE_URL"], "-qc", "ANALYZE"], check=True)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--size", choices=["full", "small"], default="full")
    parser.add_argument("--copies", type=int, default=1)
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    rows = []
    for db in dbs:
        with tempfile.TemporaryDirectory(prefix="panhuo-bench-reconcile-") as tmp:
            print(f"[{db}] migrating and seeding the {args.size} demo (x{args.copies})…")
            env = prepare(db, Path(tmp), args.size, args.copies)
            results = {}
            for step in ("baseline", "reconcile", "verify", "checkpoints"):
                results[step] = json.loads(run(env, "-c", STEP, step).strip().splitlines()[-1])
            base = results["baseline"]["seconds"]
            for step, r in results.items():
                rows.append((db, step, r, r["seconds"] / base if base else 0))
            if db == "postgres":
                subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE {PG_DB}"], check=True)
    print()
    print("| database | step | rows read | seconds | peak MiB | × baseline | notes |")
    print("|---|---|---:|---:|---:|---:|---|")
    for db, step, r, ratio in rows:
        notes = {k: v for k, v in r.items() if k not in {"rows", "seconds", "peak_mib"}}
        print(f"| {db} | {step} | {r['rows']:,} | {r['seconds']:.2f} | {r['peak_mib']:.0f} | "
              f"{ratio:.2f} | {json.dumps(notes) if notes else ''} |")  # fmt: skip


if __name__ == "__main__":
    main()
