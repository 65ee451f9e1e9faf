"""An API call's bookkeeping never waits: a token's last use is noted only if the database
takes the note at once (organisation.services._touch). Runs in another process against a
real committed database (a SQLite file in WAL, or a PostgreSQL database) while this process
holds the write lock (SQLite) or the token's row (PostgreSQL)."""

import pytest

from panhuo.core.tests.external import ExternalDb

pytestmark = pytest.mark.slow


def test_a_token_call_does_not_wait_to_note_its_use(tmp_path):
    ext = ExternalDb(tmp_path).create()
    try:
        out = ext.call("token_touch_while_busy")
    finally:
        ext.drop()
    assert out["user"] == "finance"
    # Without the skip it waited the busy timeout (20 s) on SQLite, the lock on PostgreSQL.
    assert out["took"] < 1.0, out
    assert not out["noted_while_busy"]
    assert out["noted_after"]
