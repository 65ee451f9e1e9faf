"""Fixtures of the register-in-depth tests (``test_api_depth_*.py`` through the API and
``test_views_register_depth_*.py`` through the pages); their helpers are in
``api_depth_support.py`` and ``views_depth_support.py``."""

import pytest

from panhuo.core.testing import forget_fixture_scope
from panhuo.core.tests.views_support import build_sample
from panhuo.register.tests.api_depth_support import Depth, idle_asset


@pytest.fixture
def settings_tmp(settings, tmp_path):
    """Uploads and progress in a temporary data dir and a file cache every process (the real
    worker too) can read."""
    settings.DATA_DIR = tmp_path
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    return settings


@pytest.fixture
def d(world, settings_tmp):
    """The API world with one record of each kind the register's API serves."""
    return Depth(world)


@pytest.fixture
def sd(d):
    """``d`` with a register that scope can tell apart."""
    d.good = idle_asset(d.w.unit, 14)
    d.young = idle_asset(d.w.unit, 2)
    d.essential = idle_asset(d.w.unit, 30, criticality="essential")
    forget_fixture_scope()  # the decisions these tests list are the service's alone
    return d


@pytest.fixture
def data_dir(settings_tmp, tmp_path):
    """``settings_tmp``, for the page tests that want the data dir itself."""
    return tmp_path


@pytest.fixture
def sample(world):
    """The page tests' sample records (``views_support.build_sample``)."""
    return build_sample(world)
