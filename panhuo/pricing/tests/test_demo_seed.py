"""The demo's valuations agree with the price rules the seeded projects went through."""

import pytest
from django.utils import timezone

from panhuo.core.demo import SMALL, seed_demo
from panhuo.disposal.models import DisposalProject
from panhuo.pricing import guard, rules
from panhuo.pricing.models import Valuation
from panhuo.pricing.selectors import package_appraisal, package_appraised_value

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            seed_demo(size=SMALL)
            yield
            transaction.set_rollback(True)


def test_listed_and_sold_projects_have_appraisals_that_allow_them(seeded):
    today = timezone.localdate()
    sold = DisposalProject.objects.filter(channel__in=rules.SELLING_CHANNELS).exclude(
        status__in=["draft", "submitted", "approved", "withdrawn"]
    )
    assert sold.exists()
    for p in sold:
        found = package_appraisal(p.package)
        assert found.complete, p
        if p.status == "listed":
            value = package_appraised_value(p.package, on=today)
            assert value is not None and p.reserve_price >= value, p
            assert guard.check(p, "relist", {"reserve_price": p.reserve_price}) is None
        if p.deal_price:
            assert p.deal_price >= found.total * rules.Thresholds().approval_floor_pct / 100, p


def test_the_demo_has_every_kind_of_valuation_and_some_stale(seeded):
    today = timezone.localdate()
    kinds = set(Valuation.objects.values_list("kind", flat=True))
    assert {"appraisal", "book"} <= kinds
    assert Valuation.objects.filter(kind="appraisal", valid_until__lt=today).exists()
    assert Valuation.objects.filter(kind="appraisal", valid_until__gte=today).count() >= 10
    numbers = list(Valuation.objects.exclude(report_number="").values_list("report_number"))
    assert len(numbers) == len(set(numbers))
