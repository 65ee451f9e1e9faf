"""Sign-in throttling: too many failures lock a user name (and an address) for a while.

Time is moved by replacing the throttle's clock, never by sleeping.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from panhuo.core.testing import PASSWORD
from panhuo.organisation.services import api_token_create
from panhuo.organisation.throttle import throttle

ATTEMPTS, IP_ATTEMPTS, WINDOW, LOCKOUT = 3, 6, 600, 900


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch, settings):
    settings.PANHUO = {
        **settings.PANHUO,
        "LOGIN_THROTTLE": {
            **settings.PANHUO["LOGIN_THROTTLE"],
            "ATTEMPTS": ATTEMPTS,
            "IP_ATTEMPTS": IP_ATTEMPTS,
            "WINDOW": WINDOW,
            "LOCKOUT": LOCKOUT,
        },
    }
    fake = Clock()
    monkeypatch.setattr(throttle, "clock", fake)
    return fake


def sign_in(username: str, password: str, address: str = "10.0.0.1"):
    client = Client(REMOTE_ADDR=address)
    response = client.post("/login/", {"username": username, "password": password})
    return response, client


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(username: str, times: int, address: str = "10.0.0.1") -> None:
    for _ in range(times):
        response, _client = sign_in(username, "wrong-password", address)
        assert response.status_code == 200
        assert "did not match" in response.content.decode()


def test_the_attempt_after_the_limit_is_refused_even_with_the_right_password(world, clock):
    fail("office", ATTEMPTS)
    response, client = sign_in("office", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    body = response.content.decode()
    assert "Too many failed sign-ins. Try again in 15 minutes." in body
    assert response["Retry-After"] == str(LOCKOUT)


def test_fewer_failures_than_the_limit_do_not_lock(world, clock):
    fail("office", ATTEMPTS - 1)
    response, client = sign_in("office", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_lock_lifts_when_the_lockout_has_passed(world, clock):
    fail("office", ATTEMPTS)
    clock.advance(LOCKOUT - 59)
    response, _ = sign_in("office", PASSWORD)
    assert response.status_code == 429
    assert "Try again in 1 minute." in response.content.decode()
    clock.advance(59)
    response, client = sign_in("office", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_while_locked_the_password_is_not_even_checked(world, clock, monkeypatch):
    fail("office", ATTEMPTS)
    calls = []
    monkeypatch.setattr(
        "django.contrib.auth.forms.authenticate", lambda *a, **k: calls.append(k) or None
    )
    response, _ = sign_in("office", PASSWORD)
    assert response.status_code == 429
    assert calls == []


def test_other_users_are_not_affected(world, clock):
    fail("office", ATTEMPTS)
    response, client = sign_in("finance", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)
    assert sign_in("office", PASSWORD)[0].status_code == 429


def test_the_user_name_is_matched_without_case(world, clock):
    fail("OFFICE", ATTEMPTS)
    assert sign_in("office", PASSWORD)[0].status_code == 429


def test_a_success_clears_the_failures(world, clock):
    fail("office", ATTEMPTS - 1)
    assert sign_in("office", PASSWORD)[0].status_code == 302
    fail("office", ATTEMPTS - 1)
    assert sign_in("office", PASSWORD)[0].status_code == 302


def test_failures_older_than_the_window_are_forgotten(world, clock):
    fail("office", ATTEMPTS - 1)
    clock.advance(WINDOW + 1)
    fail("office", ATTEMPTS - 1)
    assert sign_in("office", PASSWORD)[0].status_code == 302


def test_one_address_guessing_many_names_is_locked(world, clock):
    names = ["head", "deputy", "finance", "auditor", "bidder", "norole"]
    for name in names[:IP_ATTEMPTS]:
        fail(name, 1, address="10.9.9.9")
    # Each name failed once only, but the address is locked, for every name.
    response, client = sign_in("office", PASSWORD, address="10.9.9.9")
    assert response.status_code == 429
    assert not signed_in(client)
    # Another address signs in as usual.
    assert sign_in("office", PASSWORD, address="10.0.0.2")[0].status_code == 302
    clock.advance(LOCKOUT)
    assert sign_in("office", PASSWORD, address="10.9.9.9")[0].status_code == 302


def test_the_client_address_can_come_from_a_trusted_proxy_header(world, clock, settings):
    settings.PANHUO["LOGIN_THROTTLE"]["CLIENT_IP_HEADER"] = "HTTP_X_FORWARDED_FOR"
    for name in ["head", "deputy", "finance", "auditor", "bidder", "norole"]:
        Client(REMOTE_ADDR="10.0.0.254").post(
            "/login/",
            {"username": name, "password": "wrong"},
            headers={"X-Forwarded-For": "1.2.3.4, 192.0.2.7"},
        )
    proxied = Client(REMOTE_ADDR="10.0.0.254")
    blocked = proxied.post(
        "/login/",
        {"username": "office", "password": PASSWORD},
        headers={"X-Forwarded-For": "192.0.2.7"},
    )
    assert blocked.status_code == 429
    other = proxied.post(
        "/login/",
        {"username": "office", "password": PASSWORD},
        headers={"X-Forwarded-For": "192.0.2.8"},
    )
    assert other.status_code == 302


def test_the_message_is_translated(world, clock):
    fail("office", ATTEMPTS)
    client = Client(REMOTE_ADDR="10.0.0.1", headers={"Accept-Language": "zh-hans"})
    response = client.post("/login/", {"username": "office", "password": PASSWORD})
    assert response.status_code == 429
    with translation.override("zh-hans"):
        expected = translation.ngettext(
            "Too many failed sign-ins. Try again in %(minutes)d minute.",
            "Too many failed sign-ins. Try again in %(minutes)d minutes.",
            15,
        ) % {"minutes": 15}
    assert "Too many" not in expected
    assert expected in response.content.decode()


# --- API tokens ----------------------------------------------------------------------------


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def test_wrong_api_tokens_lock_the_address(world, clock):
    _token, key = api_token_create(actor=world.user("office"), user=world.user("office"), name="t")
    script = Client(REMOTE_ADDR="10.5.5.5")
    for n in range(IP_ATTEMPTS):
        assert script.get("/api/v1/me", headers=bearer(f"wrong-{n}")).status_code == 401
    refused = script.get("/api/v1/me", headers=bearer(key))
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(LOCKOUT)
    assert "Too many failed attempts" in refused.json()["detail"]
    # Another address with the right token is served; the locked one again after the lockout.
    assert Client(REMOTE_ADDR="10.5.5.6").get("/api/v1/me", headers=bearer(key)).status_code == 200
    clock.advance(LOCKOUT)
    assert script.get("/api/v1/me", headers=bearer(key)).status_code == 200


def test_right_api_tokens_are_never_counted(world, clock):
    _token, key = api_token_create(actor=world.user("office"), user=world.user("office"), name="t")
    script = Client(REMOTE_ADDR="10.5.5.5")
    for _ in range(IP_ATTEMPTS * 2):
        assert script.get("/api/v1/me", headers=bearer(key)).status_code == 200


def test_caches_without_the_throttle_alias_fall_back_to_the_default(world, clock, settings):
    """A deployment (or a test) whose CACHES lacks the configured alias still serves tokens."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _token, key = api_token_create(actor=world.user("office"), user=world.user("office"), name="t")
    assert Client().get("/api/v1/me", headers=bearer(key)).status_code == 200
    fail("office", ATTEMPTS)
    assert sign_in("office", PASSWORD)[0].status_code == 429


def test_a_lock_on_a_name_holds_only_for_the_address_that_failed(world, clock):
    """OWASP ASVS V2.2.1: the throttle must not let anyone lock a user out. The name is locked
    for the address that failed; the user signs in from their own address as usual."""
    fail("office", ATTEMPTS, address="10.0.0.66")
    assert sign_in("office", PASSWORD, address="10.0.0.66")[0].status_code == 429
    response, client = sign_in("office", PASSWORD, address="10.0.0.2")
    assert response.status_code == 302 and signed_in(client)


def test_failing_on_purpose_from_many_addresses_never_locks_the_user_out(world, clock):
    for n in range(4):
        fail("office", ATTEMPTS, address=f"10.1.0.{n}")
    for n in range(4):
        assert sign_in("office", PASSWORD, address=f"10.1.0.{n}")[0].status_code == 429
    assert sign_in("office", PASSWORD, address="10.2.0.1")[0].status_code == 302
