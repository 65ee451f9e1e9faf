"""Checking a plan's targets before anything is written: each row names a measure, a quarter
and its breakdown (a debt type; a unit and channel), and each measure's rows add up to the
plan's annual total. Errors name the row and the field, so a form or an import shows them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.core.money import CENT
from panhuo.disposal.models import Channel
from panhuo.finance.models import DebtType
from panhuo.organisation.models import Jurisdiction, Unit
from panhuo.planning.models import QUARTERS, Measure, PlanTarget


def clean_amount(value: Any, field: str, *, whole: bool = False) -> Decimal:
    """A non-negative amount with at most two decimals (a whole number for counts)."""
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: [_("“%(value)s” is not a number.") % {"value": value}]}
        ) from None
    if number < 0 or number >= Decimal("1e17"):
        raise ValidationError({field: [_("Give zero or more (below 10^17).")]})
    if whole and number != number.to_integral_value():
        raise ValidationError({field: [_("Assets are counted in whole numbers.")]})
    if number != number.quantize(CENT):
        raise ValidationError({field: [_("At most two decimals.")]})
    return number.quantize(CENT)


def _row(i: int, raw: dict, jurisdiction: Jurisdiction) -> PlanTarget:
    """One target row, unsaved; errors name ``targets[i].field``."""
    at = f"targets[{i}]"
    measure = str(raw.get("measure", ""))
    if measure not in Measure.values:
        raise ValidationError(
            {
                f"{at}.measure": [
                    _("“%(value)s” is not one of %(choices)s.")
                    % {"value": measure, "choices": ", ".join(Measure.values)}
                ]
            }
        )
    try:
        quarter = int(raw.get("quarter"))
    except (TypeError, ValueError):
        quarter = 0
    if quarter not in QUARTERS:
        raise ValidationError({f"{at}.quarter": [_("The quarter is 1, 2, 3 or 4.")]})
    amount = clean_amount(raw.get("amount"), f"{at}.amount", whole=measure == Measure.ASSETS)
    row = PlanTarget(measure=measure, quarter=quarter, amount=amount)
    if measure == Measure.DEBT:
        row.debt_type = str(raw.get("debt_type") or "")
        if row.debt_type not in DebtType.values:
            raise ValidationError({f"{at}.debt_type": [_("Name the debt type of the target.")]})
    if measure == Measure.ASSETS:
        row.unit = _unit(raw.get("unit"), jurisdiction, f"{at}.unit")
        row.channel = str(raw.get("channel") or "")
        if row.channel not in Channel.values:
            raise ValidationError({f"{at}.channel": [_("Name the channel of the target.")]})
    return row


def _unit(value: Any, jurisdiction: Jurisdiction, field: str) -> Unit:
    """A holding unit of the plan's jurisdiction (or one below it)."""
    key = str(getattr(value, "pk", value) or "").strip()
    unit = None
    if key.isdigit():
        unit = Unit.objects.filter(
            pk=int(key), jurisdiction__path__startswith=jurisdiction.path
        ).first()
    if unit is None:
        raise ValidationError(
            {
                field: [
                    _("“%(value)s” is not a unit of %(place)s.")
                    % {"value": value, "place": jurisdiction}
                ]
            }
        )
    return unit


def clean_targets(
    rows: list[dict], jurisdiction: Jurisdiction, totals: dict[Measure, Decimal]
) -> list[PlanTarget]:
    """The rows, checked, each measure's summing to its annual total (a clear error naming the
    measure and both figures otherwise), and no breakdown given twice."""
    cleaned = [_row(i, raw, jurisdiction) for i, raw in enumerate(rows)]
    seen: set[tuple] = set()
    for i, t in enumerate(cleaned):
        key = (t.measure, t.quarter, t.debt_type, t.unit_id if t.unit else None, t.channel)
        if key in seen:
            raise ValidationError({f"targets[{i}]": [_("This target is given twice.")]})
        seen.add(key)
    for measure, total in totals.items():
        added = sum((t.amount for t in cleaned if t.measure == measure), Decimal("0.00"))
        if added != total:
            label = Measure(measure).label
            raise ValidationError(
                {
                    "targets": [
                        _(
                            "The %(measure)s targets add up to %(added)s, not the plan's "
                            "annual total %(total)s."
                        )
                        % {"measure": label, "added": added, "total": total}
                    ]
                }
            )
    return cleaned
