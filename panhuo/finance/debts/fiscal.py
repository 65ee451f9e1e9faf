"""The yearly fiscal figures of a jurisdiction: the denominators of the debt risk indicators."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from panhuo.core.errors import ValidationError
from panhuo.finance.debts.models import FiscalInputs
from panhuo.finance.services import to_money
from panhuo.integrity.services import audit_update, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, User


def fiscal_inputs_set(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    year: Any,
    comprehensive_fiscal_capacity: Any,
    budget_expenditure: Any,
    fund_expenditure: Any = None,
) -> FiscalInputs:
    """Enter (or correct) a jurisdiction's figures for a year; finance of that jurisdiction.
    The government-fund expenditure may be left out: it is then missing, not zero."""
    policy.require(actor, "debt", "edit", jurisdiction=jurisdiction)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": [f"{year!r} is not a year."]}) from None
    if not 1990 <= year <= 2100:
        raise ValidationError({"year": [f"{year} is not a plausible year (1990–2100)."]})
    capacity = to_money(comprehensive_fiscal_capacity, "comprehensive_fiscal_capacity")
    expenditure = to_money(budget_expenditure, "budget_expenditure")
    fund = None
    if fund_expenditure not in (None, ""):
        fund = to_money(fund_expenditure, "fund_expenditure")
    with transaction.atomic():
        current = (
            FiscalInputs.objects.select_for_update()
            .filter(jurisdiction=jurisdiction, year=year)
            .first()
        )
        before = snapshot(current) if current else None
        inputs = current or FiscalInputs(jurisdiction=jurisdiction, year=year)
        inputs.comprehensive_fiscal_capacity = capacity
        inputs.budget_expenditure = expenditure
        inputs.fund_expenditure = fund
        inputs.full_clean(validate_unique=False)
        inputs, _created = FiscalInputs.objects.update_or_create(
            jurisdiction=jurisdiction,
            year=year,
            defaults={
                "comprehensive_fiscal_capacity": capacity,
                "budget_expenditure": expenditure,
                "fund_expenditure": fund,
            },
        )
        audit_update(
            inputs,
            actor=actor,
            action="fiscal_inputs.set",
            before=before,
            jurisdiction_path=jurisdiction.path,
        )
    return inputs
