"""Demo: the district's approved work plan for the seed's year, so the plan pages, the
scorecards and the monthly report have targets to measure progress against.

The office drafts the plan on the first working day of the year and the head approves it the
next; both through the planning and approvals services, so the audit trail is the real one.
Targets are set a little above what the seeded records show for the year (a round figure per
quarter), and at a round figure for quarters the records have not reached yet, so the pages
show some lines ahead and some behind. Progress itself is never seeded: it is computed from the
projects, receipts and allocations the rest of the seed made. Last month's progress report and
work report tables are generated as the monthly run would have (reports/tasks.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING, Decimal

from panhuo.approvals import services as approvals
from panhuo.organisation.models import Unit
from panhuo.planning import progress
from panhuo.planning import services as planning
from panhuo.reports import services as reports
from panhuo.reports.tasks import MONTHLY_KINDS
from panhuo.site.demo import catalogue as c

#: Targets are in whole multiples of this (100,000 yuan, i.e. 10 万元).
ROUND = Decimal("100000")
#: A quarter with nothing recorded yet still has this target.
FLOOR = Decimal("500000")


def _above(actual: Decimal) -> Decimal:
    """A tenth more than ``actual``, rounded up to a round figure (at least ``FLOOR``)."""
    raised = (actual * Decimal("1.1") / ROUND).to_integral_value(rounding=ROUND_CEILING) * ROUND
    return max(raised, FLOOR).quantize(Decimal("0.01"))


def _targets(seeder, path: str, year: int) -> tuple[list[dict], dict[str, Decimal]]:
    on = seeder.today
    money = progress.money_raised(path, year, on)
    debt = progress.debt_resolved(path, year, on)
    assets = progress.assets_activated(path, year, on)
    rows: list[dict] = []
    for q in progress.QUARTERS:
        rows.append({"measure": "money", "quarter": q, "amount": _above(money.get(q, Decimal(0)))})
    debt_types = sorted({t for t, _q in debt}) or ["bank_loan"]
    for t in debt_types:
        for q in progress.QUARTERS:
            amount = _above(debt.get((t, q), Decimal(0)))
            rows.append({"measure": "debt", "quarter": q, "debt_type": t, "amount": amount})
    if not assets:  # a small demo with nothing activated this year: one line to aim at
        unit = Unit.objects.filter(jurisdiction__path=path).order_by("code").first()
        assets = {(unit.pk, "auction", 4): 1}
    for (unit, channel, q), n in sorted(assets.items()):
        rows.append(
            {"measure": "assets", "quarter": q, "unit": unit, "channel": channel, "amount": n + 1}
        )
    totals = {m: sum((Decimal(r["amount"]) for r in rows if r["measure"] == m), Decimal(0))
              for m in ("money", "debt", "assets")}  # fmt: skip
    return rows, totals


def seed(seeder) -> None:
    district = seeder.places[c.DISTRICT[0]]
    year = seeder.today.year
    office, head = seeder.users["office"], seeder.users["head"]
    rows, totals = _targets(seeder, district.path, year)
    seeder.clock.after(dt.date(year, 1, 2))
    plan = planning.plan_draft(
        actor=office,
        jurisdiction=district,
        data={
            "year": year,
            "money_total": totals["money"],
            "debt_total": totals["debt"],
            "assets_total": int(totals["assets"]),
            "note": "年度盘活存量资产、化解债务工作计划 (annual asset activation and debt plan)",
            "targets": rows,
            "milestones": [
                {"title": "半年工作总结 Half-year review", "due_on": dt.date(year, 6, 30)},
                {"title": "年度工作报告 Year-end report", "due_on": dt.date(year, 12, 31)},
            ],
            "tasks": [
                {
                    "title": "完成资产清查 Finish the register's stocktake",
                    "owner": office.pk,
                    "due_on": dt.date(year, 3, 31),
                    "done": True,
                },
                {
                    "title": "报送月度进展 Monthly progress reports to the city",
                    "owner": office.pk,
                    "due_on": dt.date(year, 12, 31),
                },
            ],
        },
    )
    plan = planning.plan_submit(actor=office, plan=plan)
    seeder.clock.after(dt.date(year, 1, 2), days=1)
    request = approvals.pending_for(plan, "work_plan")
    approvals.approval_decide(actor=head, request=request, approve=True,
                              comment="同意 Approved.")  # fmt: skip
    seeder.clock.back_to_today()
    # Last month's reports, as the worker's monthly run generates them on the first.
    for kind in MONTHLY_KINDS:
        reports.generate(actor=None, kind=kind, jurisdiction=district, scheduled=True,
                         as_of=reports.month_end_before(seeder.today))  # fmt: skip
