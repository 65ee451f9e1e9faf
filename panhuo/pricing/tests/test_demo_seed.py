"""The demo's valuations agree with the price rules the seeded projects went through."""

import pytest
from django.utils import timezone

from panhuo.disposal import pricing_guard as guard
from panhuo.disposal.models import DisposalProject
from panhuo.pricing import rules
from panhuo.pricing.models import Valuation
from panhuo.pricing.selectors import package_appraisal, package_appraised_value
from panhuo.site.demo import SMALL, seed_demo

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
            # Below the appraisal only under the head's written approval (a price exception).
            assert value is not None, p
            assert p.reserve_price >= value or guard.written_approval(p, p.reserve_price), p
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


def test_the_demo_has_a_pending_price_exception_and_one_that_let_a_relist_through(seeded):
    from panhuo.approvals.models import ApprovalRequest

    requests = ApprovalRequest.objects.filter(purpose="price_exception").order_by("pk")
    assert sorted(r.status for r in requests) == ["approved", "pending"]
    approved = requests.get(status="approved")
    project = DisposalProject.objects.get(pk=approved.object_id)
    appraised = package_appraisal(project.package).total
    floor = appraised * rules.Thresholds().approval_floor_pct / 100
    # Relisted below the floor at exactly the approved amount, after the approval.
    assert project.status == "listed" and project.reserve_price == approved.amount < floor
    relist = project.events.filter(transition="relist").latest("at", "pk")
    assert relist.at >= approved.closed_at
    pending = DisposalProject.objects.get(pk=requests.get(status="pending").object_id)
    # Its sale is still ahead (listed again, or approved and not yet sold).
    assert pending.status in {"listed", "approved"} and pending.channel in rules.SELLING_CHANNELS


def test_the_demo_scope_gives_the_package_suggestions_candidates(seeded):
    from panhuo.disposal.suggestions import suggestions_for
    from panhuo.organisation.models import User

    head = User.objects.get(username="head")
    suggestions = suggestions_for(head)
    assert suggestions and all(s.items for s in suggestions)
