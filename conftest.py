"""Shared fixtures: a small jurisdiction tree with one user per role, and factories."""

from __future__ import annotations

import pytest

from panhuo.core.testing import World
from panhuo.core.tests.world_snapshot import world_for_test

# Rows that data migrations write survive the tests that flush the database.
pytest_plugins = ["panhuo.core.tests.seeded"]


@pytest.fixture
def world(db) -> World:
    """The shared test world (see ``build_world``), built once per worker process and laid
    down again for each test by bulk inserts (panhuo/core/tests/world_snapshot.py)."""
    return world_for_test()


@pytest.fixture(autouse=True)
def _reset_language():
    """A test that switches the language (a Chinese user's request) must not leave it on for
    the next test: translations are per thread, and tests share the thread."""
    from django.utils import translation

    yield
    translation.deactivate()
