"""The demo's valuations agree with the price rules the seeded projects went through."""

import pytest
from django.utils import timezone

from panhuo.core.tests.demo_snapshot import seed_small_demo
from panhuo.disposal import pricing_guard as guard
from panhuo.disposal.models import DisposalProject
from panhuo.pricing import rules
from panhuo.pricing.models import Valuation
from panhuo.pricing.selectors import package_appraisal, package_appraised_value

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            seed_small_demo()
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
            # Below the appraisal only on a relisting (a failed round) down to the approval
            # floor, or under the head's written approval (a price exception).
            assert value is not None, p
            floor = value * rules.Thresholds().approval_floor_pct / 100
            relisted = p.rounds.count() > 1 and p.reserve_price >= floor
            assert (
                p.reserve_price >= value or relisted or guard.written_approval(p, p.reserve_price)
            ), p
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


@pytest.mark.amount_check
def test_the_demo_shows_rule_sets_per_class_and_a_draft_held_by_the_amount_check(seeded):
    from panhuo.core.gates import GateRefused
    from panhuo.disposal import services as ds
    from panhuo.finance.models import DeferredTerms
    from panhuo.integrity.models import AuditEntry
    from panhuo.pricing import law
    from panhuo.pricing.models import PriceRuleSet
    from panhuo.pricing.rules import Thresholds

    rows = PriceRuleSet.objects.all()
    assert {r.rule_class for r in rows} >= {"administrative", "land"}
    for r in rows:  # every seeded set keeps the law's minimums
        assert (
            law.laxer_than_law(r.rule_class, {n: getattr(r, n) for n in Thresholds.names()}) is None
        )
    entry = AuditEntry.objects.filter(action="project.import_reserve").get()
    held = DisposalProject.objects.get(pk=entry.object_id)
    assert held.status == "draft"
    appraised = package_appraisal(held.package).total
    assert held.reserve_price * 1000 < appraised
    with pytest.raises(GateRefused) as exc:
        ds.project_transition(actor=held.created_by, project=held, transition="submit")
    assert exc.value.rule.code == "amount_implausible"
    terms = DeferredTerms.objects.get(cancelled=False)
    assert terms.interest_rate > terms.reference_rate and terms.interest_total > 0
