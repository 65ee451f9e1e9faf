"""Answers of the busiest reads, reused until the next write.

Every write in Panhuo goes through a service function that appends to the audit chain, and
writers append one at a time while holding the chain's head row (``integrity.AuditHead``). The
head's hash therefore names the state of every audited table: while it has not moved, nothing a
list shows has changed. A read that is asked again by the same user, with the same query, on
the same day, in the same language, with the same role assignments, can be answered with the bytes
it was answered with before.

The head is read in its own query before the answer is computed (once a request, shared with
the memo of the caller's token and grants: organisation/memo.py). A write committed between that
query and the answer's own queries makes the stored answer newer than its key, never older; and
the next request sees the new head and computes afresh. So a cached answer is never staler than
the write that precedes it.

The store lives in each process (a small LRU): nothing is shared between processes, so a
restored database or a restarted server never meets an answer computed elsewhere. Only JSON
answers are kept: HTML pages carry per-request CSRF tokens and CSP nonces.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from panhuo.organisation import memo, policy


class _Lru:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, tuple[int, bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[int, bytes, str] | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: str, item: tuple[int, bytes, str]) -> None:
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_store = _Lru(512)


def clear() -> None:
    """Forget every stored answer and statement of this process (tests; after a restore)."""
    _store.clear()
    _statements.clear()


def enabled() -> bool:
    return bool(settings.PANHUO.get("READ_CACHE", False))


def _grants(user) -> str:
    """What the user may see, as of now: role assignments can change without an audited
    write (the admin, a restore, SQL), and a list answered before a role was taken away must
    not be answered again after."""
    return repr([(g.role, g.path, g.unit_id) for g in policy.grants(user)])


def _key(request: HttpRequest, scope: str) -> str:
    user = request.user
    parts = (
        scope,
        str(user.pk),
        _grants(user),
        translation.get_language() or "",
        timezone.localdate().isoformat(),
        memo.head_of(request),
        request.get_full_path(),
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def cached_json(request: HttpRequest, scope: str, compute: Callable[[], HttpResponse]):
    """``compute()``'s answer, or the same bytes again if nothing was written since.

    Only successful answers are kept; errors are computed every time.
    """
    if not enabled() or request.method != "GET":
        return compute()
    key = _key(request, scope)
    hit = _store.get(key)
    if hit is not None:
        status, body, content_type = hit
        response = HttpResponse(body, status=status, content_type=content_type)
        response["X-Panhuo-Cache"] = "hit"
        return response
    response = compute()
    if response.status_code == 200 and not response.streaming:
        _store.put(key, (response.status_code, response.content, response["Content-Type"]))
    response["X-Panhuo-Cache"] = "miss"
    return response


# --- Statements ----------------------------------------------------------------------------------
# With answer reuse off, or after a write, a list is computed afresh; but the statement it runs
# (the caller's scope, the filters and the sort, as Django compiles them) is the same as long as
# the caller's access is: compiling it cost as much as running it. Kept per process, keyed like
# an answer but on the access mark (organisation/memo.py: it moves with every grant, user or
# token change) instead of the head, so every write leaves it valid; the rows are read afresh.

_statements = _Lru(512)


def statement[T](request: HttpRequest, scope: str, compile_: Callable[[], T]) -> T:
    """``compile_()``'s SQL and parameters, or the same again for the same caller, access,
    day and query. Compiled every time where the memo is off (tests)."""
    if not memo.enabled() or request.method != "GET":
        return compile_()
    memo.head_of(request)
    user = request.user
    parts = (
        scope,
        str(user.pk),
        _grants(user),
        timezone.localdate().isoformat(),
        request._panhuo_key,
        request.get_full_path(),
    )
    key = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    hit = _statements.get(key)
    if hit is None:
        hit = compile_()
        _statements.put(key, hit)
    return hit
