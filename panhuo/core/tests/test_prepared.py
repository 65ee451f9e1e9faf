"""Hot statements prepared once per connection (core/prepared.py) and API paths resolved once
per process (core/url_memo.py): the same answers as before, for less work."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, get_resolver

from panhuo.core import prepared

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_statement_is_prepared_once_and_outlives_a_rollback():
    sql = "SELECT %s + 1, %s || '%%'"

    def run() -> tuple[tuple, list[str]]:
        with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
            prepared.execute(cursor, sql, [41, "a"])
            row = cursor.fetchone()
        return row, [q["sql"].split()[0] for q in queries]

    with pytest.raises(RuntimeError), transaction.atomic():
        first = run()
        raise RuntimeError  # rolled back: most bids on a hot lot are refused
    second = run()
    assert first[0] == second[0] == (42, "a%")
    if getattr(connection, "prepared_statements", None) is not None:  # PostgreSQL
        assert first[1] == ["PREPARE", "EXECUTE"]
        assert second[1] == ["EXECUTE"]
    else:
        assert connection.vendor == "sqlite"
        assert first[1] == second[1] == ["SELECT"]


def test_an_api_path_resolves_as_before_and_a_missing_one_is_not_kept():
    resolver = get_resolver()
    one, two = resolver.resolve("/api/v1/lots/7/bids"), resolver.resolve("/api/v1/lots/8/bids")
    assert one.func is two.func and one.kwargs == {"lot_id": "7"} and two.kwargs == {"lot_id": "8"}
    assert resolver.resolve("/api/v1/lots/7/bids").kwargs == {"lot_id": "7"}
    with pytest.raises(Resolver404):
        resolver.resolve("/api/v1/no-such-route")
    api = next(p for p in resolver.url_patterns if str(p.pattern) == "api/v1/")
    kept = api._panhuo_memo
    assert "api/v1/lots/7/bids" in kept and "api/v1/no-such-route" not in kept
