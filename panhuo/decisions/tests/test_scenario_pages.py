"""Scenarios read from the records through the API and the page: who may run them, the open
package at its appraisal in its planned quarter against the place's debt service, and bad input
named (400, never a 500)."""

import datetime as dt
import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from panhuo.core.testing import AssetFactory, appraise, concluded_project
from panhuo.core.tests.api_support import client_for
from panhuo.decisions.tests.test_decision_pages import _debt
from panhuo.disposal.channel_models import ListingRound
from panhuo.disposal.models import Package, PackageItem

ON = dt.date(2026, 6, 30)


def test_scenarios_of_the_place_allowed_denied_and_bad_input(world):
    url = f"/api/v1/scenarios?on={ON}&scenarios=200"
    office = client_for(world, "office")
    empty = office.get(url)  # no package yet
    assert empty.status_code == 400 and "packages" in empty.content.decode()
    a = AssetFactory(unit=world.unit)
    appraise(a, D("5000000.00"), base_date=dt.date(2026, 3, 1))
    pkg = Package.objects.create(code="PK-S1", name="S", jurisdiction=world.district,
                                 channel="auction", created_by=world.users["office"])  # fmt: skip
    PackageItem.objects.create(package=pkg, asset=a)
    _debt(world, "DS", "4.0")  # bullet: yearly interest 120,000 due each 1 January
    who = ("office", "finance", "supervisor", "unit_officer", "bidder")
    got = {w: client_for(world, w).get(url).status_code for w in who}
    assert got == {"office": 200, "finance": 200, "supervisor": 200, "unit_officer": 403,
                   "bidder": 403}  # fmt: skip
    calm = "&price_sd_pct=0&failure_pct=0&delay_pct=0&rate_sd_pp=0"
    body = office.get(url + calm).json()
    q = body["periods"]
    # No project: the package is planned for the fourth quarter, at its appraisal; the debt's
    # interest falls in the third (1 January 2027).
    assert [p["plan"] for p in q[:4]] == ["0.00", "0.00", "0.00", "5000000.00"]
    assert q[3]["p5"] == q[3]["p95"] == "5000000.00"
    assert q[2]["service"] == "120000.00" and q[2]["p_missed"] == 1.0 and q[3]["p_missed"] == 0
    assert body["failure_source"] == "request" and body["rates_note"]
    assert office.post("/api/v1/scenarios", {"on": str(ON), "scenarios": 200, "seed": 20},
                       content_type="application/json").json()["periods"] == office.get(
        url).json()["periods"]  # fmt: skip
    bad = office.get(url + "&price_sd_pct=500")
    assert bad.status_code == 400 and "price_sd_pct" in bad.content.decode()
    page = office.get(f"/plans/scenarios/?on={ON}&scenarios=200")
    assert page.status_code == 200 and b'data-testid="scenario-fan"' in page.content
    assert b"cdn" not in page.content.lower()
    bad_page = office.get(f"/plans/scenarios/?on={ON}&scenarios=5")
    assert bad_page.status_code == 200 and b"scenario-problem" in bad_page.content
    assert client_for(world, "unit_officer").get("/plans/scenarios/").status_code == 403
    # The CLI: the same figures as the API for the same seed, bad input named.
    out = io.StringIO()
    call_command("plan", "scenario", "--jurisdiction", world.district.code, "--as", "office",
                 "--as-of", str(ON), "--scenarios", "200", "--json", stdout=out)  # fmt: skip
    assert json.loads(out.getvalue())["periods"] == office.get(url).json()["periods"]
    with pytest.raises(CommandError, match="failure_pct"):
        call_command("plan", "scenario", "--jurisdiction", world.district.code, "--as", "office",
                     "--failure-pct", "99", stdout=io.StringIO())  # fmt: skip


def test_a_project_in_the_pipeline_and_the_failure_rate_from_the_places_rounds(world):
    # A concluded auction (its one round sold) is planned for this quarter at its deal price and
    # cannot fail any more; with four more rounds ended unsold the place's failure rate is 4 of 5.
    p = concluded_project(world)
    first = ListingRound.objects.get(project=p)
    for n in range(2, 6):
        ListingRound.objects.create(project=p, number=n, listed_on=first.listed_on,
                                    reserve=first.reserve, result="no_sale",
                                    recorded_by=first.recorded_by)  # fmt: skip
    _debt(world, "DH", "4.0")
    body = client_for(world, "office").get("/api/v1/scenarios?scenarios=200&price_sd_pct=0&"
                                           "delay_pct=0").json()  # fmt: skip
    assert body["failure_source"] == "history" and body["params"]["failure_pct"] == 80.0
    assert body["packages"] == [{"code": p.package.code, "amount": "6000000.00", "period": 1}]
    assert body["periods"][0]["plan"] == body["periods"][0]["p5"] == "6000000.00"
