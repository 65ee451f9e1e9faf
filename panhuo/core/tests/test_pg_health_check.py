"""The PostgreSQL connection health check (core/postgresql): a kept connection is checked
(``SELECT 1``) when it comes back from idle, not at every request while it is busy."""

from __future__ import annotations

import pytest
from django.db import connection

# It tests PostgreSQL's own backend: CI's SQLite run leaves it out by its marker (no test is
# skipped in CI); a developer's run on SQLite alone skips it, saying why.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
]


def test_a_busy_connection_is_not_checked_again_an_idle_one_is():
    from panhuo.core.postgresql.base import FRESH_SECONDS, DatabaseWrapper

    settings = {**connection.settings_dict, "CONN_MAX_AGE": 600, "CONN_HEALTH_CHECKS": True}
    db, checks = DatabaseWrapper(settings, alias="health_probe"), []
    usable = db.is_usable
    db.is_usable = lambda: checks.append(1) or usable()

    def request() -> None:  # as Django's request_started / request_finished signals do
        db.close_if_unusable_or_obsolete()
        with db.cursor() as cursor:
            cursor.execute("SELECT 2")
        db.close_if_unusable_or_obsolete()

    try:
        request()  # a new connection: healthy, not checked
        request()  # it answered a moment ago: not checked
        assert checks == []
        db.answered_at -= FRESH_SECONDS + 1  # idle since
        request()
        assert checks == [1]
        request()
        assert checks == [1]
        db.errors_occurred = True  # a database error in the last request: checked at its end
        db.close_if_unusable_or_obsolete()
        assert checks == [1, 1]
        db.close()  # closed (and so reopened): a new connection's first request is not checked
        request()
        assert checks == [1, 1]
        db.answered_at -= FRESH_SECONDS + 1
        db.connection.close()  # the database went away while it sat idle: found, reopened
        request()
        assert checks == [1, 1, 1]
    finally:
        db.close()
