"""The demo carries the district's approved plan for the seed's year, with progress computed
from the seeded records (the plan pages, scorecards and monthly report measure against it)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from panhuo.planning.models import Measure, PlanStatus, WorkPlan
from panhuo.planning.progress import plan_progress
from panhuo.reports.models import GeneratedReport
from panhuo.reports.services import regenerate
from panhuo.site.demo import catalogue as c

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_approved_plan_for_its_year_with_progress(small_demo):
    plan = WorkPlan.objects.get(jurisdiction__code=c.DISTRICT[0], status=PlanStatus.APPROVED)
    # The seed's day is the last working day on or before today: this year (or, on 1 January,
    # the last).
    assert timezone.localdate().year - plan.year in (0, 1)
    lines = plan_progress(plan)
    money = next(ln for ln in lines if ln.measure == Measure.MONEY)
    assert money.target == plan.money_total > 0
    assert sum(ln.target for ln in lines if ln.measure == Measure.ASSETS) == plan.assets_total
    # Some progress is there to show: the seeded records of the year, never typed.
    assert any(ln.actual > 0 for ln in lines)
    # And last month's reports, as the monthly run makes them, each reproducible.
    reports = GeneratedReport.objects.filter(jurisdiction=plan.jurisdiction, scheduled=True)
    assert sorted(reports.values_list("kind", flat=True)) == ["monthly", "work_report"]
    assert regenerate(reports.get(kind="monthly")).ok
