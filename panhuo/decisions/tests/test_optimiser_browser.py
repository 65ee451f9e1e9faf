"""Issue 20's "done when" for the plan optimiser, clicked through in a real Chromium: the office
runs the optimiser for the district, the worker (django-tasks-db's own ``db_worker``) solves
it while the run's page follows it without a reload, the office sees the gap and the binding
quarters, adopts the plan, and the draft projects appear on the chosen packages' pages; a
value-destroying package's page shows hold and sell as the records give them (computed here by
hand from the register, the appraisal and the debt's schedule); and the scenarios' probability
of missing each quarter's debt service is the one the records give when nothing is uncertain
(the schedule's service against the plan's proceeds, a shortfall carrying nothing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from panhuo.core.tests.test_browser import chromium, sign_in
from panhuo.decisions.optimiser.models import OptimiserRun
from panhuo.decisions.pipeline import _quarter
from panhuo.decisions.tests.test_decision_pages import _debt
from panhuo.decisions.tests.test_optimiser_runs import ON, _package
from panhuo.disposal.models import DisposalProject
from panhuo.finance.debts.models import ScheduleRow
from panhuo.finance.debts.schedules import add_months, build_schedule
from panhuo.finance.models import Debt
from panhuo.pricing.models import Valuation


@pytest.mark.browser
def test_the_office_runs_the_optimiser_and_adopts_the_plan(live_server, world, monkeypatch):
    base = live_server.url
    packages = [_package(world, "PK-B1", "2000000.00"), _package(world, "PK-B2", "800000.00")]
    debt = _debt(world, "D-B", "4.0")
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
        _value_destroying_arithmetic(office, base, packages[0], debt)
        _miss_probability(office, base, world)
        assert csp == []


def _cell(page, row: str) -> D:
    return D(page.get_by_role("row").filter(has_text=row).locator("td").nth(1).inner_text())


def _value_destroying_arithmetic(office, base, package, debt):
    """Hold: ten years' net income and the appraised value at the end; sell: the
    appraisal less the 15 % forced-sale discount and 5 % fees and taxes, plus the debt's
    interest the proceeds save (their share of the principal still scheduled), all discounted
    at 4 % a year."""
    asset = package.items.get().asset
    appraisals = Valuation.objects.filter(asset=asset, kind="appraisal", base_date__lte=ON)
    value = appraisals.latest("base_date").value  # the latest on the day
    rate, income = D("1.04"), asset.annual_income - asset.annual_holding_cost
    hold = sum(income / rate**t for t in range(1, 11)) + value / rate**10
    proceeds = value * D("0.85") * D("0.95")
    rows = list(ScheduleRow.objects.filter(debt=debt, due_date__gt=ON))
    share = min(proceeds, sum(r.principal for r in rows)) / sum(r.principal for r in rows)
    saved = sum(r.interest * share / rate ** (D((r.due_date - ON).days) / D("365.25"))
                for r in rows)  # fmt: skip
    office.goto(f"{base}/packages/{package.pk}/decision/?on={ON}")
    shown = {"hold": _cell(office, "Hold"), "sell": _cell(office, "Sell")}
    sell_row = office.get_by_role("row").filter(has_text="Sell").inner_text()
    cent = D("0.01")
    assert shown["hold"] == hold.quantize(cent) and shown["sell"] == (proceeds + saved).quantize(
        cent
    )
    assert f"net proceeds {proceeds.quantize(cent)}" in sell_row
    assert f"interest saved {saved.quantize(cent)}" in sell_row
    lost = (shown["hold"] - shown["sell"]).quantize(cent)
    assert (
        lost > 0
        and f"selling loses {lost}" in office.get_by_test_id("decision-destroying").inner_text()
    )


def _miss_probability(office, base, world):
    """With no price shock, failure, delay or rate change every scenario is the plan: a quarter
    is missed (probability 1) when the carry and its planned proceeds fall short of the
    schedules' service in it, else never. A 5m loan falling due on 30 September 2027 is more
    than the packages bring."""
    big = Debt.objects.create(
        code="D-BIG", jurisdiction=world.district, creditor="Bank", debt_type="bank_loan",
        principal=D("5000000"), outstanding=D("5000000"), rate=D("3.0"),
        issue_date=dt.date(2026, 1, 1), maturity_date=dt.date(2027, 9, 30),
    )  # fmt: skip
    ScheduleRow.objects.bulk_create(
        ScheduleRow(debt=big, due_date=r.due_date, principal=r.principal, interest=r.interest)
        for r in build_schedule(principal=big.principal, rate=big.rate, issue=big.issue_date,
                                maturity=big.maturity_date, method="bullet")
    )  # fmt: skip
    office.goto(f"{base}/plans/scenarios/?on={ON}&scenarios=200&seed=1&price_sd_pct=0"
                "&failure_pct=0&delay_pct=0&rate_sd_pp=0")  # fmt: skip
    rows = [
        r.locator("td").all_inner_texts() for r in office.get_by_test_id("scenario-period").all()
    ]
    assert len(rows) == 12
    service = [D(0)] * 12
    due = ScheduleRow.objects.filter(debt__jurisdiction=world.district, due_date__gt=ON,
                                     due_date__lte=add_months(ON, 36))  # fmt: skip
    for r in due:
        service[_quarter(ON, r.due_date)] += r.principal + r.interest
    carry, missed = D(0), []
    for t, row in enumerate(rows):
        assert D(row[6]) == service[t]
        have = carry + D(row[2])
        missed.append("1.000" if have < service[t] else "0.000")
        carry = D(0) if have < service[t] else have - service[t]
    assert [row[7] for row in rows] == missed and "1.000" in missed
