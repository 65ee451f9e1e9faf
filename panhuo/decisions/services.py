"""Writes of decisions: an asset's own decision input, with its reason (one transaction,
permission checked, audit logged)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from panhuo.core.errors import field_error
from panhuo.decisions.models import AssetInput
from panhuo.decisions.npv import BOUNDS
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import policy


def asset_input_set(*, actor, asset, name: str, value: Decimal | None, reason: str):
    """Set ``name`` for ``asset`` to ``value`` for the reason given (None: back to the place's
    default). The value must lie within the input's plausible bounds; the reason is required."""
    place = asset.unit.jurisdiction
    policy.require(actor, "decision_input", "set", jurisdiction=place)
    if name not in BOUNDS:
        raise field_error("name", _("Unknown input %(name)s.") % {"name": name})
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Say why this asset's input differs from the default."))
    if value is not None:
        low, high = BOUNDS[name]
        if not value.is_finite() or not low <= value <= high:
            raise field_error(
                "value",
                _("%(field)s is %(value)s, outside the plausible range %(low)s to %(high)s.")
                % {"field": name, "value": value, "low": low, "high": high},
            )
    with transaction.atomic():
        row = AssetInput.objects.select_for_update().filter(asset=asset, name=name).first()
        before = snapshot(row) if row else None
        if value is None:
            if row is not None:
                audit_record(actor=actor, action="decision_input.remove", obj=row,
                             before=before, after={"reason": reason},
                             jurisdiction_path=place.path)  # fmt: skip
                row.delete()
            return None
        row, _created = AssetInput.objects.update_or_create(
            asset=asset, name=name, defaults={"value": value, "reason": reason, "set_by": actor}
        )
        audit_record(actor=actor, action="decision_input.set", obj=row, before=before,
                     after=snapshot(row), jurisdiction_path=place.path)  # fmt: skip
    return row
