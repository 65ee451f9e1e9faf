"""The demo carries a value-destroying package whose page shows the arithmetic, and stored
scenario runs whose figures a re-run gives again (issue 20, item 4)."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from panhuo.decisions.models import ScenarioRun
from panhuo.decisions.runs import rerun
from panhuo.disposal.models import Package
from panhuo.organisation.models import User
from panhuo.site.demo.seed_decisions import PACKAGE_NAME


def test_the_demo_has_a_value_destroying_package_and_stored_runs(small_demo):
    office = User.objects.get(username="office")
    client = Client()
    client.force_login(office)
    base, stressed = ScenarioRun.objects.order_by("pk")  # both as of the seed's day
    package = Package.objects.get(name=PACKAGE_NAME)
    page = client.get(f"/packages/{package.pk}/decision/?on={base.on}")
    decision = page.context["decision"]
    assert decision["value_destroying"] and b"decision-destroying" in page.content
    assert Decimal(decision["hold"]) - Decimal(decision["sell"]) == Decimal(
        decision["value_destroyed"]) > Decimal(decision["sell"]) / 10  # fmt: skip
    assert base.params["price_sd_pct"] < stressed.params["price_sd_pct"]
    assert any(p["p_missed"] > 0 for p in base.result["periods"])
    assert rerun(office, base)["same"]
