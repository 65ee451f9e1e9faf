"""The greedy baseline: take every option that gains value (cheapest first), then, quarter by
quarter, while the carried cash falls below the buffer, the option with the least value lost per
yuan of cash it brings within the horizon among those that bring cash by that quarter, of an
unused package, within the market's absorption. Pure.

The same repairs a rounded LP relaxation in ``solve``: its whole choices taken first."""

from __future__ import annotations

import numpy as np

from panhuo.decisions.optimiser.problem import Problem


def greedy(p: Problem, fixed=()) -> tuple[np.ndarray, bool]:
    """The options chosen (indices) and whether every quarter is covered. ``fixed``: options
    taken first (the LP relaxation's whole choices, when ``solve`` repairs its rounding)."""
    total = p.amount * np.minimum(p.length, p.periods - p.start)
    ratio = np.where(total > 0, p.loss / np.maximum(total, 1e-9), np.inf)
    order = np.lexsort((p.start, ratio))
    used = np.zeros(len(p.names) or (int(p.cand.max()) + 1 if p.options else 0), dtype=bool)
    room = p.cap.astype(float).copy()
    chosen: list[int] = []
    cash = np.zeros(p.periods)

    def take(j: int) -> bool:
        k, s = int(p.kind[j]), int(p.start[j])
        if used[p.cand[j]] or p.absorbed[j] > room[k, s] + 1e-6:
            return False
        used[p.cand[j]] = True
        room[k, s] -= p.absorbed[j]
        cash[s : min(s + int(p.length[j]), p.periods)] += p.amount[j]
        chosen.append(j)
        return True

    for j in fixed:
        take(int(j))
    for j in np.argsort(p.loss, kind="stable"):
        if p.loss[j] >= 0:
            break
        take(int(j))
    covered = True
    # Python lists: the scan below visits every option once per quarter.
    order_l = order[np.isfinite(ratio[order])].tolist()
    start_l = p.start.tolist()
    for t in range(p.periods):

        def short(t: int = t) -> float:
            return p.buffer - (p.opening + (cash[: t + 1] - p.service[: t + 1]).sum())

        if short() <= 1e-6:
            continue
        for j in order_l:
            # An option not taken leaves the cash, and so the shortfall, as it was.
            if start_l[j] <= t and take(j) and short() <= 1e-6:
                break
        if short() > 1e-6:
            covered = False
            break
    return np.array(sorted(chosen), dtype=int), covered
