"""Asset writes: who may, who may not, and what bad input does (nothing written)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from panhuo.core.errors import Conflict
from panhuo.core.testing import AssetFactory
from panhuo.core.tests.per_caller import per_caller
from panhuo.integrity.models import AuditEntry
from panhuo.integrity.selectors import history_of
from panhuo.organisation.policy import NotPermitted
from panhuo.register.models import Asset
from panhuo.register.services import asset_create, asset_update


def _data(holding_unit, **over):
    data = {
        "code": "NEW-1",
        "name": "Vacant depot",
        "kind": "building",
        "unit": holding_unit.pk,
        "book_value": Decimal("1000.00"),
        "status": "idle",
    }
    data.update(over)
    return data


@per_caller(["office", "unit_officer"])
def test_create_allowed(world, who):
    asset = asset_create(actor=world.user(who), data=_data(world.unit))
    assert asset.pk and asset.unit == world.unit
    entry = AuditEntry.objects.get(object_type="register.asset", object_id=str(asset.pk))
    assert entry.action == "asset.create" and entry.actor == world.user(who)
    assert entry.after["book_value"] == "1000.00"


@pytest.mark.parametrize(
    "who",
    [
        "head",
        "deputy",
        "finance",
        "auditor",
        "supervisor",
        "bidder",
        "norole",
        "other_unit_officer",
        "outsider_office",
        "outsider_unit_officer",
    ],
)
def test_create_denied_writes_nothing(world, who):
    before = (Asset.objects.count(), AuditEntry.objects.count())
    with pytest.raises(NotPermitted):
        asset_create(actor=world.user(who), data=_data(world.unit))
    assert (Asset.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"book_value": Decimal("-1.00")}, "book_value"),
        ({"area": Decimal("-5")}, "area"),
        ({"kind": "spaceship"}, "kind"),
        ({"name": ""}, "name"),
        ({"unit": 999999}, "unit"),
        ({"unit": "abc"}, "unit"),
        ({"latitude": Decimal("123.0")}, "latitude"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_create_bad_input_names_field(world, over, field):
    before = (Asset.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as exc:
        asset_create(actor=world.user("office"), data=_data(world.unit, **over))
    assert field in exc.value.message_dict
    assert (Asset.objects.count(), AuditEntry.objects.count()) == before


def test_duplicate_code_in_unit_refused(world):
    asset_create(actor=world.user("office"), data=_data(world.unit))
    with pytest.raises(ValidationError):
        asset_create(actor=world.user("office"), data=_data(world.unit))
    assert Asset.objects.filter(code="NEW-1").count() == 1


def test_update_records_history_and_bumps_version(world):
    asset = AssetFactory(unit=world.unit)
    updated = asset_update(
        actor=world.user("office"),
        asset=asset,
        data={"name": "Renamed", "book_value": Decimal("42.00")},
        version=asset.version,
    )
    assert updated.version == asset.version + 1
    entry = history_of(asset)[0]
    # The save's own time is audited too (integrity.reconcile compares rows with their entries).
    assert entry.before.pop("updated_at") == asset.updated_at.isoformat()
    assert entry.after.pop("updated_at") == updated.updated_at.isoformat()
    assert entry.before == {"name": asset.name, "book_value": str(asset.book_value)}
    assert entry.after == {"name": "Renamed", "book_value": "42.00"}


def test_update_without_change_writes_no_entry(world):
    asset = AssetFactory(unit=world.unit)
    n = AuditEntry.objects.count()
    asset_update(actor=world.user("office"), asset=asset, data={"name": asset.name})
    assert AuditEntry.objects.count() == n


def test_stale_version_conflicts_and_keeps_first_edit(world):
    asset = AssetFactory(unit=world.unit)
    asset_update(actor=world.user("office"), asset=asset, data={"name": "First"}, version=1)
    with pytest.raises(Conflict):
        asset_update(actor=world.user("office2"), asset=asset, data={"name": "Second"}, version=1)
    asset.refresh_from_db()
    assert asset.name == "First"


def test_unit_officer_cannot_move_asset_to_another_unit(world):
    asset = AssetFactory(unit=world.unit)
    with pytest.raises(NotPermitted):
        asset_update(actor=world.user("unit_officer"), asset=asset, data={"unit": world.unit2.pk})
    asset.refresh_from_db()
    assert asset.unit == world.unit


def test_unit_officer_cannot_edit_other_units_asset(world):
    asset = AssetFactory(unit=world.unit2)
    with pytest.raises(NotPermitted):
        asset_update(actor=world.user("unit_officer"), asset=asset, data={"name": "x"})
    asset.refresh_from_db()
    assert asset.name != "x"


def test_full_record_and_derived_figures(world):
    import datetime as dt

    asset = asset_create(
        actor=world.user("office"),
        data=_data(
            world.unit,
            kind="vehicle",
            book_value=Decimal("300000.00"),
            accumulated_depreciation=Decimal("120000.00"),
            appraised_value=Decimal("150000.00"),
            annual_income=Decimal("0.00"),
            annual_holding_cost=Decimal("6000.00"),
            idle_since=dt.date(2024, 1, 15),
            attributes={"plate": "粤B·12345", "mileage_km": "84,000"},
        ),
    )
    assert asset.net_book_value == Decimal("180000.00")
    assert asset.months_idle(on=dt.date(2025, 1, 14)) == 11
    assert asset.months_idle(on=dt.date(2025, 1, 15)) == 12
    assert asset.income_yield == Decimal("-0.0400")
    assert asset.attributes == {"plate": "粤B·12345", "mileage_km": 84000}


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"attributes": {"wingspan": "3"}}, "attributes.wingspan"),
        ({"attributes": {"floors": "many"}}, "attributes.floors"),
        ({"accumulated_depreciation": Decimal("2000.00")}, "accumulated_depreciation"),
        ({"acquired_on": __import__("datetime").date(2999, 1, 1)}, "acquired_on"),
        ({"classification": "ZZZ"}, "classification"),
    ],
)
def test_full_record_bad_input(world, over, field):
    with pytest.raises(ValidationError) as exc:
        asset_create(actor=world.user("office"), data=_data(world.unit, **over))
    assert field in exc.value.message_dict
    assert not Asset.objects.filter(code="NEW-1").exists()


def test_encumbrances_are_audited_and_scoped(world):
    from panhuo.register.services import encumbrance_add, encumbrance_remove

    asset = AssetFactory(unit=world.unit)
    item = encumbrance_add(
        actor=world.user("unit_officer"),
        asset=asset,
        data={"kind": "mortgage", "holder": "Agricultural Bank", "amount": Decimal("1.00")},
    )
    with pytest.raises(NotPermitted):
        encumbrance_remove(actor=world.user("other_unit_officer"), encumbrance=item)
    assert asset.encumbrances.count() == 1
    encumbrance_remove(actor=world.user("office"), encumbrance=item)
    assert not asset.encumbrances.exists()
    actions = [e.action for e in history_of(asset)]
    assert actions == ["asset.encumbrance_remove", "asset.encumbrance_add"]
