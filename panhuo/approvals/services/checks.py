"""What every write of the approval engine checks first: known purposes and channels, role names
as people read them, and a place's line of ancestors."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from panhuo.approvals.registry import PURPOSES, channel_choices
from panhuo.core.errors import ValidationError
from panhuo.organisation.models import Jurisdiction, Role

#: What applies where nobody configured a chain: one step, the head or a deputy.
DEFAULT_STEPS: list[list[str]] = [[Role.HEAD.value, Role.DEPUTY.value]]
DEFAULT_CHAIN_NAME = "Default: task-force head or deputy"
MAX_STEPS = 10


def role_names(roles: Iterable[str]) -> str:
    labels = {r.value: str(r.label) for r in Role}
    return " or ".join(labels.get(r, r) for r in roles)


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise ValidationError(
            {
                "purpose": [
                    _("Unknown purpose “%(purpose)s”; one of %(choices)s.")
                    % {"purpose": purpose, "choices": sorted(PURPOSES)}
                ]
            }
        )


def _known_channels() -> set[str]:
    return {value for value, _label in channel_choices()}


def _check_channel(channel: str) -> None:
    known = _known_channels()
    if channel and known and channel not in known:
        raise ValidationError(
            {
                "channel": [
                    _("Unknown channel “%(channel)s”; one of %(choices)s.")
                    % {"channel": channel, "choices": sorted(known)}
                ]
            }
        )


def _amount_at_least_zero(value: Any, field: str, below_zero: str) -> Decimal:
    """``value`` to the cent (a chain's threshold, a request's amount); what is not a decimal
    amount is refused, and so is one below zero (with ``below_zero``)."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("A decimal amount.")]}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field: [below_zero]})
    return amount


def _ancestor_ids(jurisdiction: Jurisdiction) -> list[int]:
    """The jurisdiction and its ancestors, nearest first (from its materialised path)."""
    return [int(p) for p in reversed(jurisdiction.path.strip("/").split("/")) if p]
