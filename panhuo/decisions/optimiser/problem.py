"""The optimiser's problem as arrays: every option is one package disposed of by one channel
starting in one quarter, bringing ``amount`` of cash in each of ``length`` quarters from
``start`` and losing ``loss`` of value against holding (negative: it gains). Pure: nothing here
reads the database.

Cover: cash carried over from quarter to quarter, ``carry[t] = carry[t-1] + cash[t] -
service[t]`` from ``opening``, and ``carry[t] >= buffer`` in every quarter. Absorption: the sale
proceeds started in one quarter of one asset kind stay within ``cap[kind, t]``. At most one
option per package.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _

from panhuo.core.errors import field_error

#: Plausible bounds of the run's parameters (inclusive).
LIMITS = {
    "horizon": (1, 40),
    "time_limit": (1, 600),
    "absorption_pct": (1, 100),
    "gap_pct": (0, 50),
    "approval_days": (0, 365),
    "finance_approval_days": (0, 365),
}
#: Parameters counted in whole units (quarters, seconds, days).
WHOLE = ("horizon", "time_limit", "approval_days", "finance_approval_days")


@dataclass
class Problem:
    service: np.ndarray  # per quarter, yuan
    amount: np.ndarray  # per option: cash in each quarter it brings cash
    start: np.ndarray  # per option: the first quarter (0-based)
    length: np.ndarray  # per option: quarters of cash (1: a sale)
    loss: np.ndarray  # per option: value lost against holding (negative: gained)
    cand: np.ndarray  # per option: the package's index
    kind: np.ndarray  # per option: the asset kind's index
    absorbed: np.ndarray  # per option: counted against the kind's absorption (sale proceeds)
    cap: np.ndarray  # [kinds, periods]: the most the market takes per kind and quarter
    buffer: float = 0.0
    opening: float = 0.0
    names: list[str] = field(default_factory=list)  # per package: its code
    channels: list[str] = field(default_factory=list)  # per option: the channel

    @property
    def periods(self) -> int:
        return len(self.service)

    @property
    def options(self) -> int:
        return len(self.amount)

    def cash(self, chosen: np.ndarray) -> np.ndarray:
        """Cash per quarter of the chosen options (indices)."""
        out = np.zeros(self.periods)
        for j in chosen:
            s, n = int(self.start[j]), int(self.length[j])
            out[s : min(s + n, self.periods)] += self.amount[j]
        return out

    def carry(self, chosen: np.ndarray) -> np.ndarray:
        return self.opening + np.cumsum(self.cash(chosen) - self.service)

    def covers(self, chosen: np.ndarray, tol: float = 0.005) -> bool:
        return bool(np.all(self.carry(chosen) >= self.buffer - tol))

    def absorbs(self, chosen: np.ndarray, tol: float = 0.005) -> bool:
        used = np.zeros_like(self.cap)
        for j in chosen:
            used[int(self.kind[j]), int(self.start[j])] += self.absorbed[j]
        return bool(np.all(used <= self.cap + tol))

    def value_lost(self, chosen: np.ndarray) -> float:
        return float(sum(self.loss[j] for j in chosen))


def check_params(params: dict) -> dict:
    """The run's parameters within their plausible bounds, each refused by name."""
    for name, (low, high) in LIMITS.items():
        value = params.get(name)
        if value is not None and not low <= value <= high:
            raise field_error(
                name,
                _("%(field)s is %(value)s, outside the plausible range %(low)s to %(high)s.")
                % {"field": name, "value": value, "low": low, "high": high},
            )
    for name in WHOLE:
        value = params.get(name)
        if value is not None and value != int(value):
            raise field_error(
                name, _("%(field)s is %(value)s: give a whole number.")
                % {"field": name, "value": value}
            )  # fmt: skip
    for name in ("buffer", "opening"):
        value = params.get(name)
        if value is not None and value < 0:
            raise field_error(
                name, _("%(field)s must not be negative (%(value)s).")
                % {"field": name, "value": value}
            )  # fmt: skip
    return params
