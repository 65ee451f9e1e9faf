"""Records for the report tests: an approved plan of the district for this year, a concluded
sale whose money came in this month and repaid part of a bank loan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from panhuo.approvals import services as approvals
from panhuo.core.testing import AssetFactory, concluded_project
from panhuo.finance import services as fs
from panhuo.planning import services as planning
from panhuo.planning.tests.support import plan_data


def sale_and_plan(w, *, received="1234567.89", allocated="450000.00", year=None):
    """The plan approved, one sale concluded today with ``received`` in and ``allocated`` of it
    to a bank loan; returns (plan, project)."""
    today = timezone.localdate()
    plan = planning.plan_draft(
        actor=w.user("office"), jurisdiction=w.district, data=plan_data(w, year=year or today.year)
    )
    plan = planning.plan_submit(actor=w.user("office"), plan=plan)
    request = approvals.pending_for(plan, "work_plan")
    approvals.approval_decide(actor=w.user("head"), request=request, approve=True)
    project = concluded_project(
        w, deal_price=Decimal(received),
        assets=[AssetFactory(unit=w.unit), AssetFactory(unit=w.unit)],
    )  # fmt: skip
    receipt = fs.receipt_create(
        actor=w.user("finance"), project=project, amount=received, received_on=today,
        voucher="V-R1", budget_class="non_tax",
    )  # fmt: skip
    debt = fs.debt_create(
        actor=w.user("finance"), jurisdiction=w.district,
        data={"creditor": "Bank", "debt_type": "bank_loan", "principal": "9000000.00",
              "rate": Decimal("0"), "issue_date": dt.date(2024, 1, 1),
              "maturity_date": dt.date(2030, 1, 1)},
    )  # fmt: skip
    fs.allocation_create(actor=w.user("finance"), receipt=receipt, debt=debt, amount=allocated,
                         allocated_on=today)  # fmt: skip
    plan.refresh_from_db()
    return plan, project
