"""An API call's fixed reads — its token and user, the user's role assignments — kept in each
process until the audit chain's head moves.

Every write in Panhuo goes through a service that appends to the audit chain, so the head's
(seq, hash) names the state of the tables these reads come from: a token made or revoked, a
user deactivated, a role given or ended, a password reset all move it. A token call reads the
head (one statement, which core/read_cache.py's key reuses) and, while it has not moved, takes
the token's user and grants from memory instead of two more statements.

What keeps it right:

- the head is read first, before anything it is to vouch for; a value read after a write that
  the head does not show yet is newer than its key, never older, and the next call that sees
  the new head starts afresh (as core/read_cache.py argues);
- the memo holds one head at a time: asked under another head it answers nothing and the next
  value stored replaces everything it held;
- only reads made outside a transaction are kept (committed rows): inside a request's own write
  a read may see rows rolled back with it, while the head it would be filed under stays;
- each caller gets its own copy of the user;
- a change made without an audited write (SQL by hand) is seen at most ``MEMO_SECONDS`` later
  (60 by default): the memo is emptied that long after it was filled, whatever the head says;
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

from panhuo.integrity.models import AuditHead

_HEAD = AuditHead._meta.db_table


def enabled() -> bool:
    return _max_age() > 0


def _max_age() -> float:
    return float(settings.PANHUO.get("MEMO_SECONDS", 0) or 0)


def read_head() -> str:
    """The audit chain's head now, as text: one raw statement (the ORM's compiling cost more
    than running it, on every call)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_seq, last_hash FROM {_HEAD} WHERE id = 1")  # noqa: S608 (our table)
        head = cursor.fetchone()
    return f"{head[0]}:{head[1]}" if head else "empty"


def head_of(request: HttpRequest) -> str:
    """The head as this request first read it (read now if it has not yet)."""
    head = getattr(request, "_panhuo_head", None)
    if head is None:
        head = request._panhuo_head = read_head()
    return head


def _in_transaction() -> bool:
    """Inside a transaction of the application's own (the test case's enclosing transactions,
    which stand for autocommit, do not count)."""
    return any(not getattr(a, "_from_testcase", False) for a in connection.atomic_blocks)


class _Memo:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._head: str | None = None
        self._since = 0.0
        self._items: dict[Any, Any] = {}

    def _valid(self, head: str) -> bool:
        return self._head == head and time.monotonic() - self._since < _max_age()

    def get(self, head: str | None, key: Any) -> Any:
        if head is None:
            return None
        with self._lock:
            return self._items.get(key) if self._valid(head) else None

    def put(self, head: str | None, key: Any, value: Any) -> None:
        if head is None or _in_transaction():
            return
        with self._lock:
            if not self._valid(head):
                self._head, self._since, self._items = head, time.monotonic(), {}
            self._items[key] = value

    def clear(self) -> None:
        with self._lock:
            self._head, self._items = None, {}


_store = _Memo()


def get(head: str | None, key: Any) -> Any:
    """What was kept under ``key`` while the head was ``head``, or None."""
    return _store.get(head, key)


def put(head: str | None, key: Any, value: Any) -> None:
    _store.put(head, key, value)


def clear() -> None:
    """Forget everything this process holds (tests; after a restore in-process)."""
    _store.clear()
