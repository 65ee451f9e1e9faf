"""A small world with scorecards to compute: district A's approved plan for this year (its
asset targets: 3 of U1 by auction, 2 of U2 by lease), a sale of U1 concluded today (deal
3,000,000 against an appraisal of 4,000,000), an open red flag and an audit finding on U1, and
two assets of U2 (one complete and freshly valued, one without an address or a valuation)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from panhuo.approvals import services as approvals
from panhuo.core.testing import AssetFactory, appraise, concluded_project
from panhuo.findings.services import finding_raise
from panhuo.flags.models import Flag
from panhuo.planning import services as plans
from panhuo.planning.models import WorkPlan
from panhuo.planning.tests.support import plan_data
from panhuo.register.models import ClassificationCode


@dataclass
class Scored:
    plan: WorkPlan
    project: object
    asset: object


def approved_plan(w, year: int | None = None) -> WorkPlan:
    year = year or timezone.localdate().year
    office = w.user("office")
    plan = plans.plan_draft(actor=office, jurisdiction=w.district, data=plan_data(w, year=year))
    plan = plans.plan_submit(actor=office, plan=plan)
    request = approvals.pending_for(plan, "work_plan")
    approvals.approval_decide(actor=w.user("head"), request=request, approve=True)
    plan.refresh_from_db()
    return plan


def scored_world(w) -> Scored:
    today = timezone.localdate()
    plan = approved_plan(w)
    asset = AssetFactory(unit=w.unit)
    project = concluded_project(w, deal_price=Decimal("3000000.00"), assets=[asset])
    appraise(asset, Decimal("4000000.00"), base_date=today - dt.timedelta(days=100))
    now = timezone.now()
    Flag.objects.create(
        rule="deal_below_appraisal", severity="medium", jurisdiction=w.district, unit=w.unit,
        subject_type="disposal.disposalproject", subject_id=str(project.pk),
        subject_label=str(project), evidence={}, fingerprint="scorecards", first_seen=now,
        last_seen=now,
    )  # fmt: skip
    finding_raise(actor=w.user("auditor"), record_kind="asset", record_id=asset.pk,
                  title="Sold below appraisal", description="See the flag.",
                  severity="high")  # fmt: skip
    code = ClassificationCode.objects.create(code="SC-1", name="Office buildings")
    complete = {"status": "in_use", "acquired_on": dt.date(2010, 1, 1), "classification": code}
    AssetFactory(unit=w.unit2, **complete)
    AssetFactory(unit=w.unit2, address="", appraisal=False, **complete)
    return Scored(plan, project, asset)
