"""How many examples the property tests generate in this run (CI time, issue 11).

``PANHUO_EXAMPLES_SHARE`` (a fraction, 1 by default) scales every hypothesis test's
``max_examples``: CI's SQLite run sets it to a half, because its PostgreSQL run repeats every
property there with the full budget (production's database); a developer's ``./dev test`` and
CI's PostgreSQL run keep it whole. Every property still runs on both databases; only the
SQLite run's sample is smaller.
"""

from __future__ import annotations

import os

from hypothesis import settings

SHARE = float(os.environ.get("PANHUO_EXAMPLES_SHARE", "1"))
if not 0 < SHARE <= 1:
    raise ValueError(f"PANHUO_EXAMPLES_SHARE must be in (0, 1], not {SHARE}")


def examples(budget: int) -> int:
    """``budget`` examples scaled by the run's share, at least one."""
    return budget if SHARE == 1 else max(1, round(budget * SHARE))


def scale_given_tests(items) -> None:
    """Scale the ``max_examples`` of every ``@given`` test among ``items`` (once per test
    function: parametrised items share one)."""
    if SHARE == 1:
        return
    done: set[int] = set()
    for item in items:
        test = getattr(getattr(item, "obj", None), "__func__", getattr(item, "obj", None))
        if not getattr(test, "is_hypothesis_test", False) or id(test) in done:
            continue
        done.add(id(test))
        own = getattr(test, "_hypothesis_internal_use_settings", None) or settings.default
        test._hypothesis_internal_use_settings = settings(
            own, max_examples=examples(own.max_examples)
        )
