"""Scoping: a role covers its jurisdiction and everything below; a unit officer, one unit."""

import pytest

from panhuo.core.testing import AssetFactory
from panhuo.organisation import policy
from panhuo.register.models import Asset


@pytest.fixture
def assets(world):
    return {
        "a_unit": AssetFactory(unit=world.unit),
        "a_unit2": AssetFactory(unit=world.unit2),
        "b_unit": AssetFactory(unit=world.other_unit),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("head", {"a_unit", "a_unit2"}),
        ("office", {"a_unit", "a_unit2"}),
        ("finance", {"a_unit", "a_unit2"}),
        ("auditor", {"a_unit", "a_unit2"}),
        ("supervisor", {"a_unit", "a_unit2", "b_unit"}),
        ("unit_officer", {"a_unit"}),
        ("other_unit_officer", {"a_unit2"}),
        ("outsider_office", {"b_unit"}),
        ("bidder", set()),
        ("norole", set()),
    ],
)
def test_asset_visibility(world, assets, who, expected):
    seen = set(Asset.objects.visible_to(world.user(who)).values_list("pk", flat=True))
    assert seen == {assets[k].pk for k in expected}


def test_anonymous_sees_nothing(world, assets):
    from django.contrib.auth.models import AnonymousUser

    assert not Asset.objects.visible_to(AnonymousUser()).exists()
    assert policy.grants(AnonymousUser()) == []


def test_inactive_user_has_no_grants(world):
    user = world.user("head")
    user.is_active = False
    assert not policy.allowed(user, "asset", "view", jurisdiction=world.district)


def test_unit_officer_not_covered_by_mixed_units(world):
    officer = world.user("unit_officer")
    assert policy.allowed(
        officer, "asset", "edit", jurisdiction=world.district, units=[world.unit.pk]
    )
    assert not policy.allowed(
        officer, "asset", "edit", jurisdiction=world.district, units=[world.unit.pk, world.unit2.pk]
    )


def test_unknown_rule_is_a_programming_error(world):
    with pytest.raises(KeyError):
        policy.allowed(world.user("head"), "asset", "teleport", jurisdiction=world.district)


def test_path_prefix_does_not_leak_between_siblings(world):
    """'/1/2/' must not match '/1/22/': paths end with a slash for this reason."""
    from panhuo.organisation.models import Jurisdiction

    siblings = [
        Jurisdiction.objects.create(code=f"X{i}", name=f"X{i}", level="district", parent=world.city)
        for i in range(12)
    ]
    paths = [j.path for j in siblings]
    for p in paths:
        assert p.endswith("/")
        assert sum(q.startswith(p) for q in paths) == 1
