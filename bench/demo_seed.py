"""The demo seed's CPU (issue 11: CI's demo stage seeds the full demo beside the SQLite tests).

    python bench/demo_seed.py [--size full|small] [--phase register|seed] [--baseline REV]
        [--migrated FILE]

Each run is a fresh process on a copy of one migrated SQLite database (made once, first, by
``manage.py migrate`` unless ``--migrated`` names one), so no run pays for the migration:

* ``--phase register``: the organisation and the register only (every asset of the size
  through ``asset_create``), in a transaction rolled back;
* ``--phase seed`` (the default): the whole ``seed_demo``.

``--baseline REV`` runs the same from a temporary git worktree of ``REV`` first: a same-run
baseline. Prints the process's CPU seconds (user + system, Django's start-up excluded), the SQL
statements it sent and the load beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

CHILD = r"""
import json, resource, sys
import django
django.setup()
from django.db import connection, transaction
from panhuo.site.demo import SIZES, seed_demo

size, phase = SIZES[sys.argv[1]], sys.argv[2]
statements = 0


def count(execute, sql, params, many, context):
    global statements
    statements += 1
    return execute(sql, params, many, context)


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


connection.ensure_connection()
started = cpu()
with connection.execute_wrapper(count):
    if phase == "seed":
        seed_demo(size=size)
    else:
        import random
        from django.utils import timezone
        from panhuo.site.demo import catalogue as c
        from panhuo.site.demo import seed_codes
        from panhuo.site.demo.seed import _Seeder
        from panhuo.site.demo.seed_clock import SeedClock, running

        clock = SeedClock(timezone.localdate())
        with transaction.atomic(), running(clock):
            seeder = _Seeder(random.Random(c.DEFAULT_SEED), size, lambda _m: None, clock)
            seeder.organisation()
            seed_codes.load_local_codes()
            seeder.assets(c.DISTRICT[0], size.assets, "office")
            seeder.assets(c.OTHER_DISTRICT[0], size.other_assets, "dc_office")
            transaction.set_rollback(True)
print("RESULT " + json.dumps({"cpu": cpu() - started, "statements": statements}))
"""


def git(*args: str) -> None:
    subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True)  # noqa: S603, S607


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def measure(tree: Path, migrated: Path, work: Path, size: str, phase: str) -> dict:
    data = work / f"data-{tree.name}"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir()
    shutil.copy(migrated, data / "panhuo.sqlite3")
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "DJANGO_SETTINGS_MODULE": "panhuo.settings",
        "PANHUO_ENV": "demo",
        "PANHUO_DATA_DIR": str(data),
        "DATABASE_URL": "",
    }
    out = subprocess.run(  # noqa: S603 (our own code)
        [str(BIN / "python"), "-c", CHILD, size, phase],
        cwd=tree, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if out.returncode:
        sys.exit(f"the seed failed in {tree}:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="full", choices=["full", "small"])
    parser.add_argument("--phase", default="seed", choices=["seed", "register"])
    parser.add_argument("--baseline", help="a git revision to measure first, same run")
    parser.add_argument("--migrated", type=Path, help="a migrated SQLite database to copy")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="panhuo-demo-seed-") as tmp:
        work = Path(tmp)
        migrated = args.migrated
        if migrated is None:
            data = work / "migrated"
            env = {**os.environ, "PANHUO_ENV": "demo", "PANHUO_DATA_DIR": str(data),
                   "DATABASE_URL": "", "PYTHONPATH": str(ROOT)}  # fmt: skip
            subprocess.run(  # noqa: S603 (our own command)
                [str(BIN / "python"), "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
            )
            migrated = data / "panhuo.sqlite3"
        trees = [("this tree", ROOT)]
        if args.baseline:
            base = work / "baseline"
            git("worktree", "add", "--detach", str(base), args.baseline)
            trees.insert(0, (args.baseline, base))
        try:
            print(
                "| tree | size | phase | CPU s | statements | load |\n|---|---|---|---:|---:|---:|"
            )
            for label, tree in trees:
                r = measure(tree, migrated, work, args.size, args.phase)
                print(f"| {label} | {args.size} | {args.phase} | {r['cpu']:.1f} | "
                      f"{r['statements']:,} | {load()} |", flush=True)  # fmt: skip
        finally:
            if args.baseline:
                git("worktree", "remove", "--force", str(base))


if __name__ == "__main__":
    main()
