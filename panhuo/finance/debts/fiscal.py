"""The yearly fiscal figures of a jurisdiction: the denominators of the debt risk indicators,
its debt limits and GDP. A figure not given is missing, never zero."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.core.inputs import ZERO_OR_MORE, to_amount
from panhuo.finance.debts.models import (
    CAPACITY_PARTS,
    POSITIVE_FIGURES,
    REPORTED_BALANCES,
    CapacitySource,
    FiscalInputs,
)
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, User

#: Every figure of a year; those that may be zero are the capacity parts and the balances.
FIGURES = POSITIVE_FIGURES + CAPACITY_PARTS + REPORTED_BALANCES
ZERO_OR_MORE_FIGURES = CAPACITY_PARTS + REPORTED_BALANCES


def derived_capacity(parts: dict[str, Decimal | None]) -> Decimal | None:
    """Comprehensive fiscal capacity from its parts, or None while any part is missing."""
    if any(parts.get(name) is None for name in CAPACITY_PARTS):
        return None
    added = sum((parts[name] for name in CAPACITY_PARTS[:-1]), Decimal("0.00"))
    return added - parts["remittances_up"]


def _figures(given: dict[str, Any]) -> dict[str, Decimal | None]:
    unknown = sorted(set(given) - set(FIGURES))
    if unknown:
        raise ValidationError({unknown[0]: [_("Not a fiscal figure.")]})
    out: dict[str, Decimal | None] = {}
    for name in FIGURES:
        value = given.get(name)
        if value is None or value == "":
            out[name] = None
        elif name in ZERO_OR_MORE_FIGURES:
            out[name] = to_amount(value, name, sign=ZERO_OR_MORE)
        else:
            out[name] = to_amount(value, name)
    return out


def fiscal_inputs_set(
    *, actor: User, jurisdiction: Jurisdiction, year: Any, **figures: Any
) -> FiscalInputs:
    """Enter (or correct) a jurisdiction's figures for a year; finance of that jurisdiction.
    Every figure is replaced: one left out is missing. Capacity is the total given, or derived
    from its five parts when all are given; both given and differing is refused."""
    policy.require(actor, "debt", "edit", jurisdiction=jurisdiction)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": [_("%(year)r is not a year.") % {"year": year}]}) from None
    if not 1990 <= year <= 2100:
        raise ValidationError(
            {"year": [_("%(year)s is not a plausible year (1990–2100).") % {"year": year}]}
        )
    values = _figures(figures)
    if all(v is None for v in values.values()):
        raise ValidationError(
            {"comprehensive_fiscal_capacity": [_("Give at least one figure for the year.")]}
        )
    problem, source = settle_capacity(values)
    if problem == "differs":
        raise ValidationError(
            {"comprehensive_fiscal_capacity": [
                _("%(given)s does not equal its parts (%(derived)s): leave it empty to take "
                  "the parts, or correct one.")
                % {"given": f"{values['comprehensive_fiscal_capacity']:,}",
                   "derived": f"{derived_capacity(values):,}"}
            ]}
        )  # fmt: skip
    if problem == "not_positive":
        raise ValidationError(
            {"remittances_up": [_("The parts add up to %(derived)s: capacity must be above "
                                  "zero.") % {"derived": f"{derived_capacity(values):,}"}]}
        )  # fmt: skip
    return fiscal_inputs_save(
        actor=actor, jurisdiction=jurisdiction, year=year, values=values, source=source
    )


def settle_capacity(values: dict[str, Decimal | None]) -> tuple[str, str]:
    """Capacity as given, or derived from its five parts when all are given and it is not:
    fills ``values`` and returns (problem, capacity source). Problems: "differs" (given and
    not its parts' sum), "not_positive" (the parts add up to zero or less)."""
    derived = derived_capacity(values)
    given = values.get("comprehensive_fiscal_capacity")
    if given is not None and derived is not None and given != derived:
        return "differs", ""
    if given is None and derived is not None:
        if derived <= 0:
            return "not_positive", ""
        values["comprehensive_fiscal_capacity"] = derived
        return "", CapacitySource.DERIVED
    return "", CapacitySource.ENTERED if given is not None else ""


def fiscal_inputs_save(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    year: int,
    values: dict[str, Decimal | None],
    source: str,
    action: str = "fiscal_inputs.set",
    note: dict[str, Any] | None = None,
) -> FiscalInputs:
    """Write a year's checked figures (every one of ``FIGURES``; capacity settled) in one
    transaction, audited: a new year is inserted, a known one updated in place (an import of
    the same year again updates it, never a second row). ``note`` is added to the entry
    (an import's file and run)."""
    policy.require(actor, "debt", "edit", jurisdiction=jurisdiction)
    with transaction.atomic():
        current = (
            FiscalInputs.objects.select_for_update()
            .filter(jurisdiction=jurisdiction, year=year)
            .first()
        )
        before = snapshot(current) if current else None
        inputs = current or FiscalInputs(jurisdiction=jurisdiction, year=year)
        for name in FIGURES:
            setattr(inputs, name, values.get(name))
        inputs.capacity_source = source
        inputs.full_clean(validate_unique=False)
        inputs.save()
        audit_record(
            actor=actor,
            action=action,
            obj=inputs,
            before=before,
            after={**snapshot(inputs), **(note or {})},
            jurisdiction_path=jurisdiction.path,
        )
    return inputs
