"""CPU seconds of single slow tests, every process they start included (issue 11).

``/usr/bin/time`` misses the CPU of Chromium's renderers (Playwright's driver reaps them, not
pytest), so this samples the whole process tree of each run from ``/proc`` five times a second
and sums each process's last-seen user+system time. ``--baseline REV`` runs the same tests from
a temporary git worktree of ``REV`` first: a same-run baseline, one line each.

    python bench/slow_tests.py --baseline main~1 \
        "panhuo/core/tests/test_browser.py::test_every_page_renders_without_a_csp_violation"

Runs with ``-n 0 --reuse-db``; ``DATABASE_URL`` chooses the database (PostgreSQL for the
browser tests). Prints wall seconds, CPU seconds and the load average beside them.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int, seen: dict[int, float]) -> None:
    """Record the user+system seconds of ``root`` and its descendants into ``seen``."""
    parents: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        parents.setdefault(int(fields[1]), []).append(int(entry))
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / TICK
    stack = [root]
    while stack:
        pid = stack.pop()
        if pid in cpu:
            seen[pid] = max(seen.get(pid, 0.0), cpu[pid])
        stack += parents.get(pid, [])


def measure(where: Path, node: str, *extra: str) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and exit status of one pytest run of ``node`` in ``where``."""
    argv = [sys.executable, "-m", "pytest", node, "-p", "no:cacheprovider", "-n", "0"]
    argv += ["--reuse-db", "-q", *extra]
    env = {**os.environ, "PYTHONPATH": str(where)}
    started = time.monotonic()
    proc = subprocess.Popen(argv, cwd=where, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
    seen: dict[int, float] = {}
    while proc.poll() is None:
        tree_cpu(proc.pid, seen)
        time.sleep(0.2)
    return time.monotonic() - started, sum(seen.values()), proc.returncode


def git(*args: str) -> None:
    """A git command in this repository (our own arguments)."""
    subprocess.run(["/usr/bin/git", *args], cwd=ROOT, check=True, capture_output=True)  # noqa: S603


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("nodes", nargs="+", help="pytest node ids")
    parser.add_argument("--baseline", help="a git revision to measure first, same run")
    args = parser.parse_args()
    # Stopped with SIGTERM, it still removes its worktree (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    trees = [("this tree", ROOT)]
    with tempfile.TemporaryDirectory() as tmp:
        if args.baseline:
            base = Path(tmp) / "baseline"
            git("worktree", "add", "--detach", str(base), args.baseline)
            (base / "node_modules").symlink_to(ROOT / "node_modules")
            trees.insert(0, (args.baseline, base))
        try:
            print("| tree | test | wall s | CPU s | status | load |")
            print("|---|---|---:|---:|---|---|")
            # The test database is made (migrated) first, by a run of the fixtures alone, so
            # that no measured run pays for it.
            measure(trees[0][1], args.nodes[0], "--setup-only")
            for node in args.nodes:
                for label, where in trees:
                    wall, cpu, status = measure(where, node)
                    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
                    name = node.rsplit("::", 1)[-1]
                    print(f"| {label} | {name} | {wall:.1f} | {cpu:.1f} | {status} | {load} |")
        finally:
            if args.baseline:
                git("worktree", "remove", "--force", str(base))


if __name__ == "__main__":
    main()
