"""The disposal plan optimiser (issue 20, item 2) on generated districts of N assets (one
package each) × 12 quarters × 200 debts: the time to a plan within 1 % of the LP bound
(HiGHS's relative gap 1 %; target ≤ 60 s at 10,000 assets), the value lost against the greedy
baseline computed in the same run (the MIP must beat or equal it), and the peak memory (each
size in its own process, its peak resident set).

    python bench/optimiser.py [--assets 1000 10000 100000] [--time-limit 120]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import django
import numpy as np

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panhuo.settings")
os.environ.setdefault("PANHUO_ENV", "test")
django.setup()

from panhuo.decisions.optimiser.greedy import greedy  # noqa: E402
from panhuo.decisions.optimiser.problem import Problem  # noqa: E402
from panhuo.decisions.optimiser.solve import solve  # noqa: E402

KINDS, T, DEBTS = 9, 12, 200


def district(n: int, seed: int = 1) -> Problem:
    """N packages: each can be sold in any quarter from its lead time (0–2), or, for 40 % of
    them, leased from its lead time for 20 quarters. Values 0.1–50 m yuan; selling loses 0–25 %
    of the value held (later sales lose less: the income meanwhile), leasing gains or loses up
    to 5 %. 200 amortising debts whose service over the horizon needs about 45 % of the
    district's sale proceeds; absorption 30 % of a kind's proceeds per quarter."""
    rng = np.random.default_rng(seed)
    value = rng.uniform(1e5, 5e7, n)
    kind = rng.integers(0, KINDS, n)
    lead = rng.integers(0, 3, n)
    lose = rng.uniform(0.0, 0.25, n)
    lessee = rng.random(n) < 0.4
    rent = value * rng.uniform(0.02, 0.06, n) / 4
    rows = []
    for i in range(n):
        for t in range(lead[i], T):
            rows.append((i, t, 1, value[i], value[i] * lose[i] * (1 - 0.01 * t), value[i]))
        if lessee[i]:
            for t in range(lead[i], T):
                rows.append((i, t, 20, rent[i], value[i] * rng.uniform(-0.05, 0.05), 0.0))
    a = np.array(rows)
    principal = rng.uniform(0.5, 1.5, DEBTS)
    due = rng.integers(0, T, DEBTS)
    service = np.bincount(due, weights=principal, minlength=T) + principal.sum() * 0.01
    service *= 0.45 * value.sum() / service.sum()
    cap = np.array([0.3 * value[kind == k].sum() for k in range(KINDS)])
    return Problem(
        service=service, cand=a[:, 0].astype(int), start=a[:, 1].astype(int),
        length=a[:, 2].astype(int), amount=a[:, 3], loss=a[:, 4],
        kind=kind[a[:, 0].astype(int)], absorbed=a[:, 5],
        cap=np.repeat(cap[:, None], T, axis=1), buffer=float(0.02 * service.mean()),
        names=[f"P{i}" for i in range(n)], channels=["x"] * len(a),
    )  # fmt: skip


def one(n: int, time_limit: float) -> dict:
    p = district(n)
    began = time.monotonic()
    g, covers = greedy(p)
    g_seconds = time.monotonic() - began
    sol = solve(p, time_limit=time_limit, gap_pct=1.0)
    lp_gap = 100 * (sol.objective - sol.lp_bound) / abs(sol.objective) if sol.objective else None
    return {
        "assets": n, "options": p.options, "status": sol.status, "seconds": round(sol.seconds, 2),
        "greedy_seconds": round(g_seconds, 2), "greedy": round(p.value_lost(g)) if covers else None,
        "mip": round(sol.objective) if sol.objective is not None else None,
        "lp_bound": round(sol.lp_bound) if sol.lp_bound is not None else None,
        "gap_pct": sol.gap_pct, "gap_lp_pct": round(lp_gap, 3) if lp_gap is not None else None,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.time_limit)))
        return
    print("| assets | options | status | MIP s | greedy s | value lost: greedy | MIP | "
          "MIP better by | gap to LP bound | peak MB |")  # fmt: skip
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.assets:
        cmd = [sys.executable, __file__, "--one", str(n), "--time-limit", str(args.time_limit)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout  # noqa: S603
        r = json.loads(out.strip().splitlines()[-1])
        better = (f"{100 * (r['greedy'] - r['mip']) / r['greedy']:.1f} %"
                  if r["greedy"] and r["mip"] is not None else "—")  # fmt: skip
        print(f"| {n:,} | {r['options']:,} | {r['status']} | {r['seconds']} | "
              f"{r['greedy_seconds']} | {r['greedy']:,} | {r['mip']:,} | {better} | "
              f"{r['gap_lp_pct']} % | {r['peak_mb']} |")  # fmt: skip


if __name__ == "__main__":
    main()
