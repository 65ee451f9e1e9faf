"""Scenarios of what can go wrong with the disposal pipeline (issue 20, item 3): a Monte Carlo,
in numpy, seeded and reproducible (the same inputs and seed give the same figures).

Each package planned for disposal brings ``amount`` in its planned period (a quarter from the
day). In each scenario:

* **price**: the amount is multiplied by a lognormal factor of mean 1 drawn per asset kind and
  place (half of the variance shared by the kind across places, half the place's own), with
  the standard deviation ``price_sd_pct``;
* **auction failure**: an auction or exchange listing fails with probability ``failure_pct``
  (the district's own share of listing rounds that ended unsold, else the default); each
  failure relists ``relist_periods`` later at a reserve ``relist_cut_pct`` lower; after
  ``max_rounds`` failures the package is unsold within the horizon;
* **delay**: a package slips one more quarter with probability ``delay_pct``, again and again
  (geometric, at most ``MAX_DELAY``);
* **rates**: the floating-rate debts' scheduled interest moves with the rate, a random walk of
  ``rate_sd_pp`` percentage points a quarter (fixed-rate debts do not move).

Proceeds received in a period pay that period's debt service; a surplus carries to the next
period; a shortfall is a **missed** period (covered from elsewhere; nothing carries). Vectorised
over scenarios and packages: the only Python loops are over chunks of scenarios (to bound the
memory) and over the periods.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _

from panhuo.core.errors import field_error

#: The built-in parameters (percent, percentage points, periods) and their plausible bounds.
DEFAULTS = {
    "scenarios": 10_000,
    "seed": 20,
    "horizon": 12,
    "price_sd_pct": 15.0,
    "failure_pct": 30.0,
    "relist_cut_pct": 10.0,
    "relist_periods": 1,
    "max_rounds": 3,
    "delay_pct": 20.0,
    "rate_sd_pp": 0.25,
}
BOUNDS = {
    "scenarios": (100, 100_000),
    "seed": (0, 2**32 - 1),
    "horizon": (1, 40),
    "price_sd_pct": (0.0, 80.0),
    "failure_pct": (0.0, 95.0),
    "relist_cut_pct": (0.0, 50.0),
    "relist_periods": (0, 8),
    "max_rounds": (1, 10),
    "delay_pct": (0.0, 90.0),
    "rate_sd_pp": (0.0, 3.0),
}
MAX_DELAY = 8
#: Scenarios drawn at once: bounds the memory at about 60 bytes × chunk × packages.
CHUNK = 256


def check(params: dict) -> dict:
    """The parameters with the defaults filled in; one outside its bounds is refused naming
    it."""
    out = dict(DEFAULTS)
    for name, value in params.items():
        if value is None:
            continue
        low, high = BOUNDS[name]
        if not (low <= value <= high):  # NaN fails too
            raise field_error(
                name,
                _("%(field)s must be between %(low)s and %(high)s (given %(value)s).")
                % {"field": name, "low": low, "high": high, "value": value},
            )
        out[name] = value
    return out


@dataclass
class Pipeline:
    """What is planned: per package its amount (yuan), planned period, shock group (a kind and
    place pair), kind index and whether it is listed (auction/exchange: may fail); per period
    the fixed debt service, the floating-rate debts' interest and that interest divided by the
    debt's rate in points (how much it moves per point)."""

    amount: np.ndarray
    period: np.ndarray
    group: np.ndarray
    group_kind: np.ndarray  # per group: its kind's index
    listed: np.ndarray
    service: np.ndarray
    floating: np.ndarray = field(default=None)  # type: ignore[assignment]
    per_point: np.ndarray = field(default=None)  # type: ignore[assignment]

    def __post_init__(self):
        h = len(self.service)
        if self.floating is None:
            self.floating = np.zeros(h)
        if self.per_point is None:
            self.per_point = np.zeros(h)


def plan_proceeds(p: Pipeline) -> np.ndarray:
    """The proceeds per period if everything goes to plan."""
    h = len(p.service)
    inside = p.period < h
    return np.bincount(p.period[inside], weights=p.amount[inside], minlength=h)


def simulate(p: Pipeline, params: dict) -> dict:
    """Run the scenarios: proceeds per period (P5, P50, P95, mean), the plan, the debt service
    (expected) and the probability that each period's debt service is missed."""
    q = check(params)
    s_total, h = int(q["scenarios"]), len(p.service)
    if h == 0 or not np.any(p.service + p.floating > 0):
        raise field_error("horizon", _("No debt service falls due in the horizon: there is "
                                       "nothing to cover."))  # fmt: skip
    if len(p.amount) == 0:
        raise field_error("packages", _("No packages are planned for disposal."))
    rng = np.random.default_rng(int(q["seed"]))
    sd = q["price_sd_pct"] / 100
    fail, delay = q["failure_pct"] / 100, q["delay_pct"] / 100
    cut = 1 - q["relist_cut_pct"] / 100
    n_kind = int(p.group_kind.max()) + 1 if len(p.group_kind) else 1
    proceeds = np.empty((s_total, h))
    missed = np.zeros(h)
    service_sum = np.zeros(h)
    # Thresholds for "at least k failures" (k = 1..max_rounds) and "at least d delays".
    fail_at = fail ** np.arange(1, int(q["max_rounds"]) + 1, dtype=np.float32)
    delay_at = delay ** np.arange(1, MAX_DELAY + 1, dtype=np.float32)
    listed = p.listed.astype(bool)
    for start in range(0, s_total, CHUNK):
        s = min(CHUNK, s_total - start)
        z_kind = rng.standard_normal((s, n_kind))
        z_own = rng.standard_normal((s, len(p.group_kind)))
        z = np.sqrt(0.5) * z_kind[:, p.group_kind] + np.sqrt(0.5) * z_own
        factor = np.exp(sd * z - sd * sd / 2)[:, p.group]  # (s, n)
        u = rng.random((s, len(p.amount)), dtype=np.float32)
        failures = np.zeros(u.shape, dtype=np.int16)
        for t in fail_at:
            failures += u < t
        failures *= listed
        v = rng.random((s, len(p.amount)), dtype=np.float32)
        slips = np.zeros(v.shape, dtype=np.int16)
        for t in delay_at:
            slips += v < t
        when = p.period + slips + failures * int(q["relist_periods"])
        unsold = failures >= len(fail_at)
        value = p.amount * factor * np.power(cut, failures)
        when = np.where(unsold | (when >= h), h, when)
        flat = (np.arange(s)[:, None] * (h + 1) + when).ravel()
        got = np.bincount(flat, weights=value.ravel(), minlength=s * (h + 1))
        got = got.reshape(s, h + 1)[:, :h]
        proceeds[start : start + s] = got
        steps = rng.standard_normal((s, h)) * q["rate_sd_pp"]
        service = p.service + np.maximum(p.floating + np.cumsum(steps, axis=1) * p.per_point, 0)
        service_sum += service.sum(axis=0)
        cash = np.zeros(s)
        for t in range(h):
            cash = cash + got[:, t] - service[:, t]
            short = cash < -1e-6
            missed[t] += short.sum()
            cash = np.where(short, 0.0, cash)
    pct = np.percentile(proceeds, [5, 50, 95], axis=0)
    return {
        "params": q,
        "plan": plan_proceeds(p),
        "p5": pct[0],
        "p50": pct[1],
        "p95": pct[2],
        "mean": proceeds.mean(axis=0),
        "service": service_sum / s_total,
        "p_missed": missed / s_total,
    }
