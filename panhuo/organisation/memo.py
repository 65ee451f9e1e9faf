"""An API call's fixed reads — its token and user, the user's role assignments, the caller's
bidder row — kept in each process until the audit chain's access mark moves.

Every write in Panhuo goes through a service that appends to the audit chain, and every entry
moves the head's access mark (``access_seq``, ``access_hash``: the last such entry) except the
entries a write declares access-neutral (``audit_record(access=False)``: a bid, its extension,
which change no user, token, grant or bidder). So the mark names the state of the tables these
reads come from: a token made or revoked, a user deactivated, a role given or ended, a password
reset, a bidder verified or suspended all move it, while a hot lot's bids do not (keyed on the
head itself, the memo never answered while bids were arriving: each bid moved it). A token call
reads the mark with the head (one statement, which also checks the caller's address for a
token lock, and whose head core/read_cache.py's key reuses) and, while the mark has not moved,
takes the token's user, grants and bidder row from memory instead of three more statements.

What keeps it right:

- the mark is read first, before anything it is to vouch for; a value read after a write that
  the mark does not show yet is newer than its key, never older, and the next call that sees
  the new mark starts afresh (as core/read_cache.py argues);
- the memo holds one mark at a time: asked under another it answers nothing and the next
  value stored replaces everything it held;
- only reads made outside a transaction are kept (committed rows): inside a request's own write
  a read may see rows rolled back with it, while the mark it would be filed under stays;
- each caller gets its own copy of the user;
- a change made without an audited write (SQL by hand) is seen at most ``MEMO_SECONDS`` later
  (60 by default): the memo is emptied that long after it was filled, whatever the mark says;
- off in the test profile (``PANHUO_MEMO_SECONDS=0``), whose factories write without audit
  entries, like the read cache.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

from panhuo.core import prepared
from panhuo.integrity.models import AuditHead

_HEAD = AuditHead._meta.db_table


def enabled() -> bool:
    return _max_age() > 0


def _max_age() -> float:
    return float(settings.PANHUO.get("MEMO_SECONDS", 0) or 0)


def read_head(extra: tuple[str, list] | None = None) -> tuple[str, str, Any]:
    """The audit chain's head and the memo's key (the head's access mark) now, as text, and
    the value of ``extra`` (a scalar subquery's SQL and parameters, read in the same
    statement: a token call's lock check) or None. One raw statement (the ORM's compiling cost
    more than running it, on every call)."""
    sql, params = extra or ("SELECT NULL", [])
    with connection.cursor() as cursor:
        prepared.execute(  # planned once per connection (PostgreSQL: core/prepared.py)
            cursor,
            f"SELECT h.last_seq, h.last_hash, h.access_seq, h.access_hash, ({sql}) "  # noqa: S608 (our tables)
            f"FROM (SELECT 1 AS one) o LEFT JOIN {_HEAD} h ON h.id = 1",
            params,
        )
        seq, digest, access_seq, access_hash, value = cursor.fetchone()
    if seq is None:
        return "empty", "empty", value
    return f"{seq}:{digest}", f"{access_seq}:{access_hash}", value


def _read(request: HttpRequest, extra: tuple[str, list] | None = None) -> Any:
    request._panhuo_head, request._panhuo_key, value = read_head(extra)
    return value


def head_of(request: HttpRequest) -> str:
    """The head as this request first read it (read now if it has not yet): what names every
    write (core/read_cache.py's key)."""
    if getattr(request, "_panhuo_head", None) is None:
        _read(request)
    return request._panhuo_head


def key_with(request: HttpRequest, extra: tuple[str, list] | None) -> tuple[str, Any]:
    """The memo's key for this request, read now (with the head) together with ``extra``'s
    value: what a token call reads before anything else, in one statement."""
    value = _read(request, extra)
    return request._panhuo_key, value


def _in_transaction() -> bool:
    """Inside a transaction of the application's own (the test case's enclosing transactions,
    which stand for autocommit, do not count)."""
    return any(not getattr(a, "_from_testcase", False) for a in connection.atomic_blocks)


class _Memo:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mark: str | None = None
        self._since = 0.0
        self._items: dict[Any, Any] = {}

    def _valid(self, mark: str) -> bool:
        return self._mark == mark and time.monotonic() - self._since < _max_age()

    def get(self, mark: str | None, key: Any) -> Any:
        if mark is None:
            return None
        with self._lock:
            return self._items.get(key) if self._valid(mark) else None

    def put(self, mark: str | None, key: Any, value: Any) -> None:
        if mark is None or _in_transaction():
            return
        with self._lock:
            if not self._valid(mark):
                self._mark, self._since, self._items = mark, time.monotonic(), {}
            self._items[key] = value

    def clear(self) -> None:
        with self._lock:
            self._mark, self._items = None, {}


_store = _Memo()


def get(mark: str | None, key: Any) -> Any:
    """What was kept under ``key`` while the mark was ``mark``, or None."""
    return _store.get(mark, key)


def put(mark: str | None, key: Any, value: Any) -> None:
    _store.put(mark, key, value)


def clear() -> None:
    """Forget everything this process holds (tests; after a restore in-process)."""
    _store.clear()
