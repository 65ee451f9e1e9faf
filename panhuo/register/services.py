"""Writes to the asset register. Each function is one transaction and writes its audit entry."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext, gettext_noop

from panhuo.core.errors import Conflict, ValidationError
from panhuo.core.texts import Msg
from panhuo.core.validation import full_clean
from panhuo.integrity.services import (
    audit_insert,
    audit_record,
    audit_record_many,
    save_versioned,
    snapshot,
)
from panhuo.organisation import policy
from panhuo.organisation.models import Unit, User
from panhuo.register import rollups
from panhuo.register.models import (
    GONE_STATUSES,
    Asset,
    AssetStatus,
    ClassificationCode,
    Encumbrance,
)

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
    "classification",
    "certificate_number",
    "title_complete",
    "idle_since",
    "accumulated_depreciation",
    "annual_income",
    "annual_holding_cost",
    "acquired_on",
    "attributes",
)


def _check_fields(data: dict[str, Any]) -> None:
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({name: [gettext("This field cannot be set.")] for name in unknown})


def _unit_from(value: Any) -> Unit:
    if isinstance(value, Unit):
        return value
    try:
        return Unit.objects.select_related("jurisdiction").get(pk=value)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise ValidationError(
            {"unit": [gettext("Unknown unit “%(value)s”.") % {"value": value}]}
        ) from None


def _classification_from(value: Any) -> ClassificationCode | None:
    """A classification given as the object, its code (what files carry) or its id."""
    if value in (None, ""):
        return None
    if isinstance(value, ClassificationCode):
        return value
    code = ClassificationCode.objects.filter(code=str(value).strip()).first()
    if code is None and str(value).isdigit():
        code = ClassificationCode.objects.filter(pk=int(value)).first()
    if code is None:
        raise ValidationError(
            {
                "classification": [
                    gettext("Unknown classification code “%(value)s”.") % {"value": value}
                ]
            }
        )
    return code


def _resolve(data: dict[str, Any]) -> dict[str, Any]:
    if "classification" in data:
        data = {**data, "classification": _classification_from(data["classification"])}
    return data


def asset_create(*, actor: User, data: dict[str, Any]) -> Asset:
    """Register a new asset in a unit the actor may write to."""
    _check_fields(data)
    data = _resolve(data)
    if "unit" not in data or data["unit"] in (None, ""):
        raise ValidationError({"unit": [gettext("This field is required.")]})
    unit = _unit_from(data["unit"])
    policy.require(actor, "asset", "create", jurisdiction=unit.jurisdiction, units=[unit.pk])
    asset = Asset(**{**data, "unit": unit})
    with transaction.atomic():
        audit_insert(
            asset, actor=actor, action="asset.create", jurisdiction_path=unit.jurisdiction.path
        )
        rollups.refresh(unit_ids=[unit.pk])
    return asset


def status_change_refusal(old: str, new: str) -> str:
    """Why the register refuses to move an asset from status ``old`` to ``new`` ("" if it
    may). A disposed asset has left the state's hands (sold, transferred, swapped): no edit,
    import or later step brings it back to any other status."""
    refused = status_change_message(old, new)
    return "" if refused is None else str(refused)


def status_change_message(old: str, new: str) -> Msg | None:
    """``status_change_refusal`` as a message translated when shown (an import's row error)."""
    if old in GONE_STATUSES and new != old:
        return Msg(
            "status_change_refused",
            gettext_noop(
                "The status change “%(old)s” → “%(new)s” is not allowed: a disposed asset has "
                "left the register's holdings and never returns to another status."
            ),
            old=AssetStatus(old).label,
            new=AssetStatus(new).label if new in AssetStatus.values else str(new),
        )
    return None


def asset_set_status(*, actor: User, assets, status: str, reason: str, checked_by: str = "") -> int:
    """Set the status of ``assets`` (the register's service for other apps: a disposal's deal
    or lease). Each change must be allowed (``status_change_refusal``; nothing is written if
    one is not), bumps the asset's version and writes an ``asset.status`` audit entry with
    ``reason``. ``checked_by`` names the caller's own permission-checked, audited step (e.g.
    ``"project.conclude"``) that the change is part of; without it the actor needs the
    register's edit permission on every asset. Returns how many assets changed."""
    if status not in AssetStatus.values:
        raise ValidationError(
            {"status": [gettext("Unknown asset status “%(status)s”.") % {"status": status}]}
        )
    with transaction.atomic():
        pks = [a.pk for a in assets]
        current = list(
            Asset.objects.select_for_update()
            .select_related("unit__jurisdiction")
            .filter(pk__in=pks)
            .order_by("pk")
        )
        if not checked_by:
            for a in current:
                policy.require(
                    actor, "asset", "edit", jurisdiction=a.unit.jurisdiction, units=[a.unit_id]
                )
        refusals = [
            f"{a.code}: {why}" for a in current if (why := status_change_refusal(a.status, status))
        ]
        if refusals:
            raise ValidationError({"status": refusals})
        changing = [a for a in current if a.status != status]
        Asset.objects.filter(pk__in=[a.pk for a in changing]).update(
            status=status, version=F("version") + 1
        )
        note = {"reason": reason, **({"by": checked_by} if checked_by else {})}
        audit_record_many(
            actor=actor,
            records=[
                (
                    "asset.status",
                    a,
                    {"status": a.status},
                    {"status": status, **note},
                    a.unit.jurisdiction.path,
                )
                for a in changing
            ],
        )
        rollups.refresh(unit_ids={a.unit_id for a in changing})
    return len(changing)


def asset_sync_appraised_value(*, asset: Asset, value, actor=None, valuation=None) -> None:
    """Copy the latest valid appraisal onto the asset (and bump its version). Called by
    pricing's ``valuation_create`` inside its transaction, which has checked the permission;
    the asset's own entry records the new value, so that `panhuo audit reconcile` replays it."""
    old = Asset.objects.filter(pk=asset.pk).values_list("appraised_value", flat=True).first()
    Asset.objects.filter(pk=asset.pk).update(appraised_value=value, version=F("version") + 1)
    audit_record(
        actor=actor,
        action="asset.appraised_value",
        obj=asset,
        before={"appraised_value": None if old is None else str(old)},
        after={
            "appraised_value": str(value),
            "valuation": getattr(valuation, "pk", None),
        },
        jurisdiction_path=asset.unit.jurisdiction.path,
    )


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
    data = _resolve(data)
    with transaction.atomic():
        current = (
            Asset.objects.select_for_update().select_related("unit__jurisdiction").get(pk=asset.pk)
        )
        if version is not None and current.version != version:
            raise Conflict(
                gettext(
                    "Asset %(current)s was changed by someone else (version "
                    "%(current_version)s, you edited %(version)s). Reload and try again."
                )
                % {"current": current.code, "current_version": current.version, "version": version}
            )
        before = snapshot(current)
        old_unit = current.unit_id
        if "status" in data:
            why = status_change_refusal(current.status, data["status"])
            if why:
                raise ValidationError({"status": [why]})
        for name, value in data.items():
            setattr(current, name, value)
        full_clean(current)
        if (
            current.criticality == "essential"
            and before["criticality"] != "essential"
            and current.package_items.filter(live=True).exists()
        ):
            raise ValidationError(
                {
                    "criticality": [
                        gettext(
                            "This asset is in a live package; take it out before marking it "
                            "essential."
                        )
                    ]
                }
            )
        save_versioned(
            current, before, actor=actor, action="asset.update",
            path=current.unit.jurisdiction.path,
        )  # fmt: skip
        rollups.refresh(unit_ids={old_unit, current.unit_id})
    return current


ENCUMBRANCE_FIELDS = ("kind", "holder", "amount", "until", "note")


def encumbrance_add(*, actor: User, asset: Asset, data: dict[str, Any]) -> Encumbrance:
    """Record a charge on an asset (it then fails the 'unencumbered' scope rule)."""
    unknown = sorted(set(data) - set(ENCUMBRANCE_FIELDS))
    if unknown:
        raise ValidationError({name: [gettext("This field cannot be set.")] for name in unknown})
    policy.require(
        actor, "asset", "edit", jurisdiction=asset.unit.jurisdiction, units=[asset.unit_id]
    )
    item = Encumbrance(asset=asset, **data)
    full_clean(item)
    with transaction.atomic():
        item.save(force_insert=True)
        audit_record(
            actor=actor,
            action="asset.encumbrance_add",
            obj=asset,
            after={"encumbrance": snapshot(item)},
            jurisdiction_path=asset.unit.jurisdiction.path,
        )
    return item


def encumbrance_remove(*, actor: User, encumbrance: Encumbrance) -> None:
    """Lift a charge (e.g. a mortgage repaid); the audit log keeps what it was."""
    asset = encumbrance.asset
    policy.require(
        actor, "asset", "edit", jurisdiction=asset.unit.jurisdiction, units=[asset.unit_id]
    )
    with transaction.atomic():
        before = snapshot(encumbrance)
        encumbrance.delete()
        audit_record(
            actor=actor,
            action="asset.encumbrance_remove",
            obj=asset,
            before={"encumbrance": before},
            jurisdiction_path=asset.unit.jurisdiction.path,
        )
