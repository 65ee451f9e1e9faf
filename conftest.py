"""Shared fixtures: a small jurisdiction tree with one user per role, and factories."""

from __future__ import annotations

import pytest

from panhuo.core.testing import World, build_world


@pytest.fixture
def world(db) -> World:
    return build_world()
