"""Writes of the fiscal monitor: one figure set or corrected, thresholds set. Imports are in
importing.py. Each write checks the policy, runs in one transaction and is audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.core.inputs import ANY_SIGN, to_amount
from panhuo.core.money import CENT
from panhuo.integrity.services import audit_update, snapshot
from panhuo.monitor.models import (
    FIRST_MONTH,
    LAST_MONTH,
    MonitorThresholds,
    RevenueCategory,
    RevenueRecord,
)
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, User


def clean_month(value: Any, field: str = "month") -> dt.date:
    """The first day of the month ``value`` names (a date or ``YYYY-MM[-DD]`` text)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        try:
            value = dt.date.fromisoformat(text if len(text) > 7 else f"{text}-01")
        except ValueError:
            raise ValidationError(
                {field: [_("“%(value)s” is not a month (YYYY-MM).") % {"value": value}]}
            ) from None
    if not isinstance(value, dt.date):
        raise ValidationError(
            {field: [_("“%(value)s” is not a month (YYYY-MM).") % {"value": value}]}
        )
    month = value.replace(day=1)
    if not FIRST_MONTH <= month <= LAST_MONTH:
        raise ValidationError(
            {field: [_("%(month)s is outside 1990-01 to 2100-12.") % {"month": f"{month:%Y-%m}"}]}
        )
    return month


def clean_amount(value: Any, field: str = "amount") -> Decimal:
    """A yuan amount with at most two decimals (negative allowed: net refunds)."""
    return to_amount(value, field, sign=ANY_SIGN)


def clean_category(category: RevenueCategory, field: str = "category") -> RevenueCategory:
    """Figures are entered for leaf categories only; a parent's figure is their sum."""
    if category.children.exists():
        raise ValidationError(
            {
                field: [
                    _(
                        "%(category)s is a total of other categories; enter the figures of its "
                        "items (%(choices)s)."
                    )
                    % {
                        "category": category.code,
                        "choices": ", ".join(category.children.values_list("code", flat=True)),
                    }
                ]
            }
        )
    return category


def revenue_set(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    month: Any,
    category: RevenueCategory,
    amount: Any,
) -> tuple[RevenueRecord, str]:
    """Enter or correct one month's figure of a category; returns the record and whether it
    was ``new``, ``updated`` or ``unchanged`` (an unchanged figure writes nothing)."""
    policy.require(actor, "revenue", "edit", jurisdiction=jurisdiction)
    month = clean_month(month)
    amount = clean_amount(amount)
    clean_category(category)
    with transaction.atomic():
        current = (
            RevenueRecord.objects.select_for_update()
            .filter(jurisdiction=jurisdiction, month=month, category=category)
            .first()
        )
        if current is not None and current.amount == amount:
            return current, "unchanged"
        before = snapshot(current) if current else None
        if current is None:
            record = RevenueRecord.objects.create(
                jurisdiction=jurisdiction, month=month, category=category, amount=amount
            )
            outcome = "new"
        else:
            current.amount = amount
            current.save(update_fields=["amount", "updated_at"])
            record, outcome = current, "updated"
        audit_update(
            record,
            actor=actor,
            action=f"revenue.{'create' if outcome == 'new' else 'update'}",
            before=before,
            jurisdiction_path=jurisdiction.path,
        )
    return record, outcome


def thresholds_set(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    land_dependence_pct: Any,
    growth_margin_pct: Any,
) -> MonitorThresholds:
    """Set a jurisdiction's own alert thresholds (its subtree follows unless it has its own)."""
    policy.require(actor, "revenue_thresholds", "edit", jurisdiction=jurisdiction)
    errors: dict[str, list[str]] = {}
    values: dict[str, Decimal] = {}
    for name, value, high in (
        ("land_dependence_pct", land_dependence_pct, Decimal(100)),
        ("growth_margin_pct", growth_margin_pct, Decimal(1000)),
    ):
        try:
            number = Decimal(str(value).strip())
            if not number.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors[name] = [_("“%(value)s” is not a number.") % {"value": value}]
            continue
        if not 0 <= number <= high or number != number.quantize(CENT):
            errors[name] = [
                _("Give a percentage from 0 to %(high)s with at most two decimals.")
                % {"high": high}
            ]
            continue
        values[name] = number.quantize(CENT)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = (
            MonitorThresholds.objects.select_for_update().filter(jurisdiction=jurisdiction).first()
        )
        before = snapshot(current) if current else None
        thresholds, _created = MonitorThresholds.objects.update_or_create(
            jurisdiction=jurisdiction, defaults=values
        )
        audit_update(
            thresholds,
            actor=actor,
            action="monitor_thresholds.set",
            before=before,
            jurisdiction_path=jurisdiction.path,
        )
    return thresholds
