"""Issue 17's "done when" for the auditor, clicked through in a real Chromium: the auditor signs
in, opens the queue of open red flags, opens the flag (its evidence), resolves it with a comment
(the flags app's page and service), raises a finding on the flagged project from the flag's page
and resolves that finding; the queue empties, and no audited record changed."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from panhuo.core.tests.test_browser import chromium, sign_in
from panhuo.findings.models import Finding
from panhuo.findings.tests.support import audited_rows
from panhuo.flags import engine
from panhuo.flags.models import Flag, FlagStatus
from panhuo.flags.tests.builders import sale


@pytest.fixture
def flagged(transactional_db, world):
    project = sale(world, deal=Decimal("700000.00"))  # 70 % of the appraisal
    engine.recompute(rules=["deal_below_appraisal"])
    return project, Flag.objects.get(subject_id=str(project.pk), status=FlagStatus.OPEN)


@pytest.mark.browser
def test_an_auditor_resolves_a_flag_through_the_browser(live_server, world, flagged, monkeypatch):
    project, flag = flagged
    base = live_server.url
    rows = audited_rows()
    csp: list[str] = []
    with chromium(monkeypatch) as browser:
        page = sign_in(browser, base, "auditor", csp)
        page.locator(".mainnav").get_by_role("link", name="Findings", exact=True).click()
        page.get_by_role("link", name="Open red flags").click()
        queue = page.locator("table.table-data")
        text = queue.inner_text()
        assert project.code in text and str(flag.get_severity_display()) in text
        queue.get_by_role("link", name="Deal below the appraisal").click()
        assert "70" in page.content()
        page.check("input[name=resolution][value=rectified]")
        page.fill("#id_comment", "The unit re-appraised and the price was corrected.")
        page.get_by_role("button", name="Resolve the flag").click()
        page.wait_for_load_state()
        assert "Rectified" in page.get_by_test_id("flag-resolution").inner_text()
        page.goto(f"{base}/flags/?status=open")
        assert project.code not in page.locator("table.table-data").inner_text()
        page.goto(f"{base}/flags/{flag.pk}/")
        # A finding on the flagged project, raised from the flag's page, then resolved.
        page.get_by_test_id("raise-finding").click()
        page.fill("#id_title", "Sold 30 % below the appraisal")
        page.select_option("#id_severity", "high")
        page.fill("#id_description", "The deal price was 70 % of the appraised value.")
        page.get_by_role("button", name="Raise the finding").click()
        page.wait_for_url(re.compile(r"/findings/\d+/$"))
        assert page.get_by_test_id("finding-status").inner_text() == "Raised"
        page.locator("#comment-justify").fill("The appraisal was stale; the board approved.")
        page.get_by_test_id("step-justify").get_by_role("button").click()
        page.wait_for_load_state()
        assert page.get_by_test_id("finding-status").inner_text() == "Resolved: justified"
    done = Flag.objects.get(pk=flag.pk)
    assert (done.status, done.resolution, done.resolved_by) == (
        "resolved",
        "rectified",
        world.user("auditor"),
    )
    finding = Finding.objects.get()
    assert (finding.record_kind, finding.record_id, finding.flag_id) == (
        "project",
        project.pk,
        flag.pk,
    )
    assert finding.status == "justified"
    assert audited_rows() == rows
    assert csp == []
