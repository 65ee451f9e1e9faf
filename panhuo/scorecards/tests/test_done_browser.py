"""Issue 18's "done when", clicked through in a real Chromium: the office drafts the year's
plan and submits it, the head approves it, a sale concludes and its money repays a debt, the
plan's progress and a unit's scorecard move, the office issues the scorecards and proposes a
reward, the head approves it, and the monthly report's PDF states the figures the pages show.

The sale itself is made through the services between two page loads: the disposal's own clicks
(draft to repaid debt) are ``core/tests/test_browser.py``'s, and CI pays for every browser
second twice over its tiers."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from django.db import connection
from django.utils import timezone

from panhuo.core.testing import AssetFactory, concluded_project
from panhuo.core.tests.test_browser import chromium, sign_in
from panhuo.finance import services as fs
from panhuo.reports.models import GeneratedReport
from panhuo.scorecards.models import Decision

DEAL, REPAID = Decimal("2345678.90"), Decimal("1234500.00")


@pytest.fixture
def debt(transactional_db, world):
    return fs.debt_create(
        actor=world.user("finance"), jurisdiction=world.district,
        data={"creditor": "District Bank", "debt_type": "bank_loan", "principal": "9000000.00",
              "rate": Decimal("4.350"), "issue_date": dt.date(2022, 1, 1),
              "maturity_date": dt.date(2032, 1, 1)},
    )  # fmt: skip


def sale_repaying(w, debt) -> None:
    """U1's depot sold at auction, the price received in full, part of it to the bank loan."""
    today = timezone.localdate()
    project = concluded_project(w, deal_price=DEAL, assets=[AssetFactory(unit=w.unit)])
    receipt = fs.receipt_create(
        actor=w.user("finance"), project=project, amount=DEAL, received_on=today,
        voucher="FZ-18", budget_class="non_tax",
    )  # fmt: skip
    fs.allocation_create(actor=w.user("finance"), receipt=receipt, debt=debt, amount=REPAID,
                         allocated_on=today)  # fmt: skip


def progress_row(page, label: str) -> list[str]:
    row = page.get_by_test_id("plan-progress").locator("tr", has_text=label).first
    return [c.strip() for c in row.locator("td").all_inner_texts()]


def part_score(page, name: str) -> str:
    heading = page.get_by_test_id(f"part-{name}").locator("h2").inner_text()
    return heading.split("—")[1].split("(")[0].strip()


@pytest.mark.browser
def test_plan_progress_scorecard_reward_and_report_agree(live_server, world, debt, monkeypatch):
    w, base = world, live_server.url
    today = timezone.localdate()
    q = (today.month - 1) // 3 + 1
    csp: list[str] = []
    with chromium(monkeypatch) as browser:
        # The office drafts the year's plan, its targets pasted as lines, and submits it.
        office = sign_in(browser, base, "office", csp)
        office.goto(f"{base}/plans/new/")
        office.select_option("#id_jurisdiction", str(w.district.pk))
        office.fill("#id_year", str(today.year))
        office.fill("#id_money_total", "3000000")
        office.fill("#id_debt_total", "2000000")
        office.fill("#id_assets_total", "2")
        lines = [f"money, {q}, 3000000", f"debt, {q}, 2000000, bank_loan",
                 f"assets, {q}, 1, U1, auction", f"assets, {q}, 1, U2, lease"]  # fmt: skip
        office.fill("#id_targets", "\n".join(lines))
        office.locator("main form button[type=submit]").click()
        office.wait_for_url(re.compile(r"/plans/\d+/$"))
        plan_url = office.url
        office.get_by_role("button", name="Submit for approval").click()
        office.wait_for_load_state()
        # The head approves it in "My approvals".
        head = sign_in(browser, base, "head", csp)
        head.goto(f"{base}/approvals/")
        head.locator("tr", has_text=str(today.year)).get_by_role("button", name="Approve").click()
        head.wait_for_load_state()
        office.goto(plan_url)
        assert office.get_by_test_id("plan-status").inner_text() == "Approved"
        assert progress_row(office, "Money raised")[-3] == "0"
        # U1's card for the year, live: nothing activated against its one auction yet.
        plan_pk = re.search(r"/plans/(\d+)/", plan_url)[1]
        card_url = f"{base}/scorecards/plans/{plan_pk}/units/{w.unit.pk}/?period=Y"
        office.goto(card_url)
        assert part_score(office, "completion") == "0.00"
        assert part_score(office, "price") == "nothing to score"
        score_before = office.get_by_test_id("card-score").inner_text()

        # The depot is sold and its money repays part of the bank loan.
        sale_repaying(w, debt)
        office.goto(plan_url)
        assert progress_row(office, "Money raised")[-3] == "2,345,678.90"
        assert progress_row(office, "Bank loan")[-3] == "1,234,500"
        assert progress_row(office, "Housing bureau")[-3] == "1"
        office.goto(card_url)
        assert part_score(office, "completion") == "100.00"
        assert part_score(office, "price") == "100.00"  # the deal is the appraisal
        assert office.get_by_test_id("card-score").inner_text() != score_before

        # The office issues the year's cards and proposes a commendation; the head approves.
        office.goto(f"{base}/scorecards/?plan={plan_pk}&period=Y")
        office.get_by_role("button", name=re.compile("Issue the scorecards")).click()
        office.wait_for_load_state()
        office.goto(card_url)
        assert "frozen" in office.inner_text("main")
        office.select_option("#id_kind", "commendation")
        office.fill("#id_reason", "Sold the depot at its appraisal and repaid the bank loan.")
        office.get_by_role("button", name="Propose to the head").click()
        office.wait_for_load_state()
        head.goto(f"{base}/approvals/")
        head.locator("tr", has_text="Housing bureau").get_by_role("button", name="Approve").click()
        head.wait_for_load_state()
        office.goto(card_url)
        assert "Commendation (通报表扬) — Approved" in office.inner_text("main")

        # The monthly report, generated on its page: the page and the PDF state the plan
        # page's figures (in 万元).
        office.goto(f"{base}/reports/new/?kind=monthly")
        office.select_option("#id_jurisdiction", str(w.district.pk))
        office.locator("main form button[type=submit]").click()
        office.wait_for_url(re.compile(r"/reports/\d+/$"))
        shown = office.inner_text("main")
        assert "234.57" in shown and "123.45" in shown
        href = office.get_by_test_id("report-pdf").get_attribute("href")
        pdf = office.request.get(f"{base}{href}").body()
        office.click("button:has-text('Sign out')")
        assert csp == []

    # Every page of the PDF rendered to an image: none blank, the first dense with text; the
    # Chinese title, the figures and the number in the pages' text.
    document = pdfium.PdfDocument(pdf)
    text, inked = "", []
    for page in document:
        pixels = page.render(scale=0.5).to_numpy().astype(int).sum(axis=2)
        inked.append(((pixels < 600).sum(), (pixels < 200).sum()))
        text += page.get_textpage().get_text_range()
    assert all(drawn > 50 for drawn, _dark in inked) and inked[0][1] > 1000, inked
    try:
        report = GeneratedReport.objects.get()
        assert "月度进展报告" in text and report.number in text
        assert "234.57" in text and "123.45" in text
        decision = Decision.objects.get()
        assert (decision.kind, decision.status) == ("commendation", "approved")
        assert decision.scorecard.unit == w.unit
    finally:
        connection.close()
