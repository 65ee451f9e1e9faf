"""Token calls through the lean middleware (site/token_calls.py) answer exactly as through the
whole stack: the same status, headers and body for allowed and refused calls, in the caller's
language, and a cookie or a session call still goes through the whole stack."""

from __future__ import annotations

import io
import json
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from panhuo.auctions.models import Lot
from panhuo.auctions.tests.support import make_lot, registered
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.services import api_token_create
from panhuo.site import token_calls


@pytest.fixture
def handlers(db):
    """The whole stack and the dispatching application, called as a WSGI server would, inside
    the test's transaction (Django's test client disconnects the same signal)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        whole = WSGIHandler()
        yield whole, token_calls.dispatching(whole)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(app, method: str, path: str, body: dict | str | None = None, **headers: str):
    raw = (body if isinstance(body, str) else json.dumps(body)).encode() if body else b""
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "443", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "https",
        "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw), "wsgi.errors": sys.stderr, "wsgi.multithread": True,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
        **{"HTTP_" + k.upper(): v for k, v in headers.items()},
    }  # fmt: skip
    answer = {}

    def start_response(status, header_list, exc_info=None):
        answer["status"], answer["headers"] = status, dict(header_list)

    content = b"".join(app(environ, start_response))
    try:
        data = json.loads(content)
    except ValueError:
        data = content
    return answer["status"], answer["headers"], timeless(data)


def timeless(data):
    """``data`` without the server's clock, which moves between two calls."""
    if isinstance(data, dict):
        return {k: timeless(v) for k, v in data.items() if k != "server_time"}
    if isinstance(data, list):
        return [timeless(v) for v in data]
    return data


def test_a_token_call_skips_only_the_middleware_named():
    lean = token_calls.token_call_middleware(settings.MIDDLEWARE)
    assert set(settings.MIDDLEWARE) - set(lean) == token_calls.SKIPPED & set(settings.MIDDLEWARE)
    assert set(lean) - set(settings.MIDDLEWARE) == {"panhuo.site.token_calls.TokenCallMiddleware"}
    for kept in ("django.middleware.security.SecurityMiddleware",
                 "django.middleware.csp.ContentSecurityPolicyMiddleware",
                 "django.middleware.locale.LocaleMiddleware",
                 "django.middleware.common.CommonMiddleware",
                 "django.middleware.clickjacking.XFrameOptionsMiddleware"):  # fmt: skip
        assert kept in lean
    token = {"PATH_INFO": "/api/v1/lots/1/bids", "HTTP_AUTHORIZATION": "Bearer phk_x"}
    assert token_calls.is_token_call(token)
    assert not token_calls.is_token_call({**token, "HTTP_COOKIE": "sessionid=abc"})
    assert not token_calls.is_token_call({**token, "HTTP_AUTHORIZATION": "Basic eDp5"})
    assert not token_calls.is_token_call({**token, "PATH_INFO": "/auctions/lots/1/"})
    assert not token_calls.is_token_call({**token, "PATH_INFO": "/api/v1/no-such-route"})
    assert not token_calls.is_token_call({"PATH_INFO": "/api/v1/lots/1/bids"})


def test_token_calls_answer_as_the_whole_stack_does(world, handlers):
    whole, app = handlers
    lot = make_lot(world)
    bidder, other = registered(world, lot), registered(world, lot)
    other.language = "zh-hans"
    other.save(update_fields=["language"])
    staff = world.user("office")
    key, zh_key, staff_key = (api_token_create(actor=u, user=u, name="t")[1]
                              for u in (bidder, other, staff))  # fmt: skip
    bids = f"/api/v1/lots/{lot.pk}/bids"
    assert call(app, "POST", bids, {"amount": "5600000.00"}, authorization=f"Bearer {key}")[0] \
        == "200 OK"  # fmt: skip
    calls = [
        ("GET", f"/api/v1/lots/{lot.pk}", None, {}),
        ("GET", f"/api/v1/lots/{lot.pk}", None, {"accept_language": "zh-hans"}),
        ("POST", bids, {"amount": "5500000.00"}, {}),  # too low: 400
        ("POST", bids, {"amount": "5500000.00"}, {"accept_language": "zh-hans"}),
        ("POST", bids, {"amount": "abc"}, {}),
        ("POST", bids, {"amount": "1", "x": 1}, {}),  # an unknown field: 422
        ("POST", bids, "{not json", {}),
        ("POST", f"/api/v1/lots/{10**9}/bids", {"amount": "9000000.00"}, {}),
        ("GET", "/api/v1/lots", None, {}),
        ("GET", "/api/v1/openapi.json", None, {}),
    ]
    seen = set()
    for token in (key, zh_key, staff_key, "phk_wrong"):
        for method, path, body, headers in calls:
            auth = {"authorization": f"Bearer {token}", **headers}
            lean = call(app, method, path, body, **auth)
            assert lean == call(whole, method, path, body, **auth), (token, method, path)
            seen.add(lean[0][:3])
    assert seen >= {"200", "400", "401", "403", "404", "422"}
    # The language: the token's user's, else the request's.
    _status, headers, data = call(app, "POST", bids, {"amount": "1.00"},
                                  authorization=f"Bearer {zh_key}")  # fmt: skip
    assert headers["Content-Language"] == "zh-hans" and "Cookie" in headers["Vary"]
    assert data != call(app, "POST", bids, {"amount": "1.00"}, authorization=f"Bearer {key}")[2]


def test_a_bid_through_the_lean_stack_is_placed_and_audited(world, handlers):
    _whole, app = handlers
    lot = make_lot(world)
    users = [registered(world, lot) for _ in range(2)]
    keys = [api_token_create(actor=u, user=u, name="t")[1] for u in users]
    amount = Decimal("5600000.00")
    for i in range(3):
        status, _headers, data = call(app, "POST", f"/api/v1/lots/{lot.pk}/bids",
                                      {"amount": str(amount)},
                                      authorization=f"Bearer {keys[i % 2]}")  # fmt: skip
        assert status == "200 OK", data
        amount += Decimal("100000.00")
    lot = Lot.objects.get(pk=lot.pk)
    assert data["price"] == str(lot.price) and data["bids"] == lot.bid_count
    entries = AuditEntry.objects.filter(action="lot.bid", object_id=str(lot.pk))
    assert [e.actor_id for e in entries.order_by("seq")] == [u.pk for u in (*users, users[0])]


def test_a_token_call_with_a_cookie_goes_through_the_whole_stack(world, handlers, monkeypatch):
    """A call with a cookie (and a token) is the whole stack's, as before: the session's user's
    language applies when the token's user has none."""
    _whole, app = handlers
    lot = make_lot(world)
    user = registered(world, lot)
    key = api_token_create(actor=user, user=user, name="t")[1]
    seen = []
    original = token_calls._TokenCallHandler.__call__

    def spy(self, environ, start_response):
        seen.append(environ["PATH_INFO"])
        return original(self, environ, start_response)

    monkeypatch.setattr(token_calls._TokenCallHandler, "__call__", spy)
    path = f"/api/v1/lots/{lot.pk}"
    assert call(app, "GET", path, authorization=f"Bearer {key}", cookie="sessionid=x")[0] \
        == "200 OK"  # fmt: skip
    assert seen == []
    call(app, "GET", path, authorization=f"Bearer {key}")
    assert seen == [path]
