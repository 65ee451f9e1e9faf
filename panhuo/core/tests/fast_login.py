"""The test client signs in without first saving an empty session (a pytest plugin, registered
in the root conftest.py).

Django's ``Client.force_login`` (and ``login``) reads ``Client.session``, which for a client
without a session cookie creates and saves an empty session; ``login()`` then cycles that
session's key (a second session created, the first deleted) before saving the signed-in one:
seven statements and two session rows made for every client a test signs in (about 500 in 130
API and page tests, issue 11). A browser that signs in arrives without a session too, and
``login()`` makes it one. So a client without a session cookie hands ``login()`` an unsaved
session, as Django's own code does when no session exists; everything after that (``login()``,
its ``user_logged_in`` signal, the session saved, the cookie set) is Django's unchanged. A
client that already holds a session (signed in as someone else, or with data) signs in
through Django's own path.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.http import HttpRequest
from django.test import Client

_original_login = Client._login


def _login(self: Client, user, backend=None) -> None:
    if settings.SESSION_COOKIE_NAME in self.cookies:
        return _original_login(self, user, backend)
    from django.contrib.auth import login

    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    login(request, user, backend)
    request.session.save()
    self._set_login_cookies(request)
    return None


def pytest_configure(config) -> None:
    Client._login = _login
