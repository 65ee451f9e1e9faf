"""The demo shows each period gate holding a sale back now, with its rule on the page."""

import pytest

from panhuo.disposal import services as ds
from panhuo.disposal.models import DisposalProject
from panhuo.organisation.models import User
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


@pytest.mark.parametrize(
    ("name", "status", "step", "who", "rule"),
    [
        ("Gate demo: disclosure still running", "listed", "conclude", "office",
         "disclosure_period"),
        ("Gate demo: result notice still up", "paid", "close", "finance", "notice_period"),
    ],
)  # fmt: skip
def test_the_demo_has_a_sale_held_back_by_each_period_gate(seeded, name, status, step, who, rule):
    project = DisposalProject.objects.get(package__name=name)
    assert project.status == status
    user = User.objects.get(username=who)
    blocked = {t.name: why for t, why in ds.blocked_transitions(user, project)}
    assert rule in blocked[step] and "Order 32" in blocked[step]


def test_the_demo_has_an_asset_refused_by_the_scope_gate(seeded):
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
