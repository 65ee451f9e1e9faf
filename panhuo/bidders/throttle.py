"""Self-registration is slowed per client address, as sign-in is (organisation/throttle.py).

Every registration sent from one address counts, whether it opened an account or was refused:
opening accounts in bulk is what is slowed, not only guessing. After the sign-in throttle's
``IP_ATTEMPTS`` within its ``WINDOW``, the address is refused for ``LOCKOUT`` seconds (429 with
Retry-After; the page says how long). The counts live in the sign-in throttle's tables under a
subject of their own, so registering never locks anyone out of signing in.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import ngettext

from panhuo.organisation.throttle import Throttled, client_address, throttle


def _subject(request: HttpRequest) -> str:
    return "bidder-signup\n" + client_address(request)


class TooManyRegistrations(Throttled):
    """Refused for now (429), saying so in the caller's language."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        minutes = max(1, -(-retry_after // 60))
        self.args = (
            ngettext(
                "Too many registrations from your address. Try again in %(minutes)d minute.",
                "Too many registrations from your address. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
        )


def check(request: HttpRequest) -> None:
    """Raise TooManyRegistrations while the caller's address is refused."""
    wait = throttle.retry_after("ip", _subject(request))
    if wait:
        raise TooManyRegistrations(wait)


def count(request: HttpRequest) -> None:
    """Count one registration sent from the caller's address."""
    throttle.failed("ip", _subject(request))
