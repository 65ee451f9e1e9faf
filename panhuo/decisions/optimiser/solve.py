"""The mixed-integer programme, solved with HiGHS: one binary per option, one carried-cash
column per quarter (at least the buffer), a balance row per quarter (its dual is the shadow
price of that quarter's cover), one row per package (at most one option) and one per kind and
quarter (absorption). Minimises the value lost against holding. Pure: nothing here reads the
database.

The greedy baseline is computed first; the LP relaxation's whole choices, completed greedily,
are a second plan; the better of the two is handed to HiGHS as its starting plan, so the plan
found is never worse than the baseline. The shadow prices come from the LP relaxation (the integer
choice relaxed): the value lost per extra yuan of debt service in that quarter. An infeasible
problem is solved again with a shortfall column per quarter (at a prohibitive cost) to say
which quarter cannot be covered, by how much, against the most the packages could bring.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np

from panhuo.decisions.optimiser.greedy import greedy
from panhuo.decisions.optimiser.problem import Problem

INF = highspy.kHighsInf
TOL = 0.5  # yuan: a carry within this of the buffer is binding


@dataclass
class Solution:
    status: str  # optimal, time_limit, infeasible, no_plan, cancelled
    chosen: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    objective: float | None = None
    bound: float | None = None
    gap_pct: float | None = None
    lp_bound: float | None = None
    seconds: float = 0.0
    greedy: np.ndarray | None = None
    greedy_covers: bool = False
    greedy_objective: float | None = None
    shadow: list[float] = field(default_factory=list)
    binding: list[int] = field(default_factory=list)
    absorption_binding: list[tuple[int, int]] = field(default_factory=list)
    shortfall: dict | None = None


def _columns(p: Problem, extra_rows: int = 0):
    """CSC of the options' columns then the carries' (rows: balances, packages, kind×quarter)."""
    T, n = p.periods, p.options
    n_cand = int(p.cand.max()) + 1 if n else 0
    spans = np.minimum(p.length, T - p.start).astype(int)
    per = spans + 1 + (p.absorbed > 0)
    starts = np.concatenate([[0], np.cumsum(per)])
    nnz = int(starts[-1])
    index = np.empty(nnz, dtype=np.int32)
    value = np.empty(nnz)
    first = starts[:-1]
    # Balance rows: start .. start+span-1, coefficient -amount.
    offs = np.arange(nnz) - np.repeat(first, per)
    owner = np.repeat(np.arange(n), per)
    bal = offs < spans[owner]
    index[bal] = (p.start[owner] + offs)[bal]
    value[bal] = -p.amount[owner][bal]
    once = offs == spans[owner]
    index[once] = T + p.cand[owner][once]
    value[once] = 1.0
    absb = offs == spans[owner] + 1
    index[absb] = T + n_cand + p.kind[owner][absb] * T + p.start[owner][absb]
    value[absb] = p.absorbed[owner][absb]
    # Carries: +1 in its quarter, -1 in the next.
    c_idx, c_val, c_start = [], [], []
    pos = nnz
    for t in range(T):
        c_start.append(pos)
        c_idx += [t] + ([t + 1] if t + 1 < T else [])
        c_val += [1.0] + ([-1.0] if t + 1 < T else [])
        pos += 2 if t + 1 < T else 1
    a_start = np.concatenate([first, c_start]).astype(np.int32)
    return (a_start, np.concatenate([index, np.array(c_idx, dtype=np.int32)]),
            np.concatenate([value, np.array(c_val)]), n_cand)  # fmt: skip


def build(p: Problem, *, integer: bool = True, elastic: bool = False) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    T, n = p.periods, p.options
    a_start, a_index, a_value, n_cand = _columns(p)
    K = p.cap.shape[0]
    rhs = -p.service.astype(float).copy()
    rhs[0] += p.opening
    row_lo = np.concatenate([rhs, np.full(n_cand, -INF), np.full(K * T, -INF)])
    row_hi = np.concatenate([rhs, np.ones(n_cand), p.cap.reshape(-1).astype(float)])
    h.addRows(len(row_lo), row_lo, row_hi, 0, np.zeros(0, np.int32), np.zeros(0, np.int32),
              np.zeros(0))  # fmt: skip
    cost = np.concatenate([p.loss.astype(float), np.zeros(T)])
    lo = np.concatenate([np.zeros(n), np.full(T, p.buffer)])
    hi = np.concatenate([np.ones(n), np.full(T, INF)])
    h.addCols(n + T, cost, lo, hi, len(a_index), a_start, a_index, a_value)
    if elastic:
        big = 1e3 * (float(np.abs(p.loss).max()) if n else 1.0) + 1e3
        rows = np.arange(T, dtype=np.int32)
        h.addCols(T, np.full(T, big), np.zeros(T), np.full(T, INF), T, rows, rows, -np.ones(T))
    if integer and n:
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                                np.full(n, highspy.HighsVarType.kInteger))  # fmt: skip
    return h


def _lp(p: Problem) -> tuple[float | None, list[float], np.ndarray]:
    """The LP relaxation's bound, each quarter's shadow price (value lost per extra yuan of
    that quarter's debt service) and the options it takes whole."""
    h = build(p, integer=False)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None, [0.0] * p.periods, np.zeros(0, dtype=int)
    sol = h.getSolution()
    duals = sol.row_dual[: p.periods]
    whole = np.flatnonzero(np.array(sol.col_value[: p.options]) > 1 - 1e-6)
    return (h.getInfo().objective_function_value, [max(-float(d), 0.0) for d in duals],
            whole)  # fmt: skip


def solve(
    p: Problem,
    *,
    time_limit: float = 60.0,
    gap_pct: float = 0.1,
    should_stop: Callable[[], bool] | None = None,
    on_progress: Callable[[dict], None] | None = None,
) -> Solution:
    began = time.monotonic()
    g, g_covers = greedy(p)
    out = Solution(status="no_plan", greedy=g, greedy_covers=g_covers,
                   greedy_objective=p.value_lost(g) if g_covers else None)  # fmt: skip
    out.lp_bound, out.shadow, whole = _lp(p)
    start, start_covers = g, g_covers
    if out.lp_bound is not None:  # the LP relaxation rounded down, repaired greedily
        r, r_covers = greedy(p, fixed=whole)
        if r_covers and (not g_covers or p.value_lost(r) < p.value_lost(g)):
            start, start_covers = r, True
    if on_progress is not None:
        on_progress({"stage": "solving", "seconds": time.monotonic() - began})
    if should_stop is not None and should_stop():
        out.status = "cancelled"
        return out
    if start_covers and out.lp_bound is not None:
        lost = p.value_lost(start)
        if _gap(lost, out.lp_bound) <= gap_pct:  # already within the gap of the LP bound
            return _finish(p, out, start, lost, out.lp_bound, "within_gap", began)
    h = build(p)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(gap_pct) / 100)
    if start_covers:
        x = np.zeros(p.options + p.periods)
        x[start] = 1.0
        x[p.options :] = p.carry(start)
        h.setSolution(_solution(x))
    stopped = {"now": False, "seen": 0.0}

    def interrupt(e) -> None:
        now = time.monotonic()
        if now - stopped["seen"] < 0.5:
            return
        stopped["seen"] = now
        if on_progress is not None:
            d = e.data_out
            on_progress({"primal": d.mip_primal_bound, "dual": d.mip_dual_bound,
                         "gap": d.mip_gap, "seconds": now - began})  # fmt: skip
        if should_stop is not None and should_stop():
            stopped["now"] = True
            e.interrupt()

    h.cbMipInterrupt += interrupt
    h.run()
    out.seconds = time.monotonic() - began
    status = h.getModelStatus()
    info = h.getInfo()
    M = highspy.HighsModelStatus
    if stopped["now"]:
        out.status = "cancelled"
        return out
    if status == M.kInfeasible:
        out.status = "infeasible"
        out.shortfall = explain(p, time_limit=time_limit)
        return out
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else out.lp_bound
    if info.primal_solution_status != 2:  # HiGHS found no plan (e.g. the time ran out)
        if not start_covers:
            out.status = "no_plan"
            return out
        return _finish(p, out, start, p.value_lost(start), bound, "time_limit", began)
    col = np.array(h.getSolution().col_value[: p.options])
    chosen = np.flatnonzero(col > 0.5)
    lost = p.value_lost(chosen)
    if start_covers and p.value_lost(start) < lost:  # never worse than the starting plans
        chosen, lost = start, p.value_lost(start)
    return _finish(p, out, chosen, lost, bound,
                   "optimal" if status == M.kOptimal else "time_limit", began)  # fmt: skip


