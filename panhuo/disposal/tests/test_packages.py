"""Packages: an asset is in at most one live package; essential assets never enter one."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from panhuo.core.testing import AssetFactory
from panhuo.core.tests.per_caller import per_caller
from panhuo.disposal import selectors
from panhuo.disposal import services as ds
from panhuo.disposal.models import Package, PackageItem
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.policy import NotPermitted


def _pkg(w, assets, who="office"):
    return ds.package_create(
        actor=w.user(who),
        jurisdiction=w.district,
        name="Lot",
        channel="auction",
        asset_ids=[a.pk for a in assets],
    )


def test_figures_are_derived_from_assets(world):
    a = AssetFactory(unit=world.unit, book_value=Decimal("10.00"), appraised_value=Decimal("12.50"))
    b = AssetFactory(unit=world.unit2, book_value=Decimal("5.25"), appraised_value=None)
    pkg = selectors.get_package_for(world.user("office"), _pkg(world, [a, b]).pk)
    assert (pkg.asset_count, pkg.total_book_value, pkg.total_appraised_value) == (
        2,
        Decimal("15.25"),
        Decimal("12.50"),
    )


def test_asset_in_one_live_package_service(world):
    a = AssetFactory(unit=world.unit)
    _pkg(world, [a])
    n = (Package.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as exc:
        _pkg(world, [a])
    assert "already in live package" in str(exc.value)
    assert (Package.objects.count(), AuditEntry.objects.count()) == n


def test_asset_in_one_live_package_database(world):
    a = AssetFactory(unit=world.unit)
    first = _pkg(world, [a])
    second = _pkg(world, [])
    with pytest.raises(IntegrityError), transaction.atomic():
        PackageItem.objects.create(package=second, asset=a, live=True)
    # A package that is no longer live does not block the asset.
    PackageItem.objects.filter(package=first).update(live=False)
    PackageItem.objects.create(package=second, asset=a, live=True)


def test_essential_asset_refused(world):
    a = AssetFactory(unit=world.unit, criticality="essential")
    with pytest.raises(ValidationError) as exc:
        _pkg(world, [a])
    assert "essential" in str(exc.value)
    assert not Package.objects.exists()


@per_caller(["head", "finance", "unit_officer", "auditor", "outsider_office"])
def test_package_create_denied(world, who):
    a = AssetFactory(unit=world.unit)
    with pytest.raises(NotPermitted):
        _pkg(world, [a], who=who)
    assert not Package.objects.exists()


def test_other_districts_asset_is_unknown(world):
    a = AssetFactory(unit=world.other_unit)
    with pytest.raises(ValidationError) as exc:
        _pkg(world, [a])
    assert "Unknown asset" in str(exc.value)


def test_add_and_remove(world):
    a, b = AssetFactory(unit=world.unit), AssetFactory(unit=world.unit)
    pkg = _pkg(world, [a])
    ds.package_add_assets(actor=world.user("office"), package=pkg, asset_ids=[b.pk])
    assert pkg.items.count() == 2
    ds.package_remove_asset(actor=world.user("office"), package=pkg, asset_id=a.pk)
    assert list(pkg.items.values_list("asset_id", flat=True)) == [b.pk]
    with pytest.raises(ValidationError):
        ds.package_remove_asset(actor=world.user("office"), package=pkg, asset_id=a.pk)


def test_package_locked_while_project_under_way(world):
    a, b = AssetFactory(unit=world.unit), AssetFactory(unit=world.unit)
    pkg = _pkg(world, [a])
    p = ds.project_create(actor=world.user("office"), package=pkg, reserve_price=Decimal("9"))
    ds.project_transition(actor=world.user("office"), project=p, transition="submit")
    with pytest.raises(ValidationError):
        ds.package_add_assets(actor=world.user("office"), package=pkg, asset_ids=[b.pk])
    assert pkg.items.count() == 1


def test_one_active_project_per_package(world):
    pkg = _pkg(world, [AssetFactory(unit=world.unit)])
    p = ds.project_create(actor=world.user("office"), package=pkg, reserve_price=Decimal("9"))
    with pytest.raises(ValidationError):
        ds.project_create(actor=world.user("office"), package=pkg, reserve_price=Decimal("9"))
    ds.project_transition(
        actor=world.user("office"), project=p, transition="withdraw", comment="market is weak"
    )
    again = ds.project_create(actor=world.user("office"), package=pkg, reserve_price=Decimal("8"))
    assert again.status == "draft"


@pytest.mark.parametrize("price", [Decimal("0"), Decimal("-1")])
def test_reserve_must_be_positive(world, price):
    pkg = _pkg(world, [AssetFactory(unit=world.unit)])
    with pytest.raises(ValidationError) as exc:
        ds.project_create(actor=world.user("office"), package=pkg, reserve_price=price)
    assert "reserve_price" in exc.value.message_dict
    assert not pkg.projects.exists()


def test_database_refuses_essential_asset_in_package(world):
    from django.db import DatabaseError

    from panhuo.register.models import Asset

    essential = AssetFactory(unit=world.unit, criticality="essential")
    pkg = _pkg(world, [])
    with pytest.raises(DatabaseError), transaction.atomic():
        PackageItem.objects.create(package=pkg, asset=essential)
    packaged = AssetFactory(unit=world.unit)
    _pkg(world, [packaged])
    with pytest.raises(DatabaseError), transaction.atomic():
        Asset.objects.filter(pk=packaged.pk).update(criticality="essential")
    packaged.refresh_from_db()
    assert packaged.criticality == "non_essential"


def test_service_refuses_marking_packaged_asset_essential(world):
    from panhuo.register.services import asset_update

    packaged = AssetFactory(unit=world.unit)
    _pkg(world, [packaged])
    with pytest.raises(ValidationError) as exc:
        asset_update(actor=world.user("office"), asset=packaged, data={"criticality": "essential"})
    assert "criticality" in exc.value.message_dict


def test_project_update_version_check(world):
    from panhuo.core.errors import Conflict

    pkg = _pkg(world, [AssetFactory(unit=world.unit)])
    p = ds.project_create(actor=world.user("office"), package=pkg, reserve_price=Decimal("9"))
    ds.project_update(actor=world.user("office"), project=p, data={"note": "a"}, version=1)
    with pytest.raises(Conflict):
        ds.project_update(actor=world.user("office2"), project=p, data={"note": "b"}, version=1)
    p.refresh_from_db()
    assert (p.note, p.version) == ("a", 2)
