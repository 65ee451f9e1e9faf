"""Pages of approvals: every page and form, every user; refused posts change nothing."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from panhuo.approvals import services as aps
from panhuo.approvals.models import ApprovalChain, ApprovalRequest, Delegation
from panhuo.approvals.tests.support import approval_fingerprint
from panhuo.core.tests.api_support import (
    NO_ROLE,
    READERS_A,
    READERS_B,
    UNIT_OFFICERS,
    USERS,
    client_for,
    fingerprint,
)
from panhuo.core.tests.per_caller import per_caller

pytestmark = pytest.mark.django_db

DECIDERS_A = {"head", "deputy", "deputy2"}
TASK_FORCE_A = DECIDERS_A | {"office", "office2"}
TASK_FORCE_B = {"outsider_head", "outsider_deputy", "outsider_office"}
SEES = READERS_A | READERS_B | UNIT_OFFICERS


def table(default: int, **groups) -> dict[str, int]:
    """``table(403, ok=(names, 200), ...)``: a status for every user."""
    out = dict.fromkeys(USERS, default)
    for names, status in groups.values():
        out.update(dict.fromkeys(names, status))
    return out


def _state():
    return {**fingerprint(), **approval_fingerprint()}


def _check(rec, who, method, url, data=None, *, expected):
    before = _state() if method == "post" else None
    response = getattr(client_for(rec.w, who), method)(url, data or {})
    assert response.status_code == expected[who], (who, response.status_code)
    if before is not None and expected[who] >= 400:
        assert _state() == before, f"{who}: a refused post to {url} changed data"
    return response


def test_pages_need_a_sign_in(rec):
    for url in [
        "/approvals/",
        "/approvals/requests/",
        f"/approvals/{rec.big.pk}/",
        "/approvals/chains/",
        "/approvals/delegations/",
    ]:
        r = Client().get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/"), url


@per_caller(USERS)
def test_inbox_page(rec, who):
    r = _check(rec, who, "get", "/approvals/", expected=table(403, ok=(SEES, 200)))
    if r.status_code == 200:
        html = r.content.decode()
        shown = rec.big.object_repr in html
        assert shown == (who in DECIDERS_A | {"office2"}), who
        if who == "office2":
            assert "for " in html and str(rec.w.user("head")) in html


@per_caller(USERS)
def test_request_list_and_export(rec, who):
    r = _check(
        rec,
        who,
        "get",
        "/approvals/requests/?status=pending&sort=-amount",
        expected=table(403, ok=(SEES, 200)),
    )
    if r.status_code == 200:
        assert (rec.big.object_repr in r.content.decode()) == (who in READERS_A)
    r = _check(
        rec, who, "get", "/approvals/requests/export.csv", expected=table(403, ok=(SEES, 200))
    )
    if r.status_code == 200:
        text = b"".join(r.streaming_content).decode("utf-8-sig")
        assert text.splitlines()[0].startswith("Id,Purpose,Object")
        assert (rec.big.object_repr in text) == (who in READERS_A)


@per_caller(USERS)
def test_request_detail(rec, who):
    expected = table(404, none=(NO_ROLE, 403), ok=(READERS_A, 200))
    r = _check(rec, who, "get", f"/approvals/{rec.big.pk}/", expected=expected)
    if r.status_code == 200:
        html = r.content.decode()
        assert (f'action="/approvals/{rec.big.pk}/decide/"' in html) == (
            who in DECIDERS_A | {"office2"}
        )
        if who == "office":
            assert "requester cannot decide" in html
    own = table(404, none=(NO_ROLE, 403), ok=(READERS_A | {"unit_officer"}, 200))
    _check(rec, who, "get", f"/approvals/{rec.unit_req.pk}/", expected=own)


@per_caller(USERS)
def test_decide(rec, who):
    expected = table(
        404,
        none=(NO_ROLE, 403),
        ok=(DECIDERS_A | {"office2"}, 302),
        denied=({"office", "finance", "auditor", "supervisor"}, 403),
    )
    url = f"/approvals/{rec.big.pk}/decide/"
    data = {"approve": "1", "comment": "Checked", "next": "/approvals/"}
    r = _check(rec, who, "post", url, data, expected=expected)
    if r.status_code == 302:
        assert r["Location"] == "/approvals/"
        rec.big.refresh_from_db()
        assert rec.big.current_step == 2
        d = rec.big.decisions.get()
        assert d.actor.username == who and d.comment == "Checked"


def test_reject_needs_a_comment_and_foreign_next_is_ignored(rec):
    head = client_for(rec.w, "head")
    before = _state()
    r = head.post(f"/approvals/{rec.big.pk}/decide/", {"reject": "1", "comment": ""})
    assert r.status_code == 400 and "A rejection needs a written reason." in r.content.decode()
    assert _state() == before
    r = head.post(
        f"/approvals/{rec.big.pk}/decide/",
        {"reject": "1", "comment": "Too cheap", "next": "https://evil.example/"},
    )
    assert r.status_code == 302 and r["Location"] == f"/approvals/{rec.big.pk}/"
    rec.big.refresh_from_db()
    assert rec.big.status == "rejected"


def test_a_stale_version_is_refused_with_a_message(rec):
    head = client_for(rec.w, "head")
    r = head.post(f"/approvals/{rec.big.pk}/decide/", {"approve": "1", "version": "7"}, follow=True)
    assert "moved on" in r.content.decode()
    assert not rec.big.decisions.exists()


@per_caller(USERS)
def test_withdraw(rec, who):
    expected = table(
        404,
        none=(NO_ROLE, 403),
        ok=(TASK_FORCE_A, 302),
        denied=({"finance", "auditor", "supervisor"}, 403),
    )
    _check(
        rec,
        who,
        "post",
        f"/approvals/{rec.small.pk}/withdraw/",
        {"reason": "Later"},
        expected=expected,
    )
    rec.small.refresh_from_db()
    assert (rec.small.status == "withdrawn") == (expected[who] == 302)


@per_caller(USERS)
def test_chain_pages(rec, who):
    readers = READERS_A | READERS_B
    r = _check(
        rec,
        who,
        "get",
        "/approvals/chains/?sort=-min_amount&purpose=review",
        expected=table(403, ok=(readers, 200)),
    )
    if r.status_code == 200:
        assert ("Large: then the head" in r.content.decode()) == (who in READERS_A)
    _check(
        rec,
        who,
        "get",
        "/approvals/chains/new/",
        expected=table(403, ok=(TASK_FORCE_A | TASK_FORCE_B, 200)),
    )
    _check(
        rec,
        who,
        "get",
        f"/approvals/chains/{rec.chain.pk}/",
        expected=table(403, ok=(TASK_FORCE_A, 200), b=(READERS_B, 404)),
    )


def _chain_post(w, **extra):
    return {
        "jurisdiction": w.district.pk,
        "purpose": "disposal",
        "channel": "auction",
        "min_amount": "50,000,000",
        "name": "Large auctions",
        "step_1": ["deputy"],
        "step_3": ["head"],
        **extra,
    }


@per_caller(USERS)
def test_chain_create(rec, who):
    expected = table(403, ok=(TASK_FORCE_A, 302), b=(TASK_FORCE_B, 400))
    _check(rec, who, "post", "/approvals/chains/new/", _chain_post(rec.w), expected=expected)
    made = ApprovalChain.objects.filter(name="Large auctions").first()
    assert (made is not None) == (expected[who] == 302)
    if made:
        assert made.step_roles() == [["deputy"], ["head"]] and made.channel == "auction"


def test_chain_form_errors(rec):
    office = client_for(rec.w, "office")
    before = _state()
    r = office.post("/approvals/chains/new/", _chain_post(rec.w, step_1=["finance"]))
    assert r.status_code == 400 and "cannot decide approvals for “Disposal”" in r.content.decode()
    r = office.post("/approvals/chains/new/", _chain_post(rec.w, step_1=[], step_3=[]))
    assert r.status_code == 400
    assert _state() == before


def _free(rec):
    """Withdraw the request under way on the large chain, so the chain may change."""
    aps.approval_withdraw(actor=rec.w.user("office"), request=rec.big)


def test_a_chain_with_requests_under_way_is_not_changed(rec):
    head = client_for(rec.w, "head")
    data = {
        "jurisdiction": rec.w.district.pk,
        "purpose": "review",
        "channel": "",
        "min_amount": "20000000",
        "name": "Renamed",
        "step_1": ["head"],
        "version": rec.chain.version,
    }
    r = head.post(f"/approvals/chains/{rec.chain.pk}/", data)
    html = r.content.decode()
    assert r.status_code == 400 and "approval_chain_in_use" in html and f"#{rec.big.pk}" in html
    r = head.post(f"/approvals/chains/{rec.chain.pk}/delete/", follow=True)
    assert r.status_code == 200 and "approval_chain_in_use" in r.content.decode()
    rec.chain.refresh_from_db()
    assert rec.chain.name != "Renamed" and rec.chain.version == 1


@per_caller(USERS)
def test_chain_edit(rec, who):
    _free(rec)
    expected = table(403, ok=(TASK_FORCE_A, 302), b=(READERS_B, 404))
    data = {
        "jurisdiction": rec.w.district.pk,
        "purpose": "review",
        "channel": "",
        "min_amount": "20000000",
        "name": "Renamed",
        "step_1": ["head"],
        "version": rec.chain.version,
    }
    _check(rec, who, "post", f"/approvals/chains/{rec.chain.pk}/", data, expected=expected)
    rec.chain.refresh_from_db()
    assert (rec.chain.name == "Renamed") == (expected[who] == 302)


def test_chain_edit_conflict(rec):
    head = client_for(rec.w, "head")
    data = {
        "jurisdiction": rec.w.district.pk,
        "purpose": "review",
        "channel": "",
        "min_amount": "1",
        "step_1": ["head"],
        "version": 99,
    }
    r = head.post(f"/approvals/chains/{rec.chain.pk}/", data)
    assert r.status_code == 400 and "changed by someone else" in r.content.decode()


@per_caller(USERS)
def test_chain_delete(rec, who):
    _free(rec)
    expected = table(403, ok=(TASK_FORCE_A, 302), b=(TASK_FORCE_B, 404))
    _check(rec, who, "post", f"/approvals/chains/{rec.chain.pk}/delete/", expected=expected)
    assert ApprovalChain.objects.filter(pk=rec.chain.pk).exists() == (expected[who] != 302)


@per_caller(USERS)
def test_delegation_page(rec, who):
    r = _check(rec, who, "get", "/approvals/delegations/", expected=table(403, ok=(SEES, 200)))
    if r.status_code == 200:
        html = r.content.decode()
        assert ('name="to_user"' in html) == (
            who in TASK_FORCE_A | TASK_FORCE_B | {"finance", "outsider_finance"}
        )
        assert ("In force" in html) == (who in READERS_A | {"office2"})


@per_caller(USERS)
def test_delegation_create(rec, who):
    can_delegate = TASK_FORCE_A | {"finance"}
    expected = table(403, ok=(can_delegate, 302), b=(TASK_FORCE_B | {"outsider_finance"}, 400))
    now = timezone.localtime()
    to = rec.w.user("deputy" if who == "deputy2" else "deputy2")
    data = {
        "to_user": to.pk,
        "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "purposes": ["disposal"],
        "reason": "Leave",
    }
    _check(rec, who, "post", "/approvals/delegations/", data, expected=expected)
    made = Delegation.objects.filter(reason="Leave").first()
    assert (made is not None) == (expected[who] == 302)
    if made:
        assert made.from_user.username == who and timezone.is_aware(made.starts_at)


@per_caller(USERS)
def test_delegation_revoke(rec, who):
    expected = table(403, ok=({"head"}, 302), b=(TASK_FORCE_B | {"outsider_finance"}, 404))
    _check(
        rec, who, "post", f"/approvals/delegations/{rec.delegation.pk}/revoke/", expected=expected
    )
    rec.delegation.refresh_from_db()
    assert (rec.delegation.revoked_at is not None) == (expected[who] == 302)


def test_nav_shows_approvals_to_readers_only(rec):
    r = client_for(rec.w, "head").get("/approvals/")
    assert 'href="/approvals/"' in r.content.decode()
    r = client_for(rec.w, "auditor").get("/approvals/")
    assert 'href="/approvals/chains/"' in r.content.decode()
    assert ApprovalRequest.objects.count() == 4
