"""Settings for the test suite: the test profile, with the database from DATABASE_URL."""

import os

os.environ.setdefault("PANHUO_ENV", "test")

from panhuo.settings import *  # noqa: F403
