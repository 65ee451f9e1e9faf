"""A relisting or deal below the approval floor is refused with a hint to request a price
exception; whoever may take that step asks for it, the head approves it under My approvals, and
the step goes through. Who may ask and where, on the API and the project page."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from panhuo.approvals import services as aps
from panhuo.approvals.models import ApprovalRequest, ApprovalStatus
from panhuo.core.testing import AssetFactory, approved, recorded_late, written_approval
from panhuo.core.tests.api_support import ANON, call, client_for, fingerprint
from panhuo.disposal import price_exceptions as pe
from panhuo.disposal import services as ds
from panhuo.integrity.models import AuditEntry
from panhuo.organisation import policy

pytestmark = pytest.mark.django_db
APPRAISAL = D("1000000.00")


def _listed(w):
    asset = AssetFactory(unit=w.unit, appraisal=APPRAISAL)
    package = ds.package_create(
        actor=w.user("office"), jurisdiction=w.district, name="Lot", channel="auction",
        asset_ids=[asset.pk],
    )  # fmt: skip
    p = ds.project_create(actor=w.user("office"), package=package, reserve_price=APPRAISAL)
    p = ds.project_transition(actor=w.user("office"), project=p, transition="submit")
    p = approved(w, p)
    # Recorded late (with the reason): the disclosure has run, so a deal's price is judged.
    return ds.project_transition(
        actor=w.user("office"), project=p, transition="list", **recorded_late("list")
    )


def _relist(w, p, reserve):
    return ds.project_transition(
        actor=w.user("office"), project=p, transition="relist", reserve_price=D(reserve),
        comment="No bidder in the first round.",
    )  # fmt: skip


def _refusal(w, p, reserve) -> str:
    before = fingerprint()
    with pytest.raises(ValidationError) as e:
        _relist(w, p, reserve)
    assert fingerprint() == before
    return " ".join(m for ms in e.value.message_dict.values() for m in ms)


def test_refused_relist_then_request_then_head_approves_then_relist_goes_through(world):
    p = _listed(world)
    msg = _refusal(world, p, "800000.00")
    assert "[below_approval_floor ·" in msg and "Request a price exception" in msg
    assert f"/api/v1/projects/{p.pk}/price-exception" in msg

    office = client_for(world, "office")
    r = call(
        office, "POST", f"/api/v1/projects/{p.pk}/price-exception",
        {"amount": "800000.00", "reason": "Two rounds without a bidder; the market fell."},
    )  # fmt: skip
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "pending" and body["amount"] == "800000.00"
    assert body["project_id"] == p.pk
    request = ApprovalRequest.objects.get(pk=body["id"])
    assert request.purpose == "price_exception" and request.requested_by == world.user("office")
    assert AuditEntry.objects.filter(action="approval.request", object_id=str(request.pk)).exists()

    # Pending: still refused, and the refusal says it waits.
    assert "waits for the head's decision" in _refusal(world, p, "800000.00")
    # One pending request per project: the approvals app refuses a second.
    again = call(
        office, "POST", f"/api/v1/projects/{p.pk}/price-exception",
        {"amount": "700000.00", "reason": "Lower still."},
    )  # fmt: skip
    assert again.status_code == 400 and "in progress" in again.content.decode()

    written_approval(world, p)
    aps.approval_decide(actor=world.user("head"), request=request, approve=True)
    # The approval covers its amount, not less.
    assert "covers 800,000.00 yuan or more" in _refusal(world, p, "799999.99")
    p = _relist(world, p, "800000.00")
    assert p.status == "listed" and p.reserve_price == D("800000.00")


def test_a_deal_below_the_floor_goes_through_after_the_exception(world):
    p = _listed(world)
    deal = {"deal_price": D("600000.00"), "buyer": "B Ltd", "bidders": 2}
    with pytest.raises(ValidationError, match="below_approval_floor"):
        ds.project_transition(actor=world.user("office"), project=p, transition="conclude", **deal)
    pe.price_exception_request(
        actor=world.user("office"), project=p, amount="600000", reason="The market fell."
    )
    # The default chain is the head alone (a deputy may not), on the written approval.
    with pytest.raises(policy.NotPermitted, match="Task-force head"):
        aps.approval_decide(actor=world.user("deputy"), request=pe.latest(p), approve=True)
    written_approval(world, p)
    aps.approval_decide(actor=world.user("head"), request=pe.latest(p), approve=True)
    assert pe.latest(p).status == ApprovalStatus.APPROVED
    p = ds.project_transition(actor=world.user("office"), project=p, transition="conclude", **deal)
    assert p.status == "concluded" and p.deal_price == D("600000.00")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("office", 201),
        ("office2", 201),
        ("head", 403),
        ("deputy", 403),
        ("unit_officer", 403),  # proposes disposals, but does not list them
        ("other_unit_officer", 404),
        ("finance", 403),
        ("auditor", 403),
        ("supervisor", 403),
        ("bidder", 404),
        ("norole", 404),
        ("outsider_office", 404),
        ("outsider_head", 404),
        (ANON, 401),
    ],
)
def test_who_may_request_on_the_api(world, who, status):
    p = _listed(world)
    before = ApprovalRequest.objects.filter(purpose="price_exception").count()
    r = call(
        client_for(world, who), "POST", f"/api/v1/projects/{p.pk}/price-exception",
        {"amount": "800000.00", "reason": "Market fell."},
    )  # fmt: skip
    assert r.status_code == status, r.content
    after = ApprovalRequest.objects.filter(purpose="price_exception").count()
    assert after == before + (1 if status == 201 else 0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "900000.00", "reason": "At the floor"}, "amount"),
        ({"amount": "0", "reason": "Nothing"}, "amount"),
        ({"amount": "800000.00", "reason": ""}, "reason"),
        ({"amount": "800000.00", "reason": "   "}, "reason"),
        ({"amount": "abc", "reason": "x"}, "amount"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(world, body, field):
    p = _listed(world)
    before = fingerprint()
    r = call(client_for(world, "office"), "POST", f"/api/v1/projects/{p.pk}/price-exception", body)
    assert r.status_code in (400, 422) and field in r.content.decode()
    assert fingerprint() == before


def test_no_request_once_the_deal_is_done(world):
    p = _listed(world)
    p = ds.project_transition(
        actor=world.user("office"), project=p, transition="conclude", deal_price=APPRAISAL,
        buyer="B Ltd", bidders=2,
    )  # fmt: skip
    with pytest.raises(ValidationError) as e:
        pe.price_exception_request(
            actor=world.user("office"), project=p, amount="800000", reason="Late."
        )
    assert "project" in e.value.message_dict


def test_the_service_refuses_a_caller_who_cannot_take_the_step(world):
    p = _listed(world)
    with pytest.raises(policy.NotPermitted):
        pe.price_exception_request(
            actor=world.user("head"), project=p, amount="800000", reason="I decide, not ask."
        )


def test_the_page_offers_the_request_after_the_refusal_and_shows_its_status(world):
    p = _listed(world)
    office = client_for(world, "office")
    page = office.get(p.get_absolute_url()).content.decode()
    assert "Request a price exception" not in page  # nothing refused yet
    r = office.post(
        f"/projects/{p.pk}/transitions/relist/",
        {"relist-reserve_price": "800000.00", "relist-comment": "No bidder."},
    )
    html = r.content.decode()
    assert r.status_code == 200 and "[below_approval_floor ·" in html
    assert "Request a price exception" in html and 'value="800000.00"' in html

    # A bad request comes back with the form's errors; nothing is written.
    r = office.post(
        f"/projects/{p.pk}/price-exception/",
        {"price_exception-amount": "800000.00", "price_exception-reason": ""},
    )
    assert r.status_code == 200 and pe.latest(p) is None
    r = office.post(
        f"/projects/{p.pk}/price-exception/",
        {"price_exception-amount": "800000.00", "price_exception-reason": "Market fell."},
    )
    assert r.status_code == 302 and pe.latest(p).status == "pending"
    page = office.get(p.get_absolute_url()).content.decode()
    assert "waits for the head" in page and "Request a price exception" not in page

    written_approval(world, p)
    aps.approval_decide(actor=world.user("head"), request=pe.latest(p), approve=True)
    assert (
        "The head approved a price exception" in office.get(p.get_absolute_url()).content.decode()
    )
    r = office.post(
        f"/projects/{p.pk}/transitions/relist/",
        {"relist-reserve_price": "800000.00", "relist-comment": "No bidder."},
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.reserve_price == D("800000.00")


@pytest.mark.parametrize(
    ("who", "status"),
    [("head", 403), ("finance", 403), ("unit_officer", 403), ("outsider_office", 404)],
)
def test_the_page_refuses_whoever_may_not_ask(world, who, status):
    p = _listed(world)
    r = client_for(world, who).post(
        f"/projects/{p.pk}/price-exception/",
        {"price_exception-amount": "800000.00", "price_exception-reason": "Market fell."},
    )
    assert r.status_code == status and pe.latest(p) is None


def test_the_head_does_not_see_the_form_after_a_refusal_they_cannot_act_on(world):
    p = _listed(world)
    page = client_for(world, "head").get(p.get_absolute_url()).content.decode()
    assert "Request a price exception" not in page


def test_the_heads_inbox_shows_appraisal_amount_ratio_and_who_acts(world):
    p = _listed(world)
    request = pe.price_exception_request(
        actor=world.user("office"), project=p, amount="800000", reason="The market fell."
    )
    head = client_for(world, "head")
    html = head.get("/approvals/").content.decode()
    row = html[html.index(p.code) :]
    assert "1,000,000.00" in row and "800,000.00" in row and "80.0 %" in row
    assert "below the floor" in row and "Documents missing before approval" in row
    body = call(head, "GET", f"/api/v1/approvals/{request.pk}").json()
    assert body["appraisal"] == "1000000.00" and body["ratio_pct"] == "80.00"
    assert body["acting"] == ["head"] and body["documents_missing"] == ["approval"]
    # With the written approval on the project, its number shows there and the head approves.
    doc = written_approval(world, p, number="Approval [2026] No. 12")
    page = client_for(world, "office").get(p.get_absolute_url()).content.decode()
    assert "Approval [2026] No. 12" in page and doc.sha256 in page
    r = call(head, "POST", f"/api/v1/approvals/{request.pk}/decision", {"approve": True, "step": 1})
    assert r.status_code == 200 and r.json()["status"] == "approved"
