"""The demo looks alive and Chinese on the day it is seeded (issue 14, item 7).

The small demo, seeded today (whatever day the tests run: that is the point), is checked as a
newcomer would see it: no project weeks past its time limit, an audit log written on working
days in office hours, a debt ratio with its denominator, a valuation model with deals to learn
from, and the district's own data in Chinese.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.conf import settings
from django.utils import timezone

from panhuo.core import workdays
from panhuo.core.tests.demo_snapshot import seed_small_demo
from panhuo.disposal.models import DisposalProject, Package
from panhuo.disposal.selectors import overdue_for
from panhuo.finance.debts.indicators import indicators_for
from panhuo.finance.models import Debt
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.models import Jurisdiction, Unit, User
from panhuo.pricing.avm import MIN_DEALS, training_rows
from panhuo.pricing.models import AvmRun
from panhuo.register.models import Asset
from panhuo.site.demo import catalogue as c
from panhuo.site.demo.seed_clock import SeedClock

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

#: A project may be a little late on a live demo (a payment awaited, a rent days overdue), not
#: months: about one month of working days at most.
PLAUSIBLY_LATE = 25
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """This worker's small demo (demo_snapshot.py), seeded today: what a newcomer sees."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            seed_small_demo()
            yield Jurisdiction.objects.get(code=c.DISTRICT[0])
            transaction.set_rollback(True)


@pytest.fixture(scope="module")
def seeded_on() -> dt.date:
    """The demo's own day: the last working day on or before today."""
    return SeedClock(timezone.localdate()).today


def test_no_project_is_overdue_by_more_than_a_plausible_number_of_working_days(seeded, seeded_on):
    supervisor = User.objects.get(username="supervisor")
    today = timezone.localdate()
    late = overdue_for(supervisor, today=today, mine=False)
    for project in late:
        behind = workdays.working_days_between(project.due_on, today)
        assert behind <= PLAUSIBLY_LATE, (project.code, project.status, project.due_on)
    # Nothing is dated after the day of seeding.
    assert not DisposalProject.objects.filter(state_since__gt=seeded_on).exists()


def test_audit_entries_fall_on_working_days_in_office_hours_up_to_the_seed_day(seeded, seeded_on):
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    days = set()
    for at in AuditEntry.objects.values_list("created_at", flat=True):
        local = at.astimezone(zone)
        assert workdays.is_working_day(local.date()), local
        assert dt.time(9, 0) <= local.time() < dt.time(17, 30), local
        assert local.date() <= seeded_on, local
        days.add(local.date())
    # Spread over the months the district has worked, not stamped at the moment of seeding.
    assert len(days) >= 30 and min(days) < seeded_on - dt.timedelta(days=365)


def test_the_debt_ratio_shows_a_value_for_the_demo_district(seeded, seeded_on):
    finance = User.objects.get(username="finance")
    shown = indicators_for(finance, seeded, as_of=seeded_on)
    assert shown.capacity and shown.debt_ratio is not None and shown.debt_ratio_tier


def test_the_valuation_model_has_enough_concluded_sales_and_was_trained(seeded):
    deals = {row.deal for row in training_rows(seeded)}
    assert len(deals) >= MIN_DEALS
    assert AvmRun.objects.filter(jurisdiction=seeded).exists()


def test_the_data_is_in_chinese(seeded):
    names = {
        "jurisdictions": Jurisdiction.objects.values_list("name", flat=True),
        "units": Unit.objects.values_list("name", flat=True),
        "assets": Asset.objects.values_list("name", flat=True),
        "creditors": Debt.objects.values_list("creditor", flat=True),
        # The gate demos keep their English tag ("Gate demo: …"), as the README quotes them.
        "packages": Package.objects.exclude(name__startswith="Gate demo").values_list(
            "name", flat=True
        ),
        "people": [u.last_name + u.first_name for u in User.objects.all()],
    }
    for what, values in names.items():
        values = list(values)
        assert values, what
        foreign = [v for v in values if not CJK.search(v)]
        assert not foreign, (what, foreign[:5])
    assert all(
        CJK.search(a) for a in Asset.objects.exclude(address="").values_list("address", flat=True)
    )
