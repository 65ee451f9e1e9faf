"""Settings for the test suite: the test profile, with the database from DATABASE_URL."""

import os

os.environ.setdefault("PANHUO_ENV", "test")

from panhuo.settings import *  # noqa: F403

# Sign-in throttling counts in a cache of this process only, emptied before every test
# (conftest.py): the file cache is shared with other runs, and every test client calls from
# the same address.
CACHES = {
    **CACHES,  # noqa: F405
    "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
PANHUO["LOGIN_THROTTLE"]["CACHE"] = "throttle"  # noqa: F405
