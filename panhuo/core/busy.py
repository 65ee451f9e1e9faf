"""A write that meets a busy database is retried, then refused cleanly, never leaked as a 500.

On SQLite one writer at a time holds the write lock; another waits up to the connection's
timeout and then gets ``OperationalError: database is locked``. On PostgreSQL two writers can
deadlock or fail serialization. Each of these means "nothing was written, try again": the
service's transaction was rolled back. ``retry_when_busy`` runs the service again a few times
(with a short, growing pause) and then raises ``Conflict`` with a message a person can act on.

Only the outermost transaction can be retried: inside a caller's transaction the error is
turned into ``Conflict`` at once (the caller's transaction must roll back as a whole).
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable

from django.db import OperationalError, connection
from django.utils.translation import gettext as _

from panhuo.core.errors import Conflict

BUSY_MARKERS = (
    "database is locked",
    "database table is locked",
    "deadlock detected",
    "could not serialize access",
)
ATTEMPTS = 4


def is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(marker in text for marker in BUSY_MARKERS)


def retry_when_busy[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        attempt = 0
        while True:
            attempt += 1
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                if not is_busy(exc):
                    raise
                if connection.in_atomic_block or attempt >= ATTEMPTS:
                    raise Conflict(
                        _(
                            "The database is busy with other changes; nothing was written. Try "
                            "again in a moment."
                        )
                    ) from exc
                time.sleep(0.05 * attempt + random.random() * 0.05)

    return wrapper
