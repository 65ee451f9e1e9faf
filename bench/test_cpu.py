"""CPU seconds of ordinary tests (API, pages, services), this tree against a baseline commit.

Run:  python bench/test_cpu.py [--base main~3] [--db sqlite|postgres|both] [--files ...]

The same sample of test modules runs in this working tree and in a throw-away worktree of
``--base`` (``git worktree add --detach``), one after the other, each in one process
(``pytest -n 0``), on each database; the CPU seconds (user + system) of pytest's process are
read from ``getrusage`` and printed in a table with their ratio, beside the machine's load
(``os.getloadavg``). PostgreSQL runs use ``PANHUO_BENCH_DB`` (default ``panhuo_bench_tests``)
on 127.0.0.1, which must exist. The database server's own CPU is not in the figure; the
number of tests passed is, so that both sides are seen to run the same tests. Issue 11:
the figures are recorded by hand in docs/benchmarks.md.
"""

# ruff: noqa: S603, S607 - fixed commands of our own: git and pytest

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = [
    "panhuo/finance/tests/test_api.py",
    "panhuo/approvals/tests/test_api.py",
    "panhuo/disposal/tests/test_api.py",
    "panhuo/register/tests/test_views.py",
    "panhuo/finance/tests/test_views.py",
]
MARKERS = "not matrix and not browser and not races and not slow and not fuzz"


def run(tree: Path, db: str, files: list[str]) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        name = os.environ.get("PANHUO_BENCH_DB", "panhuo_bench_tests")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [sys.executable, "-m", "pytest", *files, "-p", "no:cacheprovider", "-n", "0", "-q",
         "-m", MARKERS],
        cwd=tree, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = re.findall(r"^=*\s*(\d+ passed.*?)\s*=*$", out.stdout, re.M)
    return cpu, (lines[-1] if lines else out.stdout[-300:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main", help="the baseline commit")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--files", nargs="*", default=SAMPLE)
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", str(base), args.base],
                       cwd=ROOT, check=True, capture_output=True)  # fmt: skip
        try:
            print(f"{'db':<9} {'tree':<8} {'CPU s':>8} {'load':>6}  tests")
            for db in dbs:
                figures = {}
                for label, tree in (("base", base), ("this", ROOT)):
                    cpu, summary = run(tree, db, args.files)
                    figures[label] = cpu
                    load = os.getloadavg()[0]
                    print(f"{db:<9} {label:<8} {cpu:8.1f} {load:6.1f}  {summary}", flush=True)
                print(f"{db:<9} {'ratio':<8} {figures['this'] / figures['base']:8.2f}")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)],
                           cwd=ROOT, check=False)  # fmt: skip


if __name__ == "__main__":
    main()
