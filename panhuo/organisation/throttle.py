"""Refuse sign-in attempts after too many failures: per user name and address, and per address.

After ``ATTEMPTS`` failed sign-ins for one user name *from one client address* within
``WINDOW`` seconds, that name is locked for that address for ``LOCKOUT`` seconds: every attempt
from there is refused, even with the right password, and the password is not even checked.
The same holds per client address with ``IP_ATTEMPTS`` (a guesser trying many names). A lock
never follows a user name to other addresses, so failing on purpose cannot lock a user out
(OWASP ASVS 4.0 V2.2.1: anti-automation that does not enable denial of service against the
account; the guesser is slowed per address instead). A successful sign-in clears the user
name's failures from that address (not the address's: one valid account must not let a
guesser wipe the slate). Failed API tokens count per address.

The client address is ``REMOTE_ADDR``, which ``panhuo serve`` sets from ``X-Forwarded-For``
only for requests from ``PANHUO_TRUSTED_PROXIES`` (site/proxy.py): behind a proxy each client
is counted on its own, not the proxy.

State lives in the database (``SignInFailure``, ``SignInLock``), so every process of the site
shares it and concurrent failures are each counted (a row inserted per failure, never a counter
read and written back). Times are read from :attr:`Throttle.clock`, which tests replace to move
time without sleeping.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest

from panhuo.organisation.models import SignInFailure, SignInLock

_LOCKS = SignInLock._meta.db_table


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

    @staticmethod
    def _subject(subject: str) -> str:
        return hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:32]

    def limit(self, scope: str) -> Limit:
        c = _config()
        attempts = c["ATTEMPTS"] if scope == "user" else c["IP_ATTEMPTS"]
        return Limit(attempts=attempts, window=c["WINDOW"], lockout=c["LOCKOUT"])

    def retry_after(self, scope: str, subject: str) -> int:
        """Seconds until ``subject`` may try again; 0 when it may now."""
        if not subject:
            return 0
        # Asked on every API call: a raw statement, the ORM's compiling costing more than it.
        with connection.cursor() as cursor:
            cursor.execute(*self.lock_query(scope, subject))
            row = cursor.fetchone()
        return self.wait_until(row[0] if row else None)

    def lock_query(self, scope: str, subject: str) -> tuple[str, list]:
        """The statement reading ``subject``'s lock (its ``until``, no row when none), to be
        run alone or inside another (organisation/memo.py)."""
        sql = f"SELECT until FROM {_LOCKS} WHERE scope = %s AND subject = %s"  # noqa: S608 (our table)
        return sql, [scope, self._subject(subject)]

    def wait_until(self, until: float | None) -> int:
        """Seconds until a lock read as ``until`` (None: no lock) lets its subject try again."""
        left = (until or 0.0) - self.clock()
        return math.ceil(left) if left > 0 else 0

    def failed(self, scope: str, subject: str) -> None:
        """Count one failure; lock ``subject`` when it reaches the limit within the window.

        The failure is inserted on its own, committed, before the window is counted: of failures
        arriving at the same moment, the last to commit counts after every other has committed,
        so it sees them all and locks. (Counting inside the inserting transaction would let
        each of them see only itself and the ones committed before.)
        """
        if not subject:
            return
        digest, now, limit = self._subject(subject), self.clock(), self.limit(scope)
        SignInFailure.objects.create(scope=scope, subject=digest, at=now)
        mine = SignInFailure.objects.filter(scope=scope, subject=digest)
        if mine.filter(at__gt=now - limit.window).count() >= limit.attempts:
            until = now + limit.lockout
            try:
                with transaction.atomic():
                    SignInLock.objects.update_or_create(
                        scope=scope, subject=digest, defaults={"until": until}
                    )
            except IntegrityError:  # another process created the lock at the same moment
                SignInLock.objects.filter(scope=scope, subject=digest).update(until=until)
            mine.filter(at__lte=now).delete()
        # Housekeeping: failures past the window can never count again.
        SignInFailure.objects.filter(at__lte=now - limit.window).delete()

    def reset(self, scope: str, subject: str) -> None:
        if subject:
            digest = self._subject(subject)
            SignInFailure.objects.filter(scope=scope, subject=digest).delete()
            SignInLock.objects.filter(scope=scope, subject=digest).delete()

    # --- sign-in -------------------------------------------------------------------------

    @staticmethod
    def _user_at(request: HttpRequest, username: str) -> str:
        """The subject of a user-name lock: the name as typed, from this address."""
        return f"{username.strip().lower()}\n{client_address(request)}" if username else ""

    def login_retry_after(self, request: HttpRequest, username: str) -> int:
        return max(
            self.retry_after("user", self._user_at(request, username)),
            self.retry_after("ip", client_address(request)),
        )

    def login_failed(self, request: HttpRequest, username: str) -> None:
        self.failed("user", self._user_at(request, username))
        self.failed("ip", client_address(request))

    def login_succeeded(self, request: HttpRequest, username: str) -> None:
        self.reset("user", self._user_at(request, username))

    # --- API tokens ------------------------------------------------------------------------

    def token_retry_after(self, request: HttpRequest) -> int:
        return self.retry_after("token-ip", client_address(request))

    def token_lock_query(self, request: HttpRequest) -> tuple[str, list] | None:
        """``token_retry_after``'s statement, to read with others (None: no address)."""
        subject = client_address(request)
        return self.lock_query("token-ip", subject) if subject else None

    def token_failed(self, request: HttpRequest) -> None:
        self.failed("token-ip", client_address(request))


throttle = Throttle()
