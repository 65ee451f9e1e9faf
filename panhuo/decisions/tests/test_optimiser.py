"""The plan optimiser's arithmetic (no database): a small instance worked by hand; for any small
instance the plan uses no package twice, covers every quarter (or is reported infeasible, and
then no plan covers them: checked by trying every plan), is optimal within the gap, and never
loses more value than the greedy baseline; bad parameters named."""

import itertools

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from panhuo.decisions.optimiser.problem import Problem, check_params
from panhuo.decisions.optimiser.solve import solve


def _problem(opts, service, *, buffer=0.0, cap=1e12, kinds=1):
    """``opts``: (package, start, quarters, cash a quarter, value lost, kind) each."""
    a = np.array([o[:5] for o in opts], dtype=float).reshape(-1, 5)
    kind = np.array([o[5] if len(o) > 5 else 0 for o in opts], dtype=int)
    sale = a[:, 2] == 1
    n = int(a[:, 0].max()) + 1 if len(a) else 0
    return Problem(
        service=np.array(service, dtype=float), cand=a[:, 0].astype(int),
        start=a[:, 1].astype(int), length=a[:, 2].astype(int), amount=a[:, 3], loss=a[:, 4],
        kind=kind, absorbed=np.where(sale, a[:, 3], 0.0), cap=np.full((kinds, len(service)), cap),
        buffer=buffer, names=[f"P{i}" for i in range(n)], channels=["auction"] * len(a),
    )  # fmt: skip


# A sells for 150 in Q1 or Q2 losing 30; B for 80 losing 5; C sells for 120 in Q2 losing 10, or
# is leased from Q1 for 30 a quarter gaining 2. Service 100 in each quarter. Q1 needs 100: B
# alone (80) or B + C's rent (110) or A. B + rent then leaves 140 < 200 by Q2, so A must go too
# (33 lost); A in Q1 + C's rent: 180, then 210 ≥ 200, 28 lost: the optimum. Greedy (cheapest per
# yuan first: the lease, B, then A) loses 33.
HAND = [(0, 0, 1, 150, 30), (0, 1, 1, 150, 30), (1, 0, 1, 80, 5), (1, 1, 1, 80, 5),
        (2, 1, 1, 120, 10), (2, 0, 2, 30, -2)]  # fmt: skip


def test_a_small_instance_worked_by_hand():
    p = _problem(HAND, [100, 100])
    s = solve(p, time_limit=10)
    assert s.status == "optimal" and s.objective == pytest.approx(28)
    assert sorted(s.chosen) == [0, 5] and s.greedy_objective == pytest.approx(33)
    assert list(p.carry(s.chosen)) == pytest.approx([80, 10])
    # One more yuan of service in either quarter costs 0.2 (C's sale at 10/120 and the lease's
    # relaxation mix, LP): the shadow prices are positive and equal.
    assert s.shadow == pytest.approx([0.2, 0.2])
    # A buffer of 50: Q2 needs 250, which A and C's rent (210) miss: B goes too (33 lost), and
    # both quarters then carry more than the buffer (none binding).
    s = solve(_problem(HAND, [100, 100], buffer=50), time_limit=10)
    assert s.objective == pytest.approx(33) and s.binding == []
    # A buffer of 200: Q1 needs 300, the most any plan brings by then is 260.
    s = solve(_problem(HAND, [100, 100], buffer=200), time_limit=10)
    assert s.status == "infeasible" and s.chosen.size == 0
    assert s.shortfall["period"] == 0 and s.shortfall["most"] == pytest.approx(260)
    assert s.shortfall["need"] == pytest.approx(300) and s.shortfall["short"] >= 40


def _best_by_trying(p: Problem):
    """The least value lost over every plan (one option or none per package) that covers every
    quarter within absorption, or None."""
    by = [[None, *np.flatnonzero(p.cand == i)] for i in range(len(p.names))]
    best = None
    for pick in itertools.product(*by):
        chosen = np.array([j for j in pick if j is not None], dtype=int)
        if p.covers(chosen, tol=1e-6) and p.absorbs(chosen, tol=1e-6):
            lost = p.value_lost(chosen)
            best = lost if best is None else min(best, lost)
    return best


option = st.tuples(st.integers(0, 3), st.integers(0, 2), st.sampled_from([1, 1, 3]),
                   st.integers(1, 60), st.integers(-5, 40), st.integers(0, 1))  # fmt: skip


@settings(max_examples=25, deadline=None)
@given(opts=st.lists(option, min_size=1, max_size=8),
       service=st.lists(st.integers(0, 80), min_size=3, max_size=3),
       buffer=st.integers(0, 20), cap=st.integers(30, 200))  # fmt: skip
def test_plans_use_no_package_twice_cover_or_are_infeasible_and_beat_greedy(
    opts, service, buffer, cap
):
    cands = sorted({o[0] for o in opts})
    opts = [(cands.index(o[0]), *o[1:]) for o in opts]  # packages numbered 0..n-1
    p = _problem(opts, service, buffer=float(buffer), cap=float(cap), kinds=2)
    s = solve(p, time_limit=10, gap_pct=0)
    best = _best_by_trying(p)
    if s.status == "infeasible":
        assert best is None and s.shortfall["short"] > 0
        return
    assert s.status in ("optimal", "within_gap") and best is not None
    assert len(set(p.cand[s.chosen])) == len(s.chosen)  # no package twice
    assert p.covers(s.chosen) and p.absorbs(s.chosen)
    assert s.objective == pytest.approx(best, abs=1e-6)
    assert s.lp_bound <= s.objective + 1e-6
    if s.greedy_covers:
        assert s.objective <= s.greedy_objective + 1e-9


@pytest.mark.parametrize(("params", "field"), [({"horizon": 0}, "horizon"),
    ({"absorption_pct": 120}, "absorption_pct"), ({"buffer": -1}, "buffer"),
    ({"time_limit": 100000}, "time_limit")])  # fmt: skip
def test_bad_parameters_are_named(params, field):
    with pytest.raises(ValidationError) as exc:
        check_params(params)
    assert field in exc.value.message_dict
