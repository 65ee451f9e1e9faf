"""PostgreSQL as Django has it, with the connection health check (``CONN_HEALTH_CHECKS``) made
only when a kept connection comes back from idle.

Django checks a persistent connection (``SELECT 1``, one round trip) at the first use of every
request; on a busy server thread that is one round trip in six of a bid (docs/benchmarks.md).
A connection that finished a request without a database error less than ``FRESH_SECONDS`` ago
is not checked again: the check is there for the connection that sat idle while the database
restarted or a firewall dropped it, and one that has just answered is not that. Past the window
(or after an error) the check runs as before."""

from __future__ import annotations

import time

from django.conf import settings
from django.db.backends.postgresql import base

#: How long after a request that used it without error a connection is taken as alive.
FRESH_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    #: When the connection last finished a request that used it without a database error.
    answered_at = float("-inf")

    #: The names of the statements this connection has prepared (core/prepared.py); None when
    #: not connected yet or prepared statements are off (``PANHUO["PREPARED_STATEMENTS"]``).
    prepared_statements: set[str] | None = None

    def get_new_connection(self, conn_params):
        made = super().get_new_connection(conn_params)
        on = settings.PANHUO.get("PREPARED_STATEMENTS", True)
        self.prepared_statements = set() if on else None
        return made

    def close_if_unusable_or_obsolete(self) -> None:
        # Called at each request's start and end. ``health_check_done`` is true here only at
        # the end of a request that used the connection (the flag is reset at every call, and
        # set at the request's first use); ``errors_occurred``: a database error since.
        if self.connection is not None and self.health_check_done and not self.errors_occurred:
            self.answered_at = time.monotonic()
        super().close_if_unusable_or_obsolete()

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and time.monotonic() - self.answered_at < FRESH_SECONDS
        ):
            self.health_check_done = True  # it answered a moment ago: taken as checked
            return
        super().close_if_health_check_failed()

    def close(self) -> None:
        super().close()
        self.answered_at = float("-inf")
