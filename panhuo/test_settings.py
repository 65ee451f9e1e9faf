"""Settings for the test suite: the test profile, with the database from DATABASE_URL."""

import os

os.environ.setdefault("PANHUO_ENV", "test")

# Under pytest-xdist every worker gets its own data directory (documents, imports, the file
# cache), so one worker's clean-up never removes another's files. pytest-django already gives
# each worker its own test database.
if _worker := os.environ.get("PYTEST_XDIST_WORKER"):
    from pathlib import Path as _Path

    _base = os.environ.get("PANHUO_DATA_DIR") or str(_Path.cwd() / "var")
    os.environ["PANHUO_DATA_DIR"] = str(_Path(_base) / f"xdist-{_worker}")

from panhuo.settings import *  # noqa: F403

# The test databases are thrown away: PostgreSQL need not wait for the disk at each commit of
# the tests that commit (browser, live server, import runs, flushes).
if DATABASES["default"]["ENGINE"] == "panhuo.core.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
