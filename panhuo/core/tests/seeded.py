"""The rows that migrations write survive the tests that flush the database (a pytest plugin,
registered in the root conftest.py).

A transactional test (``transaction=True``, ``transactional_db``, ``live_server``: the browser
tests, the import runs, backup and restore...) ends with Django's flush, which empties every
table, also those that data migrations fill: the revenue categories (monitor 0002), the
classification codes (register 0005), and whatever a later data migration adds. Every test
that ran after it in the same worker met those tables empty; the fiscal monitor page once
answered 500 in the browser crawl for that reason.

So, once per worker, just before the first transactional test sets up its database, the rows
of every table that holds rows at that moment (the migrated database: every other test rolls
back) are copied. Right after each transactional test's flush, every copied table that the
flush left empty gets its rows back, with the same ids; tables that the flush's post_migrate
signal refills itself (content types, permissions) are left alone. Nothing lists the seeded
tables, so a new data migration is covered by itself.

Both steps hang on pytest-django's ``_django_db_helper`` fixture: it is what runs the flush at
its teardown. If pytest-django renames it, test_seeded.py fails.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import pytest

#: pytest-django's fixture that opens each test's database and, for a transactional test,
#: flushes it at teardown.
_HELPER = "_django_db_helper"


@dataclass
class _Copy:
    rows: list[tuple[type, list]]
    blocker: object


_copy: _Copy | None = None

#: How many flushes this worker has seen that changed the ids of content types or permissions:
#: rows recorded before such a flush may point at content types that its post_migrate made
#: again under new ids (``world_snapshot``, ``recorded``, ``demo_snapshot``), so a recording is
#: only replayed in the generation it was made in. A plain flush keeps them (fast_flush.py).
flushes = 0


def _transactional(request: pytest.FixtureRequest) -> bool:
    """Whether pytest-django makes this test a TransactionTestCase (its own rule)."""

    def flags(transaction=False, reset_sequences=False, *args, **kwargs):
        return transaction or reset_sequences

    marker = request.node.get_closest_marker("django_db")
    if marker is not None and flags(*marker.args, **marker.kwargs):
        return True
    names = request.fixturenames
    return any(n in names for n in ("transactional_db", "live_server", "django_db_reset_sequences"))


def _take(blocker) -> _Copy:
    from django.apps import apps

    rows = []
    with blocker.unblock():
        for model in apps.get_models(include_auto_created=True):
            if not model._meta.managed or model._meta.proxy:
                continue
            objs = list(model._base_manager.order_by("pk"))
            if objs:
                rows.append((model, objs))
    return _Copy(rows, blocker)


def restore() -> list[str]:
    """Put the copied rows back into every copied table that is empty; the tables filled."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    if _copy is None:
        return []
    with _copy.blocker.unblock():
        empty = [(m, objs) for m, objs in _copy.rows if not m._base_manager.exists()]
        if not empty:
            return []
        with transaction.atomic(), connection.constraint_checks_disabled():
            for model, objs in empty:
                model._base_manager.bulk_create(copy.deepcopy(objs))
        connection.check_constraints(table_names=[m._meta.db_table for m, _ in empty])
        # PostgreSQL's id sequences must not hand out the ids just put back.
        statements = connection.ops.sequence_reset_sql(no_style(), [m for m, _ in empty])
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
    return [m._meta.label for m, _ in empty]


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    global _copy
    if fixturedef.argname == _HELPER and _copy is None and _transactional(request):
        # The helper's own fixtures (the test database, the blocker) are set up by now, and
        # the test's records are not: the database is as migrate left it.
        _copy = _take(request.getfixturevalue("django_db_blocker"))
    return (yield)


def _ids_changed() -> bool:
    """Whether the content types or permissions differ from the copy (fast_flush.py keeps them
    through a plain flush; one that resets sequences makes them again under new ids)."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    if _copy is None:
        return True
    copied = {m: objs for m, objs in _copy.rows}
    with _copy.blocker.unblock():
        for model, fields in ((ContentType, ("app_label", "model")), (Permission, ("codename",))):
            rows = list(model._base_manager.order_by("pk").values_list("pk", *fields))
            before = [(o.pk, *(getattr(o, f) for f in fields)) for o in copied.get(model, [])]
            if rows != before:
                return True
    return False


def pytest_fixture_post_finalizer(fixturedef, request):
    global flushes
    if fixturedef.argname == _HELPER and _transactional(request):
        restore()
        if _ids_changed():
            flushes += 1
