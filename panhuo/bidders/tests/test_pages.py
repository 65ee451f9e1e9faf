"""The bidders' pages and API through HTTP: an anonymous visitor registers and lands signed in
on their account; the office verifies through its page; a bidder reaches only their own
registration and relations; refusals name the field in the reader's language; registration
is throttled per address."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from panhuo.bidders.models import Bidder, BidderStatus, DeclaredRelation
from panhuo.bidders.tests.factories import company_details, id_number, make_bidder, person_details
from panhuo.core.testing import build_world
from panhuo.organisation.models import Role, RoleAssignment, User

PASSWORD = "a-long-Pass-phrase-9"


@pytest.fixture
def w(db):
    return build_world()


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _form(w, **overrides) -> dict:
    return {
        "username": "wangfang", "password": PASSWORD, "password2": PASSWORD,
        "email": "wf@example.cn", "jurisdiction": w.district.pk,
        **person_details(), "credit_code": "", **overrides,
    }  # fmt: skip


def test_anonymous_visitor_registers_through_the_pages_and_is_signed_in(w):
    c = Client()
    page = c.get(reverse("bidder-register"))
    assert page.status_code == 200 and b"csrfmiddlewaretoken" in page.content
    assert b"Resident ID number" in page.content
    number = id_number()
    r = c.post(reverse("bidder-register"), _form(w, id_number=number))
    assert r.status_code == 302 and r["Location"] == reverse("bidder-account")
    bidder = Bidder.objects.get(id_number=number)
    assert bidder.status == BidderStatus.PENDING and bidder.user.username == "wangfang"
    account = c.get(reverse("bidder-account"))
    assert account.status_code == 200 and account.context["bidder"] == bidder
    assert b"Awaiting verification" in account.content and b'href="/public/"' in account.content
    # Signed in as the new bidder: the dashboard shows their status, not "nothing to show".
    dash = c.get(reverse("dashboard"))
    assert b'data-testid="bidder-card"' in dash.content
    assert b"Awaiting verification" in dash.content
    # The sign-in page offers the registration; a signed-in visitor is sent to their account.
    assert c.get(reverse("bidder-register"))["Location"] == reverse("bidder-account")
    assert reverse("bidder-register").encode() in Client().get(reverse("login")).content


def test_a_company_registers_and_can_then_sign_in_with_its_password(w):
    c = Client()
    code = company_details()["credit_code"]
    r = c.post(reverse("bidder-register"), _form(w, **company_details(credit_code=code),
                                                  id_number=""))  # fmt: skip
    assert r.status_code == 302
    assert Bidder.objects.get(credit_code=code).kind == "company"
    fresh = Client()
    signed = fresh.post(reverse("login"), {"username": "wangfang", "password": PASSWORD})
    assert signed.status_code == 302


def test_refusals_name_the_field_in_the_readers_language(w):
    c = Client()
    bad = _form(w, id_number="110105194912310021", password2="other", phone="")
    r = c.post(reverse("bidder-register"), bad)
    assert r.status_code == 400
    errors = r.context["form"].errors
    assert errors["id_number"] == ["Resident ID check digit does not match."]
    assert "password2" in errors and "phone" in errors
    zh = Client(headers={"accept-language": "zh-hans"})
    r = zh.post(reverse("bidder-register"), {**bad, "password2": PASSWORD, "phone": "1"})
    assert r.status_code == 400
    assert r.context["form"].errors["id_number"] == ["身份证号码校验位不符。"]
    assert "身份证号码校验位不符" in r.content.decode()
    assert not User.objects.filter(username="wangfang").exists()


@override_settings(PANHUO={**__import__("django.conf").conf.settings.PANHUO,
                           "LOGIN_THROTTLE": {"ATTEMPTS": 5, "IP_ATTEMPTS": 3, "WINDOW": 900,
                                              "LOCKOUT": 900, "CLIENT_IP_HEADER": ""}})  # fmt: skip
def test_registration_is_throttled_per_address(w):
    c = Client()
    for _ in range(3):
        assert c.post(reverse("bidder-register"), _form(w, username="")).status_code == 400
    r = c.post(reverse("bidder-register"), _form(w))
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert b"Too many registrations" in r.content
    assert not Bidder.objects.exists()
    body = {"username": "li", "password": PASSWORD, "jurisdiction": w.district.pk,
            **person_details()}  # fmt: skip
    api = Client().post("/api/v1/bidders/register", body, content_type="application/json")
    assert api.status_code == 429 and "Too many registrations" in api.json()["detail"]
    assert not Bidder.objects.exists()
    # Signing in from that address is not locked by it.
    assert (
        Client().post(reverse("login"), {"username": "office", "password": "x"}).status_code == 200
    )


def test_office_verifies_through_its_page(w):
    b = make_bidder(w.user("bidder"), w.district)
    office = client_for(w.user("office"))
    listing = office.get(reverse("bidder-list"), {"status": "pending"})
    assert listing.status_code == 200 and b.name in listing.content.decode()
    page = office.get(b.get_absolute_url())
    assert page.status_code == 200 and [t.name for t in page.context["steps"]] == [
        "verify", "reject"]  # fmt: skip
    refused = office.post(reverse("bidder-step", args=[b.pk]), {"to": "rejected"})
    assert refused.status_code == 400 and "reason" in refused.context["form"].errors
    r = office.post(reverse("bidder-step", args=[b.pk]), {"to": "verified"})
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.status == BidderStatus.VERIFIED and b.decided_by == w.user("office")
    assert "verified the bidder" in office.get(b.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("head", 403), ("auditor", 403), ("unit_officer", 403), ("bidder", 403), ("norole", 403),
     ("outsider_office", 404)],
)  # fmt: skip
def test_others_may_not_verify_through_the_page(w, who, status):
    b = make_bidder(w.user("bidder"), w.district)
    r = client_for(w.user(who)).post(reverse("bidder-step", args=[b.pk]), {"to": "verified"})
    assert r.status_code == status
    b.refresh_from_db()
    assert b.status == BidderStatus.PENDING


def test_a_bidder_sees_only_their_own(w):
    mine = make_bidder(w.user("bidder"), w.district)
    theirs = make_bidder(w.user("outsider_bidder"), w.district)
    other_relation = DeclaredRelation.objects.create(bidder=theirs, kind="relative", who="X")
    c = client_for(w.user("bidder"))
    assert c.get(reverse("bidder-account")).context["bidder"] == mine
    assert c.get(reverse("bidder-detail", args=[theirs.pk])).status_code == 403
    assert c.get(reverse("bidder-list")).status_code == 403
    r = c.post(reverse("bidder-relation-remove", args=[other_relation.pk]))
    assert r.status_code == 404 and DeclaredRelation.objects.filter(pk=other_relation.pk).exists()
    me = c.get("/api/v1/bidders/me").json()
    assert me["id"] == mine.pk and me["id_number"] == mine.id_number
    assert c.get(f"/api/v1/bidders/{theirs.pk}").status_code == 403
    assert c.get("/api/v1/bidders").status_code == 403
    gone = c.delete(f"/api/v1/bidders/me/relations/{other_relation.pk}")
    assert gone.status_code == 404


def test_relations_and_details_through_the_account_pages(w):
    user = w.user("bidder")
    b = make_bidder(user, w.district)
    c = client_for(user)
    r = c.post(
        reverse("bidder-relation-add"), {"kind": "employee", "who": "住建局", "unit": w.unit.pk}
    )
    assert r.status_code == 302
    rel = b.relations.get()
    assert rel.unit == w.unit
    assert (
        c.post(reverse("bidder-relation-add"), {"kind": "employee", "who": ""}).status_code == 400
    )
    r = c.post(reverse("bidder-account-edit"), {**person_details(id_number=b.id_number),
                                                 "name": "王芳芳"})  # fmt: skip
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.name == "王芳芳"
    c.post(reverse("bidder-relation-remove", args=[rel.pk]))
    assert not b.relations.exists()
    # Once verified, nothing changes any more.
    from panhuo.bidders.services import bidder_transition

    bidder_transition(w.user("office"), b, "verified")
    r = c.post(reverse("bidder-relation-add"), {"kind": "relative", "who": "Y"})
    assert r.status_code == 400 and not b.relations.exists()
    assert c.get(reverse("bidder-account-edit")).status_code == 302


def test_rejected_bidder_asks_again_through_the_page(w):
    b = make_bidder(w.user("bidder"), w.district, status="rejected", office=w.user("office"))
    c = client_for(w.user("bidder"))
    page = c.get(reverse("bidder-account"))
    assert page.context["may_resubmit"] and b"test" in page.content
    assert c.post(reverse("bidder-resubmit")).status_code == 302
    b.refresh_from_db()
    assert b.status == BidderStatus.PENDING


def test_list_search_filter_sort_and_export(w):
    a = make_bidder(w.user("bidder"), w.district, name="Alpha Trading")
    z = make_bidder(w.user("norole"), w.district, name="Zeta Holdings", status="verified",
                    office=w.user("office"))  # fmt: skip
    DeclaredRelation.objects.create(bidder=z, kind="relative", who="Q")
    office = client_for(w.user("office"))
    rows = lambda **q: list(office.get(reverse("bidder-list"), q).context["page"])  # noqa: E731
    assert rows(q="Zeta") == [z]
    assert rows(q=a.id_number) == [a]
    assert rows(status="verified") == [z] and rows(related="no") == [a]
    assert rows(sort="name") == [a, z] and rows(sort="-name") == [z, a]
    csv = office.get(reverse("bidder-list"), {"export": "csv", "sort": "name"})
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[1].startswith("Alpha Trading") and a.id_number in text
    api = office.get("/api/v1/bidders", {"status": "verified"}).json()
    assert [r["id"] for r in api["results"]] == [z.pk] and api["results"][0]["relations"]


def test_api_public_registration_and_office_decision(w):
    anon = Client()
    body = {"username": "li", "password": PASSWORD, "jurisdiction": w.district.pk,
            **person_details()}  # fmt: skip
    r = anon.post("/api/v1/bidders/register", json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["status"] == "pending" and created["relations"] == []
    assert RoleAssignment.objects.get(user__username="li").role == Role.BIDDER
    again = anon.post("/api/v1/bidders/register", json.dumps({**body, "username": "li2"}),
                      content_type="application/json")  # fmt: skip
    assert again.status_code == 400 and "id_number" in again.json()["errors"]
    assert anon.get("/api/v1/bidders/me").status_code == 401
    office = client_for(w.user("office"))
    url = f"/api/v1/bidders/{created['id']}/transitions"
    no_reason = office.post(url, {"to": "rejected"}, content_type="application/json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    ok = office.post(url, {"to": "verified"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "verified"
    head = client_for(w.user("head")).post(url, {"to": "suspended", "reason": "x"},
                                           content_type="application/json")  # fmt: skip
    assert head.status_code == 403
    outsider = client_for(w.user("outsider_office")).get(f"/api/v1/bidders/{created['id']}")
    assert outsider.status_code == 404


def test_api_own_relations_and_details(w):
    b = make_bidder(w.user("bidder"), w.district)
    c = client_for(w.user("bidder"))
    r = c.post("/api/v1/bidders/me/relations", {"kind": "shareholder", "who": "某公司"},
               content_type="application/json")  # fmt: skip
    assert r.status_code == 201
    assert [x["who"] for x in c.get("/api/v1/bidders/me/relations").json()] == ["某公司"]
    bad = c.patch("/api/v1/bidders/me", {"id_number": "110105194912310021"},
                  content_type="application/json")  # fmt: skip
    assert bad.status_code == 400
    assert bad.json()["errors"]["id_number"] == ["Resident ID check digit does not match."]
    ok = c.patch("/api/v1/bidders/me", {"phone": "010-1234"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["phone"] == "010-1234"
    assert c.delete(f"/api/v1/bidders/me/relations/{r.json()['id']}").status_code == 204
    assert client_for(w.user("norole")).get("/api/v1/bidders/me").status_code == 404
    assert b.relations.count() == 0
    assert re.fullmatch(r"\d{17}[\dX]", b.id_number)


def test_a_signed_in_user_without_a_registration_registers_their_details(w):
    user = w.user("bidder")  # holds the bidder role (e.g. given by the site administrator)
    c = client_for(user)
    assert b"Register my details" in c.get(reverse("dashboard")).content
    assert c.get(reverse("bidder-account")).context["bidder"] is None
    bad = c.post(reverse("bidder-account-register"), {**person_details(id_number="1234")})
    assert bad.status_code == 400 and "jurisdiction" in bad.context["form"].errors
    assert "id_number" in bad.context["form"].errors
    r = c.post(reverse("bidder-account-register"),
               {**person_details(), "jurisdiction": w.district.pk})  # fmt: skip
    assert r.status_code == 302
    b = Bidder.objects.get(user=user)
    assert b.status == BidderStatus.PENDING and b.jurisdiction == w.district
    # Registered once: the page now sends them to their account.
    assert c.get(reverse("bidder-account-register"))["Location"] == reverse("bidder-account")
    # The task force's own people do not register as bidders.
    office = client_for(w.user("office"))
    refused = office.post(reverse("bidder-account-register"),
                          {**person_details(), "jurisdiction": w.district.pk})  # fmt: skip
    assert refused.status_code == 400 and "staff role" in refused.content.decode()
    assert not Bidder.objects.filter(user=w.user("office")).exists()