def _finish(p: Problem, out: Solution, chosen, lost: float, bound, status: str, began) -> Solution:
    out.chosen, out.objective, out.status = np.asarray(chosen, dtype=int), lost, status
    out.bound = bound if bound is not None else lost
    out.gap_pct = _gap(lost, out.bound)
    out.seconds = time.monotonic() - began
    carry = p.carry(out.chosen)
    out.binding = [t for t in range(p.periods) if carry[t] <= p.buffer + TOL]
    used = np.zeros_like(p.cap, dtype=float)
    np.add.at(used, (p.kind[out.chosen], p.start[out.chosen]), p.absorbed[out.chosen])
    hit = np.nonzero((used > 0) & (used >= p.cap - TOL))
    out.absorption_binding = [(int(k), int(t)) for k, t in zip(*hit, strict=True)]
    return out


def _solution(x: np.ndarray) -> highspy.HighsSolution:
    sol = highspy.HighsSolution()
    sol.col_value = list(map(float, x))
    sol.value_valid = True
    return sol


def _gap(objective: float, bound: float) -> float:
    denom = max(abs(objective), 1.0)
    return max(0.0, round(100 * (objective - bound) / denom, 4))


def most_by(p: Problem) -> np.ndarray:
    """Per quarter: the most cash the packages could bring by then (each package once, its
    best option; absorption aside)."""
    T = p.periods
    n_cand = int(p.cand.max()) + 1 if p.options else 0
    best = np.zeros((n_cand, T))
    for t in range(T):
        got = p.amount * np.clip(t + 1 - p.start, 0, p.length)
        np.maximum.at(best[:, t], p.cand, got)
    return best.sum(axis=0)


def explain(p: Problem, *, time_limit: float = 60.0) -> dict:
    """The first quarter that cannot be covered, short by how much, and the most the packages
    could bring by then against what it needs (debt service to date plus the buffer)."""
    h = build(p, elastic=True)
    h.setOptionValue("time_limit", float(time_limit))
    h.run()
    col = np.array(h.getSolution().col_value)
    short = col[p.options + p.periods :] if len(col) else np.zeros(p.periods)
    need = np.cumsum(p.service) + p.buffer - p.opening
    most = most_by(p)
    # The elastic solve may put a shortfall in any quarter up to the one lacking (cash carried
    # forward covers them all alike): the first quarter whose need exceeds what the packages
    # could bring by then is the one named; else the elastic solve's first shortfall.
    cum = np.cumsum(short) if len(short) else np.zeros(p.periods)
    lacking = np.flatnonzero(most < need - TOL)
    gaps = np.flatnonzero(short > TOL)
    t = int(lacking[0]) if len(lacking) else int(gaps[0]) if len(gaps) else 0
    amount = float(max(cum[t], need[t] - most[t], 0.0))
    return {"period": t, "short": amount, "need": float(need[t]), "most": float(most[t]),
            "short_by_period": [float(s) for s in short]}  # fmt: skip
