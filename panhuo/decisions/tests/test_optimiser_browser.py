"""Issue 20's "done when" for the plan optimiser, clicked through in a real Chromium: the office
runs the optimiser for the district, the worker (django-tasks-db's own ``db_worker``) solves
it while the run's page follows it without a reload, the office sees the gap and the binding
quarters, adopts the plan, and the draft projects appear on the chosen packages' pages."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from panhuo.core.tests.test_browser import chromium, sign_in
from panhuo.decisions.optimiser.models import OptimiserRun
from panhuo.decisions.tests.test_decision_pages import _debt
from panhuo.decisions.tests.test_optimiser_runs import ON, _package
from panhuo.disposal.models import DisposalProject


@pytest.mark.browser
def test_the_office_runs_the_optimiser_and_adopts_the_plan(live_server, world, monkeypatch):
    base = live_server.url
    packages = [_package(world, "PK-B1", "2000000.00"), _package(world, "PK-B2", "800000.00")]
    _debt(world, "D-B", "4.0")
    csp: list[str] = []
    with chromium(monkeypatch) as browser:
        office = sign_in(browser, base, "office", csp)
        office.goto(f"{base}/plans/")
        office.get_by_role("link", name="Optimiser").click()
        office.fill("#id_on", ON.isoformat())
        office.fill("#id_buffer", "50000")
        office.fill("#id_time_limit", "20")
        office.get_by_role("button", name="Run the optimiser").click()
        office.wait_for_url(f"{base}/plans/optimiser/*/")
        assert "Queued" in office.get_by_test_id("optimiser-status").inner_text()
        assert office.get_by_test_id("optimiser-cancel").is_visible()
        call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
        # The page follows the run (its own script polls the API): no reload by hand.
        expect(office.get_by_test_id("optimiser-status")).to_contain_text("Done", timeout=15_000)
        assert office.get_by_test_id("optimiser-gap").inner_text().endswith("%")
        assert office.get_by_test_id("optimiser-binding").inner_text().strip()
        assert office.get_by_test_id("optimiser-period").count() == 12
        chosen = [r.locator("td").nth(2).inner_text().split()[0]
                  for r in office.get_by_test_id("optimiser-choice").all()]  # fmt: skip
        assert chosen and set(chosen) <= {p.code for p in packages}
        office.get_by_test_id("optimiser-adopt").click()
        office.wait_for_load_state()
        assert "Adopted" in office.get_by_test_id("optimiser-status").inner_text()
        first = next(p for p in packages if p.code == chosen[0])
        office.goto(f"{base}/packages/{first.pk}/")
        project = DisposalProject.objects.get(package=first)
        assert project.status == "draft" and project.code in office.content()
        assert OptimiserRun.objects.get().status == "adopted"
        assert csp == []
