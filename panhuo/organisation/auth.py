"""How API callers authenticate: an API token for scripts, the session for the browser.

1. ``Authorization: Bearer <key>`` — an API token. A token that is given but wrong or revoked
   is refused outright (401); it never falls back to the session. Token calls need no CSRF
   token: a browser never adds that header on its own.
2. The Django session — unsafe methods must carry the CSRF token (``X-CSRFToken``), as a form.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from panhuo.organisation import memo
from panhuo.organisation.password import PasswordChangeRequired
from panhuo.organisation.services import api_token_authenticate
from panhuo.organisation.throttle import Throttled, throttle


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <key>``, checked against the stored SHA-256 of each key.

    The token's user reads the answer in their own language, as in a session (the session's
    user has it from ``UserLanguageMiddleware``; a token's is known only here, before the
    body is read and checked, so validation messages are in it too)."""

    #: The refusal of a wrong token (ninja keeps it as text; ``panhuo.api`` translates it).
    REFUSED = gettext_noop("Invalid or revoked API token.")

    def authenticate(self, request: HttpRequest, token: str):
        # Too many wrong tokens from one address: refused for a while, unchecked (429). With
        # the memo on, the lock is read in the same statement as the memo's key.
        if memo.enabled():
            key, until = memo.key_with(request, throttle.token_lock_query(request))
            wait = throttle.wait_until(until)
        else:
            key, wait = None, throttle.token_retry_after(request)
        if wait:
            raise Throttled(wait)
        user = api_token_authenticate(token.strip(), memo_key=key)
        if user is None:
            throttle.token_failed(request)
            raise AuthenticationError(message=self.REFUSED)
        if user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        if user.must_change_password:
            raise PasswordChangeRequired
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's Django session; unsafe methods must pass Django's CSRF check.

    Unlike ninja's own ``SessionAuth`` the CSRF check runs only for a signed-in user, so an
    anonymous caller is told 401 (sign in), not 403 (CSRF).
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self.csrf and check_csrf(request) is not None:
            raise HttpError(403, gettext("CSRF check failed: send the X-CSRFToken header."))
        return user


token_auth = TokenAuth()
session_auth = SessionAuth(csrf=True)
