"""One qualified bidder: the round and the project are flagged (page, API, timeline, audit),
and the sale counts as negotiated; two or more bidders are competitive and not flagged."""

import pytest

from panhuo.core.testing import AssetFactory, decision_documents, recorded_late
from panhuo.core.tests.api_support import call, client_for
from panhuo.disposal import services as ds
from panhuo.integrity.models import AuditEntry

pytestmark = pytest.mark.django_db


def _sold(w, bidders):
    from decimal import Decimal

    pkg = ds.package_create(
        actor=w.user("office"),
        jurisdiction=w.district,
        name="Lot",
        channel="auction",
        asset_ids=[AssetFactory(unit=w.unit).pk],
    )
    p = ds.project_create(actor=w.user("office"), package=pkg, reserve_price=Decimal("1000.00"))
    p = ds.project_transition(actor=w.user("office"), project=p, transition="submit")
    p = ds.project_transition(actor=w.user("head"), project=decision_documents(w, p),
                              transition="approve")  # fmt: skip
    # Listed long enough ago (recorded late, with the reason) for the disclosure to have run.
    p = ds.project_transition(
        actor=w.user("office"), project=p, transition="list", **recorded_late("list")
    )
    return ds.project_transition(
        actor=w.user("office"),
        project=p,
        transition="conclude",
        deal_price="1200.00",
        buyer="Dawn Co.",
        bidders=bidders,
    )


@pytest.mark.parametrize("bidders", [1, 3])
def test_single_bidder_flagged_everywhere(world, bidders):
    p = _sold(world, bidders)
    single = bidders == 1
    (r,) = p.rounds.all()
    assert r.single_bidder == single
    entry = AuditEntry.objects.filter(action="project.conclude").get()
    assert (entry.after["channel_step"].get("flag") == "single_bidder") == single
    assert (entry.after["channel_step"].get("counts_as") == "negotiated") == single
    assert ("one qualified bidder" in p.events.last().comment) == single
    body = call(client_for(world, "auditor"), "GET", f"/api/v1/projects/{p.pk}").json()
    assert body["flags"] == (["single_bidder"] if single else [])
    rounds = call(client_for(world, "office"), "GET", f"/api/v1/projects/{p.pk}/rounds").json()
    assert rounds[0]["single_bidder"] == single
    html = client_for(world, "head").get(p.get_absolute_url()).content.decode()
    assert ("Single bidder" in html) == single
    # Outside the jurisdiction the project and its flag are not there at all.
    assert (
        call(client_for(world, "outsider_auditor"), "GET", f"/api/v1/projects/{p.pk}").status_code
        == 404
    )
