"""Monte Carlo of the disposal pipeline (issue 20, item 3): ``simulate`` on a generated pipeline
of N packages × S scenarios × 12 periods, against a same-run baseline: numpy drawing the same
random numbers alone (two uniforms per package and scenario, the normals per group and the rate
steps) and nothing else. Target: 10,000 × 10,000 in ≤ 10 s.

    python bench/scenarios.py [--assets 10000] [--scenarios 10000]
"""

from __future__ import annotations

import argparse
import os
import time

import django
import numpy as np

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panhuo.settings")
os.environ.setdefault("PANHUO_ENV", "test")
django.setup()

from panhuo.decisions.scenarios import CHUNK, Pipeline, simulate  # noqa: E402


def pipeline(n: int, h: int = 12, seed: int = 1) -> Pipeline:
    rng = np.random.default_rng(seed)
    kinds, places = 9, 20
    group = rng.integers(0, kinds * places, n)
    amount = rng.uniform(1e5, 5e7, n).round(2)
    per_period = amount.sum() / h
    return Pipeline(
        amount=amount,
        period=rng.integers(0, h, n),
        group=group,
        group_kind=np.arange(kinds * places) % kinds,
        listed=rng.random(n) < 0.7,
        service=np.full(h, 0.6 * per_period),
        floating=np.full(h, 0.05 * per_period),
        per_point=np.full(h, 0.0125 * per_period),
    )


def baseline(n: int, s: int, h: int = 12) -> None:
    rng = np.random.default_rng(0)
    for start in range(0, s, CHUNK):
        c = min(CHUNK, s - start)
        rng.standard_normal((c, 9))
        rng.standard_normal((c, 180))
        rng.random((c, n), dtype=np.float32)
        rng.random((c, n), dtype=np.float32)
        rng.standard_normal((c, h))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--assets", type=int, default=10_000)
    ap.add_argument("--scenarios", type=int, default=10_000)
    a = ap.parse_args()
    p = pipeline(a.assets)
    load = os.getloadavg()[0]
    t = time.perf_counter()
    baseline(a.assets, a.scenarios)
    base = time.perf_counter() - t
    t = time.perf_counter()
    out = simulate(p, {"scenarios": a.scenarios, "seed": 7})
    took = time.perf_counter() - t
    print(
        f"assets={a.assets} scenarios={a.scenarios} simulate={took:.2f}s "
        f"baseline(draws only)={base:.2f}s ratio={took / base:.1f}x "
        f"load(1min)={load:.1f}->{os.getloadavg()[0]:.1f} "
        f"p_missed={np.round(out['p_missed'], 3).tolist()}"
    )


if __name__ == "__main__":
    main()
