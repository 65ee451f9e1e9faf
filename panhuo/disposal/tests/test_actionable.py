"""The API lists only the transitions the caller can take now; the rest are held back with why
(the same rule the project page uses to show a step disabled)."""

from decimal import Decimal

import pytest

from panhuo.approvals import services as aps
from panhuo.approvals.tests.support import TEN_MILLION, two_step_above_ten_million
from panhuo.core.testing import AssetFactory, decision_documents
from panhuo.core.tests.api_support import call, client_for
from panhuo.disposal import services as ds

pytestmark = pytest.mark.django_db


def _submitted(w, reserve):
    asset = AssetFactory(unit=w.unit)
    package = ds.package_create(
        actor=w.user("office"), jurisdiction=w.district, name="Lot", channel="auction",
        asset_ids=[asset.pk],
    )  # fmt: skip
    p = ds.project_create(actor=w.user("office"), package=package, reserve_price=Decimal(reserve))
    p = ds.project_transition(actor=w.user("office"), project=p, transition="submit")
    return decision_documents(w, p)  # what the approval rests on (Decree 738 art. 19)


def _names(body, key="available_transitions"):
    return [t["name"] for t in body[key]]


def test_approve_is_not_offered_while_the_chain_waits_for_an_earlier_step(world):
    two_step_above_ten_million(world, purpose="disposal")
    p = _submitted(world, str(TEN_MILLION + 1))
    head = client_for(world, "head")
    body = call(head, "GET", f"/api/v1/projects/{p.pk}").json()
    assert "approve" not in _names(body)
    # Step 1 is the deputy's: sending back is open to them (the head takes the last step).
    deputy = call(client_for(world, "deputy"), "GET", f"/api/v1/projects/{p.pk}").json()
    assert "reject" in _names(deputy)
    blocked = {t["name"]: t["reason"] for t in body["blocked_transitions"]}
    assert "step 1 of 2" in blocked["approve"]
    # The page holds the same step back with the same reason.
    page = head.get(p.get_absolute_url())
    assert "step 1 of 2" in page.content.decode()
    # Once the deputy decided step 1, the head can approve: it is offered again.
    r = aps.approval_status(p, "disposal")
    aps.approval_decide(actor=world.user("deputy"), request=r, approve=True, comment="Fine")
    body = call(head, "GET", f"/api/v1/projects/{p.pk}").json()
    assert "approve" in _names(body) and body["blocked_transitions"] == []


def test_one_step_chain_offers_approve_to_head_not_to_office(world):
    p = _submitted(world, "5000000.00")
    body = call(client_for(world, "head"), "GET", f"/api/v1/projects/{p.pk}").json()
    assert _names(body) == ["approve", "reject", "withdraw"]
    office = call(client_for(world, "office"), "GET", f"/api/v1/projects/{p.pk}").json()
    assert "approve" not in _names(office) and office["blocked_transitions"] == []
    outsider = call(client_for(world, "outsider_head"), "GET", f"/api/v1/projects/{p.pk}")
    assert outsider.status_code == 404
