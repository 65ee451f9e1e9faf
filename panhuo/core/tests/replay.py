"""Recorded statements sent again in one round trip on PostgreSQL (the test world, the API
world and the demo laid down for each test: world_snapshot, recorded, demo_snapshot).

Each test lays its recorded rows down again (one INSERT per table) and then sets each table's
id sequence past them (one ``setval`` per table): some 20 statements before the test's first
own query, each a round trip to the server. Their text and values are the same every time, so
on PostgreSQL (a client-side binding cursor, Django's default) they are rendered once, values
quoted by psycopg itself (``mogrify``), into one text of statements separated by semicolons,
and that text is sent as one query; the server runs them in order inside the test's
transaction, and an error in any of them fails the whole query as it failed the one statement
before. SQLite runs one statement per call, so there they run one by one as before.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

#: (sql, params, many) as Django's execute wrappers see them.
Statement = tuple[str, object, bool]


def render(statements: Iterable[Statement], resets: Iterable[str] = ()) -> str | None:
    """The statements (then the sequence ``resets``) as one text of SQL, or None where the
    connection cannot send them as one (SQLite, a server-side binding cursor)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        mogrify = getattr(cursor.cursor, "mogrify", None)
        if mogrify is None:
            return None
        parts = []
        for sql, params, many in statements:
            for values in params if many else [params]:
                parts.append(sql if values is None else mogrify(sql, values))
    parts.extend(resets)
    return ";\n".join(part.rstrip().rstrip(";") for part in parts)


def run(statements: Iterable[Statement], resets: Iterable[str] = (), text: str | None = None):
    """Run ``text`` (from :func:`render`) as one query if given, else each statement (then
    each reset) on its own."""
    with connection.cursor() as cursor:
        if text is not None:
            cursor.execute(text)
            return
        for sql, params, many in statements:
            (cursor.executemany if many else cursor.execute)(sql, params)
        for sql in resets:
            cursor.execute(sql)
