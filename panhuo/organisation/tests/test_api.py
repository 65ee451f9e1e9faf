"""Who am I, jurisdictions and units, API tokens: every role; token and session authentication."""

import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from panhuo.core.tests.api_support import (
    ANON,
    CALLERS,
    NO_ROLE,
    READERS_A,
    READERS_B,
    UNIT_OFFICERS,
    USERS,
    build_api_world,
    call,
    check,
    client_for,
    each,
    expect,
    fingerprint,
)
from panhuo.core.tests.per_caller import per_caller
from panhuo.integrity.models import AuditEntry
from panhuo.organisation import policy
from panhuo.organisation.models import ApiToken
from panhuo.organisation.services import api_token_create, api_token_revoke
from panhuo.register.models import Asset

ORG_READERS = READERS_A | READERS_B | UNIT_OFFICERS


@pytest.fixture
def aw(world):
    return build_api_world(world)


def names(response, key="code"):
    return {row[key] for row in response.json()["results"]}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# --- Every endpoint × every caller --------------------------------------------------------------


@per_caller(CALLERS)
def test_me(aw, who):
    r = check(aw, who, "GET", "/api/v1/me", expected=expect(200))
    if r.status_code == 200:
        body = r.json()
        assert body["username"] == who
        roles = {(x["role"], x["jurisdiction"]["name"]) for x in body["roles"]}
        assert roles == {
            (g.role.value, aw.w.user(who).assignments.get(role=g.role).jurisdiction.name)
            for g in policy.grants(aw.w.user(who))
        }
        assert ("asset.create" in body["permissions"]) == (
            who
            in {"office", "office2", "unit_officer", "other_unit_officer"}
            | {"outsider_office", "outsider_unit_officer"}
        )
        if who == "unit_officer":
            assert body["roles"][0]["unit"] == {"id": aw.w.unit.pk, "name": aw.w.unit.name}


@per_caller(CALLERS)
def test_jurisdiction_list(aw, who):
    r = check(
        aw, who, "GET", "/api/v1/jurisdictions", expected=expect(403, **each(ORG_READERS, 200))
    )
    if r.status_code == 200:
        codes = names(r)
        assert ("D1" in codes) == (who in READERS_A | {"unit_officer", "other_unit_officer"})
        assert ("D2" in codes) == (who in READERS_B | {"outsider_unit_officer", "supervisor"})
        assert "P1" not in codes  # nobody holds a role at the province


@per_caller(CALLERS)
def test_unit_list(aw, who):
    r = check(aw, who, "GET", "/api/v1/units", expected=expect(403, **each(ORG_READERS, 200)))
    if r.status_code == 200:
        codes = names(r)
        expected = {
            "unit_officer": {"U1"},
            "other_unit_officer": {"U2"},
            "outsider_unit_officer": {"U3"},
            "supervisor": {"U1", "U2", "U3"},
        }.get(who, {"U1", "U2"} if who in READERS_A else {"U3"})
        assert codes == expected


@per_caller(CALLERS)
def test_token_list(aw, who):
    mine = None
    if who != ANON:
        mine, _ = api_token_create(actor=aw.w.user(who), user=aw.w.user(who), name="mine")
    api_token_create(actor=aw.w.user("head"), user=aw.w.user("head"), name="the head's")
    r = check(aw, who, "GET", "/api/v1/tokens", expected=expect(200))
    if r.status_code == 200:
        listed = {t["id"] for t in r.json()["results"]}
        assert mine.pk in listed
        assert listed == set(
            ApiToken.objects.filter(user__username=who).values_list("pk", flat=True)
        )
        assert "key" not in r.json()["results"][0] and "key_hash" not in r.json()["results"][0]


@per_caller(CALLERS)
def test_token_create(aw, who):
    r = check(aw, who, "POST", "/api/v1/tokens", {"name": "nightly export"}, expected=expect(201))
    if r.status_code == 201:
        key = r.json()["key"]
        token = ApiToken.objects.get(pk=r.json()["id"])
        assert token.user.username == who
        assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert key not in str(list(ApiToken.objects.values()))  # only the hash is stored
        entry = AuditEntry.objects.order_by("-seq").first()
        assert (entry.action, entry.actor_name) == ("api_token.create", who)
        assert key not in str(entry.after)


@per_caller(CALLERS)
def test_token_revoke(aw, who):
    """Each caller tries to revoke the head's token: only the head may."""
    token, _ = api_token_create(actor=aw.w.user("head"), user=aw.w.user("head"), name="t")
    status = expect(404, head=204)
    check(aw, who, "DELETE", f"/api/v1/tokens/{token.pk}", expected=status)
    assert ApiToken.objects.filter(pk=token.pk).exists() == (who != "head")


# --- Token authentication -----------------------------------------------------------------------


def test_valid_token_authenticates_and_is_noted(aw):
    token, key = api_token_create(actor=aw.w.user("office"), user=aw.w.user("office"), name="s")
    assert token.last_used_at is None
    r = Client().get("/api/v1/me", headers=bearer(key))
    assert r.status_code == 200 and r.json()["username"] == "office"
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at <= timezone.now()


