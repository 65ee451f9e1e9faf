"""One test item per endpoint, every caller inside it: ``@per_caller(CALLERS)``.

The permission tests state, for every caller, what one endpoint must answer. Parametrising over
the callers made one pytest item per caller, and every item rebuilt its fixtures (the 19-user
world, the API world: about 400 queries) only to make one request. ``per_caller`` keeps the
test's body and its per-caller report but builds the fixtures once: the body runs once per
caller, each run inside a savepoint that is rolled back (so every caller meets the same rows, as
separate items did) and reported as a pytest subtest (a failure names the caller).

In-memory fixture objects are deep-copied for each caller, so a body that changes an instance
(a service updating ``project.status``) cannot leak that change into the next caller's run.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
import pickle
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.db import models, transaction


class _RolledBack(Exception):
    """Raised at the end of a caller's run to roll its savepoint back."""


@contextmanager
def rolled_back() -> Iterator[None]:
    """A savepoint that is always rolled back: what the block wrote is gone after it, whether
    it passed or failed (a failure still propagates)."""
    try:
        with transaction.atomic():
            yield
            raise _RolledBack
    except _RolledBack:
        pass


def _is_record(value) -> bool:
    return isinstance(value, models.Model) or (
        dataclasses.is_dataclass(value) and not isinstance(value, type)
    )


def _fresh(fixtures: dict) -> dict:
    """The fixtures for one caller's run: records (and dataclasses of records) copied together,
    so that objects shared between fixtures (``aw.w`` and ``world``) stay one object; anything
    else (clients, settings, tmp_path) passed as it is."""
    records = {name: value for name, value in fixtures.items() if _is_record(value)}
    return {**fixtures, **_copied(records)}


def _copied(records: dict) -> dict:
    """A copy of ``records`` through one pickle round trip, which keeps shared objects shared
    as ``deepcopy`` does (one memo for the whole dict) at a fraction of its cost: deepcopy
    walked every instance's state in Python, about 0.1 s per caller's run under load (issue
    11). Records that do not pickle (a dataclass holding a client, say) are deep-copied."""
    try:
        return pickle.loads(pickle.dumps(records, pickle.HIGHEST_PROTOCOL))  # noqa: S301 (our own bytes)
    except (pickle.PicklingError, TypeError, AttributeError):
        return copy.deepcopy(records)


def per_caller(callers: Iterable[str], argname: str = "who") -> Callable:
    """Run the decorated test once per caller in ``callers``, as subtests of one item.

    The test keeps its ``who`` argument; it may ask for any fixture as before.
    """
    callers = list(callers)

    def decorator(test: Callable) -> Callable:
        signature = inspect.signature(test)
        if argname not in signature.parameters:
            raise TypeError(f"{test.__name__} has no {argname!r} argument to run per caller")
        own_subtests = "subtests" in signature.parameters
        params = [p for name, p in signature.parameters.items() if name != argname]
        if not own_subtests:
            params.append(inspect.Parameter("subtests", inspect.Parameter.POSITIONAL_OR_KEYWORD))

        @functools.wraps(test)
        def run_for_each_caller(**fixtures):
            subtests = fixtures["subtests"] if own_subtests else fixtures.pop("subtests")
            for who in callers:
                with subtests.test(msg=who, **{argname: who}), rolled_back():
                    test(**_fresh(fixtures), **{argname: who})

        run_for_each_caller.__signature__ = signature.replace(parameters=params)
        return run_for_each_caller

    return decorator
