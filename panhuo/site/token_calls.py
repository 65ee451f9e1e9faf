"""API calls made with a token go through the middleware that does something for them.

A script's call to the JSON API with ``Authorization: Bearer <key>`` and no cookie is
authenticated by the token alone (``organisation/auth.py``: a wrong token is refused, it never
falls back to the session) and reads no session, no flash messages, no CSRF token and no static
file. For it the middleware of the session, the signed-in user, their language, money unit and
forced password change, the messages, the CSRF check and WhiteNoise do nothing but cost CPU:
about 0.1–0.2 ms of a bid's ~3 ms in the WSGI application (bench/bids.py). Such a call goes
through ``settings.MIDDLEWARE`` without them (``SKIPPED``), in a second handler built once per
process; every other request, a token call carrying a cookie included, goes through the whole
stack as before. Every middleware not named in ``SKIPPED`` is kept (security headers, the
language from ``Accept-Language``, ``Content-Length``, ``X-Frame-Options``, and any added later).

In the session middleware's place ``TokenCallMiddleware`` gives the request an anonymous
``user`` until the token authenticates it (what the session gave a cookie-less request) and
answers ``Vary: Cookie`` as the whole stack does (a request with a cookie is answered by it, and
its answer may differ). The answers are the same, headers included
(``site/tests/test_token_calls.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.wsgi import WSGIHandler
from django.urls import Resolver404, get_resolver
from django.utils.cache import patch_vary_headers

#: The API's prefix (panhuo/urls.py): only the API authenticates by token.
API_PREFIX = "/api/v1/"

#: What does nothing for a cookie-less token call (see the module's docstring).
SKIPPED = frozenset({
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "panhuo.organisation.middleware.UserLanguageMiddleware",
    "panhuo.organisation.middleware.UserMoneyUnitMiddleware",
    "panhuo.organisation.password.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
})  # fmt: skip
_SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
_SELF = f"{__name__}.TokenCallMiddleware"


class TokenCallMiddleware:
    """In the session middleware's place for a token call: an anonymous ``request.user`` until
    the token authenticates the caller, and ``Vary: Cookie`` on the answer."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request):
        request.user = AnonymousUser()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        return response


def token_call_middleware(middleware: list[str]) -> list[str]:
    """``middleware`` as a token call goes through it: without ``SKIPPED``, with
    ``TokenCallMiddleware`` where the session middleware was."""
    return [_SELF if m == _SESSION else m for m in middleware if m == _SESSION or m not in SKIPPED]


def is_token_call(environ: dict[str, Any]) -> bool:
    """A call of one of the API's routes with a bearer token and no cookie. A path no route
    matches is not: the whole stack answers it (Django's 404 page, with its CSRF cookie)."""
    path = environ.get("PATH_INFO", "")
    if not (
        path.startswith(API_PREFIX)
        and environ.get("HTTP_AUTHORIZATION", "").startswith("Bearer ")
        and not environ.get("HTTP_COOKIE")
    ):
        return False
    try:  # the API's paths are remembered once resolved (core/url_memo.py)
        get_resolver().resolve(path)
    except Resolver404:
        return False
    return True


class _TokenCallHandler(WSGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        # Django builds the chain from settings.MIDDLEWARE: set to the token call's list for
        # the build only, once per process, before any request is served.
        whole = settings.MIDDLEWARE
        settings.MIDDLEWARE = token_call_middleware(list(whole))
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = whole


def dispatching(application: Callable) -> Callable:
    """``application`` (Django's handler, the whole stack), with token calls sent through the
    lean one."""
    lean = _TokenCallHandler()

    def dispatch(environ: dict[str, Any], start_response: Callable):
        if is_token_call(environ):
            return lean(environ, start_response)
        return application(environ, start_response)

    return dispatch
