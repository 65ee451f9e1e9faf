"""Fixtures of the core tests: a real committed database for tests that run other processes."""

from __future__ import annotations

import pytest

from panhuo.core.tests.external import ExternalDb


@pytest.fixture(scope="session")
def external_db(tmp_path_factory) -> ExternalDb:
    """A migrated database of the suite's kind (SQLite file or PostgreSQL database) holding the
    test world, shared by the tests that need workers or several processes."""
    ext = ExternalDb(tmp_path_factory.mktemp("external")).create()
    ext.call("world")
    yield ext
    ext.drop()