@pytest.mark.parametrize(
    "header",
    ["Bearer wrong", "Bearer ", "Bearer phk_" + "x" * 43, "Bearer " + "y" * 5000],
)
def test_wrong_token_is_401(aw, header):
    api_token_create(actor=aw.w.user("office"), user=aw.w.user("office"), name="s")
    r = Client().get("/api/v1/assets", headers={"Authorization": header})
    assert r.status_code == 401
    assert r["WWW-Authenticate"].startswith("Bearer")
    assert "detail" in r.json()


def test_wrong_token_does_not_fall_back_to_the_session(aw):
    """A script that sends a bad token is told so, even from a signed-in browser."""
    r = client_for(aw.w, "office").get("/api/v1/me", headers=bearer("not-a-key"))
    assert r.status_code == 401


def test_revoked_token_is_401(aw):
    token, key = api_token_create(actor=aw.w.user("office"), user=aw.w.user("office"), name="s")
    assert Client().get("/api/v1/me", headers=bearer(key)).status_code == 200
    r = Client().delete(f"/api/v1/tokens/{token.pk}", headers=bearer(key))
    assert r.status_code == 204
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert AuditEntry.objects.order_by("-seq").first().action == "api_token.revoke"
    assert Client().get("/api/v1/me", headers=bearer(key)).status_code == 401


def test_token_of_a_deactivated_user_is_401(aw):
    user = aw.w.user("office")
    _, key = api_token_create(actor=user, user=user, name="s")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert Client().get("/api/v1/me", headers=bearer(key)).status_code == 401


def test_token_cannot_mint_tokens(aw):
    """Creating a key needs the browser session, so a leaked key cannot make more."""
    _, key = api_token_create(actor=aw.w.user("office"), user=aw.w.user("office"), name="s")
    before = fingerprint()
    r = call(Client(), "POST", "/api/v1/tokens", {"name": "more"}, **bearer(key))
    assert r.status_code == 401
    assert fingerprint() == before


def test_token_sees_what_its_user_sees(aw):
    _, key = api_token_create(
        actor=aw.w.user("unit_officer"), user=aw.w.user("unit_officer"), name="s"
    )
    r = Client().get("/api/v1/assets", headers=bearer(key))
    seen = {a["id"] for a in r.json()["results"]}
    assert seen == set(Asset.objects.filter(unit=aw.w.unit).values_list("pk", flat=True))
    assert aw.asset.pk in seen and aw.asset2.pk not in seen
    assert Client().get(f"/api/v1/assets/{aw.asset2.pk}", headers=bearer(key)).status_code == 404


# --- CSRF: enforced for the session, not needed with a token -------------------------------------


def test_session_writes_need_the_csrf_token(aw):
    client = Client(enforce_csrf_checks=True)
    client.force_login(aw.w.user("office"))
    before = fingerprint()
    r = call(client, "POST", "/api/v1/tokens", {"name": "no csrf"})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    r = call(client, "PATCH", f"/api/v1/assets/{aw.asset.pk}", {"name": "no csrf"})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    assert fingerprint() == before
    # Reads need no CSRF token.
    assert client.get("/api/v1/me").status_code == 200
    # With the token from the cookie that any page sets (as the page script sends it), the
    # write goes through.
    assert client.get("/api/v1/docs").status_code == 200
    csrf = client.cookies["csrftoken"].value
    r = call(client, "POST", "/api/v1/tokens", {"name": "with csrf"}, **{"X-CSRFToken": csrf})
    assert r.status_code == 201


def test_token_writes_are_exempt_from_csrf(aw):
    _, key = api_token_create(actor=aw.w.user("office"), user=aw.w.user("office"), name="s")
    client = Client(enforce_csrf_checks=True)
    r = call(client, "PATCH", f"/api/v1/assets/{aw.asset.pk}", {"name": "by script"}, **bearer(key))
    assert r.status_code == 200 and r.json()["name"] == "by script"


def test_anonymous_write_is_401_not_a_csrf_error(aw):
    before = fingerprint()
    r = call(Client(enforce_csrf_checks=True), "POST", "/api/v1/assets", {"name": "x"})
    assert r.status_code == 401
    assert fingerprint() == before


# --- Token services -------------------------------------------------------------------------------


def test_tokens_are_made_and_revoked_for_oneself_only(aw):
    head, office = aw.w.user("head"), aw.w.user("office")
    before = fingerprint()
    with pytest.raises(policy.NotPermitted):
        api_token_create(actor=office, user=head, name="for the boss")
    token, _ = api_token_create(actor=head, user=head, name="mine")
    after_create = fingerprint()
    with pytest.raises(policy.NotPermitted):
        api_token_revoke(actor=office, token=token)
    assert fingerprint() == after_create
    assert after_create["organisation.ApiToken"] == before["organisation.ApiToken"] + 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "a", "user": 1}, "user"),
    ],
)
def test_bad_token_request_is_named(aw, body, field):
    before = fingerprint()
    r = call(client_for(aw.w, "office"), "POST", "/api/v1/tokens", body)
    assert r.status_code == 422 and field in r.json()["errors"]
    assert fingerprint() == before


def test_every_user_is_covered():
    assert set(USERS) >= NO_ROLE | READERS_A | READERS_B | UNIT_OFFICERS
