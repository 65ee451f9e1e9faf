"""API of approvals: every endpoint, every caller; refused writes change nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from panhuo.approvals import services as aps
from panhuo.approvals.models import ApprovalChain
from panhuo.approvals.tests.support import approval_fingerprint
from panhuo.core.tests.api_support import (
    ANON,
    CALLERS,
    NO_ROLE,
    READERS_A,
    READERS_B,
    UNIT_OFFICERS,
    call,
    client_for,
    each,
    expect,
    fingerprint,
)
from panhuo.core.tests.per_caller import per_caller

pytestmark = pytest.mark.django_db

DECIDERS_A = {"head", "deputy", "deputy2"}
TASK_FORCE_A = DECIDERS_A | {"office", "office2"}
TASK_FORCE_B = {"outsider_head", "outsider_deputy", "outsider_office"}


def _state():
    return {**fingerprint(), **approval_fingerprint()}


def _check(rec, who, method, url, body=None, *, expected):
    before = _state() if method != "get" else None
    response = call(client_for(rec.w, who), method, url, body)
    assert response.status_code == expected[who], (who, response.status_code, response.content)
    if before is not None and expected[who] >= 400:
        assert _state() == before, f"{who}: a refused {method} {url} changed data"
    if expected[who] >= 400:
        assert "detail" in response.json()
    return response


SEES_A_LIST = READERS_A | READERS_B | UNIT_OFFICERS


@per_caller(CALLERS)
def test_request_list(rec, who):
    r = _check(rec, who, "get", "/api/v1/approvals", expected=expect(403, **each(SEES_A_LIST, 200)))
    if who == ANON or r.status_code != 200:
        return
    ids = {x["id"] for x in r.json()["results"]}
    if who == "supervisor":  # the city: both districts
        assert ids == {rec.small.pk, rec.big.pk, rec.unit_req.pk, rec.b_req.pk}
    elif who in READERS_A:
        assert ids == {rec.small.pk, rec.big.pk, rec.unit_req.pk}
    elif who in READERS_B:
        assert ids == {rec.b_req.pk}
    elif who == "unit_officer":
        assert ids == {rec.unit_req.pk}  # their own request only
    else:
        assert ids == set()


INBOX = {
    "head": 3,
    "deputy": 3,
    "deputy2": 3,
    "office2": 3,  # as the head's delegate
    "office": 0,  # asked for two of them, and decides no price exception
    "outsider_head": 1,
    "outsider_deputy": 1,
}


@per_caller(CALLERS)
def test_inbox(rec, who):
    r = _check(
        rec,
        who,
        "get",
        "/api/v1/approvals?mine=true",
        expected=expect(403, **each(SEES_A_LIST, 200)),
    )
    if r.status_code == 200:
        assert r.json()["count"] == INBOX.get(who, 0), r.json()


@per_caller(CALLERS)
def test_request_detail(rec, who):
    expected = expect(404, **each(NO_ROLE, 403), **each(READERS_A, 200))
    r = _check(rec, who, "get", f"/api/v1/approvals/{rec.big.pk}", expected=expected)
    if r.status_code == 200:
        body = r.json()
        assert (
            body["steps"] == [["deputy", "head"], ["finance", "head"]]
            and body["amount"] == "20000000.00"
        )
        assert body["can_decide"] == (who in DECIDERS_A | {"office2"})
        assert body["decide_as"] == (rec.w.user("head").pk if who == "office2" else None)
    # A unit officer sees the request they made.
    expected_own = expect(404, **each(NO_ROLE, 403), **each(READERS_A | {"unit_officer"}, 200))
    _check(rec, who, "get", f"/api/v1/approvals/{rec.unit_req.pk}", expected=expected_own)


@per_caller(CALLERS)
def test_decide(rec, who):
    expected = expect(
        403,
        **each(DECIDERS_A | {"office2"}, 200),
        **each({"outsider_head", "outsider_deputy", "outsider_office", "outsider_finance"}, 404),
    )
    url = f"/api/v1/approvals/{rec.big.pk}/decision"
    r = _check(rec, who, "post", url, {"approve": True, "comment": "ok"}, expected=expected)
    if r.status_code == 200:
        body = r.json()
        assert body["current_step"] == 2 and body["status"] == "pending"
        d = body["decisions"][0]
        assert d["actor_name"] == who
        assert d["on_behalf_of_name"] == ("head" if who == "office2" else None)


def test_decide_refusals_name_the_rule(rec):
    head = client_for(rec.w, "head")
    url = f"/api/v1/approvals/{rec.big.pk}/decision"
    r = call(head, "post", url, {"approve": False, "comment": ""})
    assert r.status_code == 400 and "comment" in r.json()["errors"]
    r = call(head, "post", url, {"approve": True, "version": 99})
    assert r.status_code == 409
    assert call(head, "post", url, {"approve": True}).status_code == 200
    r = call(head, "post", url, {"approve": True})
    assert r.status_code == 403 and "already decided" in r.json()["detail"]
    r = call(client_for(rec.w, "deputy"), "post", url, {"approve": True})
    assert r.status_code == 403 and "Step 2" in r.json()["detail"]
    r = call(head, "post", url, {"approve": "maybe"})
    assert r.status_code == 422
    assert (
        call(head, "post", "/api/v1/approvals/999999/decision", {"approve": True}).status_code
        == 404
    )


@per_caller(CALLERS)
def test_withdraw(rec, who):
    expected = expect(
        404,
        **each(NO_ROLE, 403),
        **each(TASK_FORCE_A, 200),
        **each({"finance", "auditor", "supervisor"}, 403),
    )
    url = f"/api/v1/approvals/{rec.small.pk}/withdraw"
    r = _check(rec, who, "post", url, {"reason": "Later"}, expected=expected)
    if r.status_code == 200:
        assert r.json()["status"] == "withdrawn"


@per_caller(CALLERS)
def test_chain_list(rec, who):
    expected = expect(403, **each(READERS_A | READERS_B, 200))
    r = _check(rec, who, "get", "/api/v1/approval-chains?ordering=-min_amount", expected=expected)
    if r.status_code == 200:
        rows = r.json()["results"]
        if who in READERS_A:
            assert [x["min_amount"] for x in rows] == ["10000000.00", "0.00"]
            assert rows[0]["steps"] == [["deputy", "head"], ["finance", "head"]]
        else:
            assert rows == []


@per_caller(CALLERS)
def test_chain_set(rec, who):
    expected = expect(403, **each(TASK_FORCE_A, 201), **each(TASK_FORCE_B, 404))
    body = {
        "jurisdiction": rec.w.district.pk,
        "purpose": "disposal",
        "channel": "auction",
        "min_amount": "5000000",
        "steps": [["deputy"], ["head"]],
    }
    r = _check(rec, who, "post", "/api/v1/approval-chains", body, expected=expected)
    if r.status_code == 201:
        assert r.json()["steps"] == [["deputy"], ["head"]] and r.json()["channel"] == "auction"
        body["steps"] = [["head"]]
        again = call(client_for(rec.w, who), "post", "/api/v1/approval-chains", body)
        assert again.status_code == 200 and again.json()["version"] == 2


def test_chain_set_errors_name_the_field(rec):
    head = client_for(rec.w, "head")
    base = {"jurisdiction": rec.w.district.pk, "purpose": "disposal", "steps": [["head"]]}
    for patch, field, status in [
        ({"purpose": "lunch"}, "purpose", 400),
        ({"steps": [["auditor"]]}, "steps", 400),
        ({"channel": "barter"}, "channel", 400),
        ({"min_amount": "-5"}, "min_amount", 422),
        ({"min_amount": 1.5}, "min_amount", 422),
        ({"steps": []}, "steps", 422),
        ({"jurisdiction": rec.w.other_district.pk}, "jurisdiction", 404),
    ]:
        r = call(head, "post", "/api/v1/approval-chains", {**base, **patch})
        assert r.status_code == status, (patch, r.content)
        assert field in r.json()["errors"], (patch, r.json())


def test_a_chain_with_requests_under_way_is_refused_naming_them(rec):
    head = client_for(rec.w, "head")
    r = call(head, "delete", f"/api/v1/approval-chains/{rec.chain.pk}")
    body = r.json()
    assert r.status_code == 400 and body["gate"]["rule"] == "approval_chain_in_use"
    assert body["gate"]["field"] == "steps" and f"#{rec.big.pk}" in body["errors"]["steps"][0]
    assert ApprovalChain.objects.filter(pk=rec.chain.pk).exists()


@per_caller(CALLERS)
def test_chain_delete(rec, who):
    aps.approval_withdraw(actor=rec.w.user("office"), request=rec.big)  # frees the chain
    expected = expect(403, **each(TASK_FORCE_A, 204), **each(TASK_FORCE_B, 404))
    _check(rec, who, "delete", f"/api/v1/approval-chains/{rec.chain.pk}", expected=expected)
    assert ApprovalChain.objects.filter(pk=rec.chain.pk).exists() == (expected[who] != 204)


@per_caller(CALLERS)
def test_delegation_list(rec, who):
    r = _check(
        rec, who, "get", "/api/v1/delegations", expected=expect(403, **each(SEES_A_LIST, 200))
    )
    if r.status_code == 200:
        ids = [x["id"] for x in r.json()["results"]]
        sees = who in READERS_A or who == "office2"
        assert ids == ([rec.delegation.pk] if sees else [])


@per_caller(CALLERS)
def test_delegation_new(rec, who):
    expected = expect(
        403,
        **each(TASK_FORCE_A | {"finance"}, 201),
        **each({"outsider_head", "outsider_deputy", "outsider_office", "outsider_finance"}, 400),
    )
    now = timezone.now()
    body = {
        "to_user": "deputy" if who == "deputy2" else "deputy2",
        "starts_at": now.isoformat(),
        "ends_at": (now + dt.timedelta(days=2)).isoformat(),
        "purposes": ["disposal"],
        "reason": "Conference",
    }
    r = _check(rec, who, "post", "/api/v1/delegations", body, expected=expected)
    if r.status_code == 201:
        assert r.json()["from_user_name"] == who and r.json()["purposes"] == ["disposal"]
    if r.status_code == 400:
        assert "to_user" in r.json()["errors"]


def test_delegation_new_errors(rec):
    head = client_for(rec.w, "head")
    now = timezone.now()
    body = {"to_user": "office", "starts_at": now.isoformat(), "ends_at": now.isoformat()}
    r = call(head, "post", "/api/v1/delegations", body)
    assert r.status_code == 400 and "ends_at" in r.json()["errors"]
    r = call(head, "post", "/api/v1/delegations", {**body, "to_user": "ghost"})
    assert r.status_code == 404 and "to_user" in r.json()["errors"]
    r = call(head, "post", "/api/v1/delegations", {**body, "starts_at": "2026-01-01T00:00"})
    assert r.status_code == 400 and "starts_at" in r.json()["errors"]


@per_caller(CALLERS)
def test_delegation_revoke(rec, who):
    expected = expect(
        403,
        head=200,
        **each(TASK_FORCE_B | {"outsider_finance"}, 404),
    )
    r = _check(
        rec, who, "post", f"/api/v1/delegations/{rec.delegation.pk}/revoke", expected=expected
    )
    if r.status_code == 200:
        assert r.json()["revoked_at"] is not None


def test_an_ended_role_no_longer_shows_its_holders_delegations(rec):
    """Readers of district A see the delegations of those who hold a role there now; once the
    head's assignment in A is ended (kept as history), their delegation is the head's and the
    delegate's alone."""
    from panhuo.approvals.models import Delegation
    from panhuo.organisation.models import RoleAssignment

    auditor, head = rec.w.user("auditor"), rec.w.user("head")
    assert Delegation.objects.visible_to(auditor).filter(pk=rec.delegation.pk).exists()
    RoleAssignment.objects.filter(user=head).update(ended_at=timezone.now())
    assert not Delegation.objects.visible_to(auditor).filter(pk=rec.delegation.pk).exists()
    assert Delegation.objects.visible_to(head).filter(pk=rec.delegation.pk).exists()
