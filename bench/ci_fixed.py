"""The fixed costs of a CI run (issue 11), each measured in its own processes: wall and CPU
seconds (the children's user + system time), with the machine's load beside them.

    python bench/ci_fixed.py [--skip migrate copy collect checks]

Rows (each with its same-run baseline where there is one):

* ``migrate``: ``manage.py migrate`` into an empty SQLite database, as the demo does and as the
  first test worker of a fresh machine does (state rendering, mostly).
* ``copy, 2 workers``: ``pytest -n 2`` of ``test_migrated.py`` on SQLite with an empty cache, so
  one worker migrates while the other waits on the lock (``core/tests/migrated.py``); the
  baseline, ``PANHUO_TEST_MIGRATE=1``, migrates in both workers as every worker did before.
* ``collect``: ``pytest --collect-only -n 0``, one worker's start-up and collection.
* ``checks``: lint-imports, ``makemigrations --check`` and ``check --deploy`` side by side, as
  ``.ci/run`` runs them; the baseline runs them one after another.

All on SQLite: PostgreSQL's migrated template is shared by every checkout on the server
(``panhuo_tpl_<key>``), so a bench must not drop it; its migration costs about the same.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def run(commands: list[list[str]], env: dict[str, str]) -> tuple[float, float]:
    """Run the commands side by side; their wall and CPU seconds. A failure stops the bench."""
    full = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    wall, cpu = time.perf_counter(), _cpu()
    procs = [
        subprocess.Popen(c, cwd=ROOT, env=full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603 (our own commands)
        for c in commands
    ]
    for proc, command in zip(procs, commands, strict=True):
        out, _ = proc.communicate()
        if proc.returncode:
            sys.exit(f"{' '.join(command)} failed:\n{out.decode()[-3000:]}")
    return time.perf_counter() - wall, _cpu() - cpu


def serial(commands: list[list[str]], env: dict[str, str]) -> tuple[float, float]:
    wall = cpu = 0.0
    for command in commands:
        w, c = run([command], env)
        wall, cpu = wall + w, cpu + c
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip", nargs="*", default=[], help="rows to leave out")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="panhuo-ci-fixed-"))
    python, pytest = str(BIN / "python"), str(BIN / "pytest")
    rows: list[tuple[str, str, float, float, str]] = []

    def row(name: str, variant: str, result: tuple[float, float]) -> None:
        rows.append((name, variant, *result, _load()))
        print(f"{name:<20} {variant:<34} {result[0]:8.1f} {result[1]:8.1f}  load {_load()}")

    base_env = {"PANHUO_ENV": "test", "DATABASE_URL": ""}
    try:
        if "migrate" not in args.skip:
            env = {**base_env, "PANHUO_DATA_DIR": str(work / "migrate")}
            row("migrate", "empty SQLite", run([[python, "manage.py", "migrate", "-v0"]], env))
        if "copy" not in args.skip:
            test = ["-p", "no:cacheprovider", "-q", "panhuo/core/tests/test_migrated.py"]
            for variant, extra in (
                ("every worker migrates (baseline)", {"PANHUO_TEST_MIGRATE": "1"}),
                ("one migrates, one waits (lock)", {}),
            ):
                env = {"DATABASE_URL": "", "PANHUO_TEST_CACHE": str(work / f"cache-{len(rows)}")}
                row("copy, 2 workers", variant, run([[pytest, "-n", "2", *test]], {**env, **extra}))
        if "collect" not in args.skip:
            collect = [pytest, "--collect-only", "-q", "-n", "0", "-p", "no:cacheprovider"]
            row("collect", "one worker, all tests", run([collect], {"DATABASE_URL": ""}))
        if "checks" not in args.skip:
            deploy_env = {
                "PANHUO_ENV": "production",
                "SECRET_KEY": secrets.token_urlsafe(64),
                "ALLOWED_HOSTS": "example.org",
                "PANHUO_TRUSTED_PROXIES": "127.0.0.1",
                "PANHUO_DATA_DIR": str(work / "checks"),
                "DATABASE_URL": "",
            }
            checks = [
                [str(BIN / "lint-imports")],
                ["env", "PANHUO_ENV=test", python, "manage.py", "makemigrations", "--check",
                 "--dry-run"],
                [python, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            ]  # fmt: skip
            row("checks", "one after another (baseline)", serial(checks, deploy_env))
            row("checks", "side by side (.ci/run)", run(checks, deploy_env))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n| row | variant | wall s | CPU s | load |\n|---|---|---:|---:|---:|")
    for name, variant, wall, cpu, load in rows:
        print(f"| {name} | {variant} | {wall:.1f} | {cpu:.1f} | {load} |")


if __name__ == "__main__":
    main()
