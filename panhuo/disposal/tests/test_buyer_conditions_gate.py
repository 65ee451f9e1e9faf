"""Gate ``buyer_conditions_not_allowed`` (Order 32 art. 51): a listing of enterprise assets sets
no conditions on buyers unless a law or rule requires them (named as the basis). The pure
function at the edges (no conditions, blank text, conditions without and with a basis, each
rule-set class); then the service, the API (400 with the gate, nothing written), a relisting
that keeps the current conditions, and the page."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import translation

from panhuo.core.gates import RULES, GateRefused
from panhuo.core.testing import AssetFactory, approved, recorded_late
from panhuo.core.tests.api_support import call, client_for, fingerprint
from panhuo.disposal import services as ds
from panhuo.disposal.listing_gates import buyer_conditions_ok

pytestmark = pytest.mark.django_db
ENT, ADM, LAND = "enterprise", "administrative", "land"
LICENCE = "Holds a hazardous-chemicals operating licence."
BASIS = "Regulations on the Safe Management of Hazardous Chemicals art. 33"


def _refused(**kw) -> GateRefused:
    with pytest.raises(GateRefused) as exc:
        buyer_conditions_ok(**kw)
    return exc.value


def test_registered_with_its_source():
    assert "Order 32 art. 51" in str(RULES["buyer_conditions_not_allowed"].source)


@pytest.mark.parametrize("conditions", ["", "   ", "\n"])
def test_no_conditions_pass_for_every_class(conditions):
    for classes in ([ENT], [ADM], [LAND], [ADM, ENT, LAND]):
        assert buyer_conditions_ok(classes=classes, conditions=conditions, basis="") is None


def test_enterprise_conditions_need_their_basis():
    # Just below: one character of conditions with no (or a blank) basis is refused.
    for basis in ("", "  "):
        e = _refused(classes=[ENT], conditions="x", basis=basis)
        assert e.rule.code == "buyer_conditions_not_allowed" and e.field == "buyer_conditions"
        assert "Order 32 art. 51" in e.text and "conditions_basis" in e.unblock
    # At: a basis named lets them through.
    assert buyer_conditions_ok(classes=[ENT], conditions=LICENCE, basis=BASIS) is None
    # A package mixing classes that holds enterprise assets is under art. 51 too.
    assert _refused(classes=[ADM, ENT], conditions=LICENCE, basis="").rule.code
    assert _refused(classes=[ENT, LAND], conditions=LICENCE, basis="").rule.code


def test_other_classes_may_set_conditions():
    assert buyer_conditions_ok(classes=[ADM], conditions=LICENCE, basis="") is None
    assert buyer_conditions_ok(classes=[ADM, LAND], conditions=LICENCE, basis="") is None


def test_refusal_in_chinese():
    with translation.override("zh-hans"):
        e = _refused(classes=[ENT], conditions=LICENCE, basis="")
    assert "32号令第五十一条" in e.text and "受让方" in e.text and "如需继续" in e.text


def _approved(w, unit):
    asset = AssetFactory(unit=unit)
    package = ds.package_create(
        actor=w.user("office"), jurisdiction=w.district, name="Lot", channel="exchange",
        asset_ids=[asset.pk],
    )  # fmt: skip
    p = ds.project_create(actor=w.user("office"), package=package, reserve_price=D("100.00"))
    p = ds.project_transition(actor=w.user("office"), project=p, transition="submit")
    return approved(w, p)


def test_service_and_api_refuse_then_a_basis_lets_the_listing_through(world):
    p = _approved(world, world.unit2)  # the state-owned company's asset: enterprise
    office = client_for(world, "office")
    url = f"/api/v1/projects/{p.pk}/transitions"
    before = fingerprint()
    with pytest.raises(GateRefused, match="buyer_conditions_not_allowed"):
        ds.project_transition(actor=world.user("office"), project=p, transition="list",
                              buyer_conditions=LICENCE)  # fmt: skip
    r = call(office, "POST", url, {"transition": "list", "buyer_conditions": LICENCE})
    assert r.status_code == 400 and r.json()["gate"]["rule"] == "buyer_conditions_not_allowed"
    assert fingerprint() == before and not p.rounds.exists()
    body = {"transition": "list", "buyer_conditions": LICENCE, "conditions_basis": BASIS,
            **recorded_late("list", days=60)}  # fmt: skip
    r = call(office, "POST", url, body)
    assert r.status_code == 200, r.content
    rnd = p.rounds.get()
    assert (rnd.buyer_conditions, rnd.conditions_basis) == (LICENCE, BASIS)
    rounds = call(office, "GET", f"/api/v1/projects/{p.pk}/rounds").json()
    assert rounds[0]["buyer_conditions"] == LICENCE
    # A relisting keeps the conditions and their basis; clearing the basis alone is refused.
    relist = {"transition": "relist", "reserve_price": "95.00", "comment": "No bidder."}
    r = call(office, "POST", url, {**relist, "conditions_basis": ""})
    assert r.status_code == 400 and r.json()["gate"]["rule"] == "buyer_conditions_not_allowed"
    r = call(office, "POST", url, relist)
    assert r.status_code == 200, r.content
    assert p.rounds.get(number=2).conditions_basis == BASIS
    page = office.get(p.get_absolute_url())
    assert LICENCE in page.content.decode() and BASIS in page.content.decode()


def test_a_department_listing_may_set_conditions(world):
    p = _approved(world, world.unit)  # a department's asset: administrative
    p = ds.project_transition(actor=world.user("office"), project=p, transition="list",
                              buyer_conditions=LICENCE)  # fmt: skip
    assert p.rounds.get().buyer_conditions == LICENCE
