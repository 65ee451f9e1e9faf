"""Writes to the asset register. Each function is one transaction and writes its audit entry."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from panhuo.core.errors import Conflict, ValidationError
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Unit, User
from panhuo.register.models import Asset

EDITABLE_FIELDS = (
    "code",
    "name",
    "kind",
    "unit",
    "address",
    "latitude",
    "longitude",
    "area",
    "book_value",
    "appraised_value",
    "status",
    "criticality",
)


def _check_fields(data: dict[str, Any]) -> None:
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({name: ["This field cannot be set."] for name in unknown})


def _unit_from(value: Any) -> Unit:
    if isinstance(value, Unit):
        return value
    try:
        return Unit.objects.select_related("jurisdiction").get(pk=value)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"unit": [f"Unknown unit {value!r}."]}) from None


def asset_create(*, actor: User, data: dict[str, Any]) -> Asset:
    """Register a new asset in a unit the actor may write to."""
    _check_fields(data)
    if "unit" not in data or data["unit"] in (None, ""):
        raise ValidationError({"unit": ["This field is required."]})
    unit = _unit_from(data["unit"])
    policy.require(actor, "asset", "create", jurisdiction=unit.jurisdiction, units=[unit.pk])
    asset = Asset(**{**data, "unit": unit})
    asset.full_clean()
    with transaction.atomic():
        asset.save(force_insert=True)
        audit_record(
            actor=actor,
            action="asset.create",
            obj=asset,
            after=snapshot(asset),
            jurisdiction_path=unit.jurisdiction.path,
        )
    return asset


def asset_update(
    *, actor: User, asset: Asset, data: dict[str, Any], version: int | None = None
) -> Asset:
    """Change an asset. ``version`` (if given) must match, so no one's edit is silently lost."""
    _check_fields(data)
    policy.require(
        actor, "asset", "edit", jurisdiction=asset.unit.jurisdiction, units=[asset.unit_id]
    )
    if "unit" in data:
        new_unit = _unit_from(data["unit"])
        policy.require(
            actor, "asset", "edit", jurisdiction=new_unit.jurisdiction, units=[new_unit.pk]
        )
        data = {**data, "unit": new_unit}
    with transaction.atomic():
        current = (
            Asset.objects.select_for_update().select_related("unit__jurisdiction").get(pk=asset.pk)
        )
        if version is not None and current.version != version:
            raise Conflict(
                f"Asset {current.code} was changed by someone else "
                f"(version {current.version}, you edited {version}). Reload and try again."
            )
        before = snapshot(current)
        for name, value in data.items():
            setattr(current, name, value)
        current.full_clean()
        after = snapshot(current)
        if after == before:
            return current
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action="asset.update",
            obj=current,
            before={k: v for k, v in before.items() if after.get(k) != v},
            after={k: v for k, v in after.items() if before.get(k) != v},
            jurisdiction_path=current.unit.jurisdiction.path,
        )
    return current
