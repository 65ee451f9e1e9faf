"""Refuse sign-in attempts after too many failures: per user name and per client address.

After ``ATTEMPTS`` failed sign-ins for one user name within ``WINDOW`` seconds, that name is
locked for ``LOCKOUT`` seconds: every attempt is refused, even with the right password, and the
password is not even checked. The same holds per client address with ``IP_ATTEMPTS`` (a guesser
trying many names). A successful sign-in clears the user name's failures (not the address's:
one valid account must not let a guesser wipe the slate). Failed API tokens count per address.

State lives in the cache (``CACHE`` alias), so every process of the site shares it. Times are
read from :attr:`Throttle.clock`, which tests replace to move time without sleeping; the cache
entries' own expiry is only housekeeping.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    attempts: int
    window: int  # seconds in which the failures are counted
    lockout: int  # seconds refused once the limit is reached


def _config() -> dict:
    return settings.PANHUO["LOGIN_THROTTLE"]


def client_address(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or the header a trusted proxy sets (configured)."""
    header = _config().get("CLIENT_IP_HEADER") or ""
    if header:
        value = request.META.get(header, "")
        # X-Forwarded-For lists proxies after the client; the last entry is the one our own
        # proxy added, the only one a client cannot forge.
        candidate = value.split(",")[-1].strip()
        if candidate:
            return candidate
    return request.META.get("REMOTE_ADDR") or "unknown"


class Throttled(Exception):
    """Refused for now; ``retry_after`` seconds to wait (the API answers 429)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed attempts; try again in {retry_after} s.")
        self.retry_after = retry_after


class Throttle:
    clock: Callable[[], float] = staticmethod(time.time)

    def _cache(self):
        alias = _config().get("CACHE", "default")
        # A configuration (or a test) that replaces CACHES without the alias uses the default.
        return caches[alias if alias in settings.CACHES else "default"]

    @staticmethod
    def _key(scope: str, subject: str) -> str:
        digest = hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:32]
        return f"panhuo:throttle:{scope}:{digest}"

    def limit(self, scope: str) -> Limit:
        c = _config()
        attempts = c["ATTEMPTS"] if scope == "user" else c["IP_ATTEMPTS"]
        return Limit(attempts=attempts, window=c["WINDOW"], lockout=c["LOCKOUT"])

    def _state(self, key: str) -> dict:
        state = self._cache().get(key)
        return state if isinstance(state, dict) else {"failures": [], "locked_until": 0.0}

    def retry_after(self, scope: str, subject: str) -> int:
        """Seconds until ``subject`` may try again; 0 when it may now."""
        if not subject:
            return 0
        state = self._state(self._key(scope, subject))
        left = state["locked_until"] - self.clock()
        return math.ceil(left) if left > 0 else 0

    def failed(self, scope: str, subject: str) -> None:
        """Count one failure; lock ``subject`` when it reaches the limit within the window."""
        if not subject:
            return
        key, now, limit = self._key(scope, subject), self.clock(), self.limit(scope)
        state = self._state(key)
        failures = [t for t in state["failures"] if now - t < limit.window] + [now]
        if len(failures) >= limit.attempts:
            state = {"failures": [], "locked_until": now + limit.lockout}
        else:
            state = {"failures": failures, "locked_until": state["locked_until"]}
        self._cache().set(key, state, timeout=limit.window + limit.lockout)

    def reset(self, scope: str, subject: str) -> None:
        if subject:
            self._cache().delete(self._key(scope, subject))

    # --- sign-in -------------------------------------------------------------------------

    def login_retry_after(self, request: HttpRequest, username: str) -> int:
        return max(
            self.retry_after("user", username),
            self.retry_after("ip", client_address(request)),
        )

    def login_failed(self, request: HttpRequest, username: str) -> None:
        self.failed("user", username)
        self.failed("ip", client_address(request))

    def login_succeeded(self, request: HttpRequest, username: str) -> None:
        self.reset("user", username)

    # --- API tokens ------------------------------------------------------------------------

    def token_retry_after(self, request: HttpRequest) -> int:
        return self.retry_after("token-ip", client_address(request))

    def token_failed(self, request: HttpRequest) -> None:
        self.failed("token-ip", client_address(request))


throttle = Throttle()
