"""A jurisdiction's risk settings: its tier thresholds and whether a year without fiscal
figures may use an earlier year's (DESIGN.md §2, "Debt risk"; issue 15: "thresholds and alert
levels configurable per jurisdiction, nearest ancestor wins, defaulting to the MoF tiers")."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.finance.debts.models import RiskSettings
from panhuo.integrity.services import audit_record, audit_update, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, User

PERCENT_FIELDS = ("debt_yellow", "debt_orange", "debt_red", "overdue_initial",
                  "overdue_medium", "overdue_severe", "interest_trigger")  # fmt: skip
#: Each pair must rise: the second field is named when it does not.
RISING = (("debt_yellow", "debt_orange"), ("debt_orange", "debt_red"),
          ("overdue_initial", "overdue_medium"), ("overdue_medium", "overdue_severe"))  # fmt: skip


def _percent(value: Any, field: str) -> Decimal:
    """A percentage above 0 and below 1,000 with at most two decimals; floats refused."""
    if isinstance(value, float):
        raise ValidationError({field: [_("Give a percentage as text, not a float.")]})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        message = _("%(value)r is not a percentage.") % {"value": value}
        raise ValidationError({field: [message]}) from None
    if not number.is_finite() or not Decimal(0) < number < Decimal(1000):
        raise ValidationError({field: [_("A percentage above 0 and below 1,000.")]})
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError({field: [_("At most two decimals.")]})
    return number.quantize(Decimal("0.01"))


def risk_settings_set(
    *, actor: User, jurisdiction: Jurisdiction, use_earlier_fiscal_year: Any = False, **percents
) -> RiskSettings:
    """Set a jurisdiction's own risk settings (finance of that jurisdiction); every percentage
    left out keeps the MoF default."""
    policy.require(actor, "debt", "edit", jurisdiction=jurisdiction)
    unknown = sorted(set(percents) - set(PERCENT_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: [_("Not a risk setting.")]})
    values = {f: _percent(v, f) for f, v in percents.items() if v is not None}
    defaults = {f: RiskSettings._meta.get_field(f).default for f in PERCENT_FIELDS}
    chosen = {**defaults, **values}
    for low, high in RISING:
        if chosen[high] <= chosen[low]:
            raise ValidationError(
                {high: [_("Must be above %(low)s (%(value)s %%).")
                        % {"low": RiskSettings._meta.get_field(low).verbose_name,
                           "value": chosen[low]}]}
            )  # fmt: skip
    with transaction.atomic():
        current = RiskSettings.objects.select_for_update().filter(jurisdiction=jurisdiction).first()
        before = snapshot(current) if current else None
        settings = current or RiskSettings(jurisdiction=jurisdiction)
        settings.use_earlier_fiscal_year = bool(use_earlier_fiscal_year)
        for name, value in chosen.items():
            setattr(settings, name, value)
        settings.full_clean(validate_unique=False)
        settings.save()
        audit_update(
            settings,
            actor=actor,
            action="risk_settings.set",
            before=before,
            jurisdiction_path=jurisdiction.path,
        )
    return settings


def risk_settings_clear(*, actor: User, jurisdiction: Jurisdiction) -> None:
    """Drop a jurisdiction's own settings: its nearest ancestor's (or the defaults) hold again."""
    policy.require(actor, "debt", "edit", jurisdiction=jurisdiction)
    with transaction.atomic():
        current = RiskSettings.objects.select_for_update().filter(jurisdiction=jurisdiction).first()
        if current is None:
            return
        before = snapshot(current)
        audit_record(
            actor=actor,
            action="risk_settings.clear",
            obj=current,
            before=before,
            after=None,
            jurisdiction_path=jurisdiction.path,
        )
        current.delete()
