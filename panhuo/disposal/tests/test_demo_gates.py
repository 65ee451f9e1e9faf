"""The demo shows each period gate holding a sale back now, with its rule on the page."""

import pytest

from panhuo.core.tests.demo_snapshot import seed_small_demo
from panhuo.disposal import services as ds
from panhuo.disposal.models import DisposalProject
from panhuo.organisation.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            seed_small_demo()
            yield
            transaction.set_rollback(True)


@pytest.mark.parametrize(
    ("name", "status", "step", "who", "rule"),
    [
        ("Gate demo: disclosure still running", "listed", "conclude", "office",
         "disclosure_period"),
        ("Gate demo: result notice still up", "paid", "close", "finance", "notice_period"),
    ],
)  # fmt: skip
def test_each_period_gate_holds_back_a_sale_in_the_demo(seeded, name, status, step, who, rule):
    project = DisposalProject.objects.get(package__name=name)
    assert project.status == status
    user = User.objects.get(username=who)
    blocked = {t.name: why for t, why in ds.blocked_transitions(user, project)}
    assert rule in blocked[step] and "Order 32" in blocked[step]


def test_the_scope_gate_refuses_an_asset_in_the_demo(seeded):
    from panhuo.disposal.candidates import assets_in_scope, confirmed_candidates
    from panhuo.site.demo.seed_gates_scope import uncovered_asset

    asset = uncovered_asset()
    office = User.objects.get(username="office")
    assert asset is not None and not confirmed_candidates(office).filter(pk=asset.pk).exists()
    with pytest.raises(ds.GateRefused) as exc:
        assets_in_scope([asset])
    assert exc.value.rule.code == "scope_not_included" and asset.code in exc.value.text
    # Every asset the demo packaged was in its latest scope decision when it was packaged:
    # none is in a package without a decision that covers it.
    from panhuo.disposal.models import PackageItem
    from panhuo.register.scope_models import ScopeDecisionItem

    packaged = set(PackageItem.objects.values_list("asset_id", flat=True))
    covered = set(
        ScopeDecisionItem.objects.filter(included=True).values_list("asset_id", flat=True)
    )
    assert packaged and packaged <= covered


@pytest.mark.parametrize(
    ("name", "status", "step", "who", "rule"),
    [
        ("Gate demo: relisting before the disclosure ends", "listed", "relist", "office",
         "relist_after_disclosure"),
        ("Gate demo: land listing running", "listed", "conclude", "office",
         "land_listing_short"),
    ],
)  # fmt: skip
def test_each_newest_gate_holds_back_a_sale_in_the_demo(seeded, name, status, step, who, rule):
    project = DisposalProject.objects.get(package__name=name)
    assert project.status == status and rule in project.note
    user = User.objects.get(username=who)
    blocked = {t.name: why for t, why in ds.blocked_transitions(user, project)}
    assert rule in blocked[step]


def test_the_demo_land_sale_records_its_announcement(seeded):
    project = DisposalProject.objects.get(package__name="Gate demo: land listing running")
    r = project.rounds.get()
    assert (r.listed_on - r.announced_on).days == 21
    # Every land sale the demo listed announced itself at least 20 days ahead.
    from panhuo.disposal.channel_models import ListingRound

    land = ListingRound.objects.filter(project__package__items__asset__kind="land").distinct()
    assert land.count() >= 2
    assert all(r.announced_on and (r.listed_on - r.announced_on).days >= 20 for r in land)


def test_the_demo_listing_with_conditions_on_buyers_is_refused(seeded):
    from panhuo.site.demo.seed_gates_listing import LOCAL_ONLY

    name = "Gate demo: conditions on buyers without a basis"
    project = DisposalProject.objects.get(package__name=name)
    assert project.status == "approved" and not project.rounds.exists()
    assert "buyer_conditions_not_allowed" in project.note
    with pytest.raises(ds.GateRefused) as exc:
        ds.project_transition(actor=User.objects.get(username="office"), project=project,
                              transition="list", buyer_conditions=LOCAL_ONLY)  # fmt: skip
    assert exc.value.rule.code == "buyer_conditions_not_allowed"


def test_the_demo_approvals_rest_on_their_documents(seeded):
    """Every disposal of administrative assets the demo approved has the collective decision's
    minutes and a numbered approval document on it; the large ones waiting in the head's inbox
    show what is missing (Decree 738 art. 19)."""
    from panhuo.approvals.models import ApprovalRequest
    from panhuo.approvals.services.gates import missing_documents

    requests = ApprovalRequest.objects.filter(purpose="disposal")
    approved = [r for r in requests.filter(status="approved") if r.documents]
    assert approved and all(missing_documents(r) == [] for r in approved)
    waiting = [r for r in requests.filter(status="pending") if r.current_step == r.step_count]
    assert any(missing_documents(r) for r in waiting if r.documents)
