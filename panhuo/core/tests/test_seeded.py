"""A test that flushes the database leaves the rows that migrations wrote (seeded.py) for the
tests after it: the revenue categories and the classification codes, with the same ids."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from panhuo.core.tests import seeded
from panhuo.monitor.models import RevenueCategory
from panhuo.organisation.models import Jurisdiction
from panhuo.register.models import ClassificationCode


def _seeded_rows() -> dict[str, list]:
    return {
        "categories": list(
            RevenueCategory.objects.order_by("pk").values_list("pk", "code", "parent_id")
        ),
        "codes": list(
            ClassificationCode.objects.order_by("pk").values_list("pk", "code", "parent_id")
        ),
    }


def _type_ids() -> list[tuple]:
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    return [
        *ContentType.objects.order_by("pk").values_list("pk", "app_label", "model"),
        *Permission.objects.order_by("pk").values_list("pk", "codename"),
    ]


@pytest.fixture
def after_the_flush(django_db_blocker):
    """Set up before the test's database and so torn down after its flush: what it finds is
    what the next test in this worker meets, whatever that test is."""
    seen: dict = {}
    yield seen
    with django_db_blocker.unblock():
        assert not Jurisdiction.objects.filter(code="FLUSHED").exists(), "no flush ran"
        assert _seeded_rows() == seen["before"]
        # New rows still get new ids (the sequences are past the rows put back).
        tax = RevenueCategory.objects.get(code="tax")
        item = RevenueCategory.objects.create(code="after", name="After", budget="tax", parent=tax)
        assert item.pk > max(pk for pk, _, _ in seen["before"]["categories"])
        item.delete()
        # The flush kept the content types and permissions (fast_flush.py), so the recorded
        # worlds stay valid: no new generation.
        assert _type_ids() == seen["types"]
        assert seeded.flushes == seen["flushes"]


def test_a_flush_leaves_the_rows_migrations_wrote(after_the_flush, transactional_db):
    after_the_flush["before"] = before = _seeded_rows()
    after_the_flush["types"] = _type_ids()
    after_the_flush["flushes"] = seeded.flushes
    assert len(before["categories"]) > 3 and len(before["codes"]) > 3
    # A row that only the flush removes: the check after it proves the flush ran.
    Jurisdiction.objects.create(code="FLUSHED", name="Gone after the flush", level="province")


@pytest.mark.parametrize(
    ("marker_kwargs", "fixtures", "transactional"),
    [
        ({}, [], False),
        ({"transaction": False}, ["db", "world"], False),
        ({"transaction": True}, [], True),
        ({"reset_sequences": True}, [], True),
        (None, ["transactional_db"], True),
        (None, ["live_server"], True),
        (None, ["db"], False),
    ],
)
def test_the_tests_that_flush_are_told_apart(marker_kwargs, fixtures, transactional):
    marker = None if marker_kwargs is None else pytest.mark.django_db(**marker_kwargs).mark
    request = SimpleNamespace(
        node=SimpleNamespace(get_closest_marker=lambda name: marker), fixturenames=fixtures
    )
    assert seeded._transactional(request) is transactional
