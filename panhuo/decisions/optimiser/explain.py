"""The optimiser's answer as the page, the API and the CLI show it: the plan's packages by
quarter and channel, each quarter's cash against its debt service and buffer, the gap, the
binding quarters and each quarter's shadow price, the greedy baseline, and, when no plan
covers every quarter, which quarter cannot be covered, by how much and what would cover it.
Money in yuan as strings (two decimals)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import numpy as np
from django.utils.translation import gettext as _

from panhuo.decisions.optimiser.gather import gather, params_of, quarters
from panhuo.decisions.optimiser.problem import Problem
from panhuo.decisions.optimiser.solve import Solution, solve
from panhuo.decisions.pipeline import KINDS

#: The solver's statuses that come with a plan covering every quarter.
PLANNED = ("optimal", "within_gap", "time_limit")


def money(x) -> str:
    return str(Decimal(repr(round(float(x), 2))).quantize(Decimal("0.01")))


def optimise(user, place, *, on: dt.date, params: dict,
             should_stop: Callable[[], bool] | None = None,
             on_progress: Callable[[dict], None] | None = None) -> dict:  # fmt: skip
    """Gather the place's problem as of ``on``, solve it and explain the answer. Bad input is a
    ValidationError naming the field (nothing is solved)."""
    params = params_of(params)
    problem, meta = gather(user, place, on=on, params=params)
    if on_progress is not None:
        on_progress({"stage": "solving", "options": problem.options})
    sol = solve(problem, time_limit=float(params["time_limit"]), gap_pct=float(params["gap_pct"]),
                should_stop=should_stop, on_progress=on_progress)  # fmt: skip
    out = describe(problem, sol, starts=quarters(on, problem.periods), packages=meta["packages"])
    out.update({"place": place.name, "place_id": place.pk, "on": on.isoformat(),
                "params": {k: str(v) for k, v in params.items() if v is not None},
                "left_out": meta["left_out"]})  # fmt: skip
    return out


def _rows(p: Problem, chosen, starts, packages) -> list[dict]:
    rows = []
    for j in sorted(chosen, key=lambda j: (p.start[j], p.names[p.cand[j]])):
        pkg = packages[int(p.cand[j])] if packages else {"code": p.names[p.cand[j]], "id": None}
        rows.append({"package": pkg["code"], "package_id": pkg.get("id"),
                     "name": pkg.get("name", ""), "channel": p.channels[j] if p.channels else "",
                     "period": int(p.start[j]) + 1, "starts": starts[int(p.start[j])],
                     "quarters": int(min(p.length[j], p.periods - p.start[j])),
                     "cash": money(p.amount[j] * min(p.length[j], p.periods - p.start[j])),
                     "value_lost": money(p.loss[j]),
                     "reserve": str(pkg.get("value", ""))})  # fmt: skip
    return rows


def describe(p: Problem, sol: Solution, *, starts: list[str], packages: list[dict]) -> dict:
    out: dict = {"status": sol.status, "seconds": round(sol.seconds, 3),
                 "options": p.options, "candidates": len(p.names)}  # fmt: skip
    greedy = sol.greedy if sol.greedy is not None else np.zeros(0, int)
    lost = money(sol.greedy_objective) if sol.greedy_covers else None
    out["greedy"] = {"covers": sol.greedy_covers, "packages": len(greedy), "value_lost": lost}
    out["lp_bound"] = money(sol.lp_bound) if sol.lp_bound is not None else None
    chosen = sol.chosen
    cash = p.cash(chosen)
    carry = p.carry(chosen)
    periods = []
    for t in range(p.periods):
        periods.append({"period": t + 1, "starts": starts[t], "service": money(p.service[t]),
                        "cash": money(cash[t]), "carry": money(carry[t]),
                        "buffer": money(p.buffer), "binding": t in sol.binding,
                        "shadow": round(sol.shadow[t], 4) if sol.shadow else 0.0})  # fmt: skip
    out["periods"] = periods
    out["message"] = _message(p, sol, starts)
    if sol.status in PLANNED:
        out.update({"value_lost": money(sol.objective), "bound": money(sol.bound),
                    "gap_pct": sol.gap_pct, "plan": _rows(p, chosen, starts, packages),
                    "binding": [t + 1 for t in sol.binding],
                    "absorption_binding": [{"kind": KINDS[k], "period": t + 1}
                                           for k, t in sol.absorption_binding]})  # fmt: skip
        if sol.greedy_covers:
            out["greedy"]["better_by"] = money(sol.greedy_objective - sol.objective)
    else:
        out.update({"plan": [], "binding": [], "absorption_binding": []})
    if sol.shortfall:
        s = sol.shortfall
        out["shortfall"] = {"period": s["period"] + 1, "starts": starts[s["period"]],
                            "short": money(s["short"]), "need": money(s["need"]),
                            "most": money(s["most"])}  # fmt: skip
    return out


def _message(p: Problem, sol: Solution, starts: list[str]) -> str:
    if sol.status == "optimal":
        return _("Optimal plan: every quarter's debt service and buffer is covered.")
    if sol.status == "within_gap":
        words = _("A plan within %(gap)s %% of the best possible (the LP relaxation's bound) "
                  "covers every quarter's debt service and buffer.")  # fmt: skip
        return words % {"gap": sol.gap_pct}
    if sol.status == "time_limit":
        return _("The time limit was reached: the best plan found covers every quarter, within "
                 "%(gap)s %% of the best possible.") % {"gap": sol.gap_pct}  # fmt: skip
    if sol.status == "cancelled":
        return _("The run was cancelled before a plan was found.")
    if sol.status == "no_plan":
        return _("The time limit was reached before any plan covering every quarter was found: "
                 "there is no plan. Allow more time or check the inputs.")  # fmt: skip
    s = sol.shortfall or {"period": 0, "short": 0, "need": 0, "most": 0}
    return _(
        "No plan covers every quarter. Quarter %(period)s (from %(starts)s) cannot be covered: "
        "its debt service to date plus the buffer is %(need)s, and the packages could bring at "
        "most %(most)s by then. %(short)s more cash by that quarter would cover the plan: "
        "defer or refinance that much of the debt service, add packages worth that much, or "
        "lower the buffer."
    ) % {"period": s["period"] + 1, "starts": starts[s["period"]], "need": money(s["need"]),
         "most": money(s["most"]), "short": money(s["short"])}  # fmt: skip
