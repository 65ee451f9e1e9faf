"""Writes of the price stage; each is one transaction with its audit entry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.errors import Conflict, ValidationError
from panhuo.core.validation import full_clean
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, User
from panhuo.pricing.gates import require_not_laxer_than_law
from panhuo.pricing.law import RuleClass, owner_class
from panhuo.pricing.models import AppraisalMethod, PriceRuleSet, Valuation, ValuationKind
from panhuo.pricing.rules import Thresholds, appraisal_expires_on
from panhuo.pricing.selectors import latest_appraisal, rule_set_for, thresholds_for
from panhuo.register.models import Asset
from panhuo.register.services import asset_sync_appraised_value


def _money(value, name: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {name: [_("“%(value)s” is not an amount.") % {"value": value}]}
        ) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({name: [_("The value must be above zero.")]})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({name: [_("At most 2 decimal places.")]})
    return amount


def valuation_create(
    *,
    actor: User | None,
    asset: Asset,
    kind: str,
    value: Decimal,
    base_date: dt.date,
    package=None,
    valid_until: dt.date | None = None,
    method: str = "",
    appraiser: str = "",
    licence_number: str = "",
    report_number: str = "",
    inputs: dict[str, Any] | None = None,
    stated_error: Decimal | None = None,
    model_run=None,
    note: str = "",
) -> Valuation:
    """Record one valuation of ``asset``. An appraisal names its appraiser, licence, report,
    method and base date; its validity defaults to the jurisdiction's (12 months). An automated
    estimate states its method and error. A new appraisal also becomes the register's
    "appraised value" of the asset when it is the latest one."""
    jurisdiction = asset.unit.jurisdiction
    policy.require(actor, "valuation", "create", jurisdiction=jurisdiction, units=[asset.unit_id])
    if kind not in ValuationKind.values:
        raise ValidationError(
            {
                "kind": [
                    _("Unknown kind “%(kind)s”; one of %(valuationkind_values)s.")
                    % {"kind": kind, "valuationkind_values": ValuationKind.values}
                ]
            }
        )
    value = _money(value, "value")
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if base_date > today:
        errors["base_date"] = [_("The base date is in the future.")]
    if method and method not in AppraisalMethod.values:
        errors["method"] = [
            _("Unknown method “%(method)s”; one of %(appraisalmethod_values)s.")
            % {"method": method, "appraisalmethod_values": AppraisalMethod.values}
        ]
    if kind in (ValuationKind.APPRAISAL, ValuationKind.RENT):
        for name, text in (
            ("appraiser", appraiser),
            ("licence_number", licence_number),
            ("report_number", report_number),
            ("method", method),
        ):
            if not (text or "").strip():
                errors[name] = [_("An appraisal needs this.")]
        if valid_until is None:
            valid_until = appraisal_expires_on(
                base_date, thresholds_for(jurisdiction, owner_class(asset.unit.kind))
            )
    if kind == ValuationKind.AUTOMATED:
        if stated_error is None:
            errors["stated_error"] = [_("An automated estimate states its error.")]
        if not method:
            errors["method"] = [_("An automated estimate names its method.")]
    if valid_until is not None and valid_until < base_date:
        errors["valid_until"] = [_("Valid until must not be before the base date.")]
    if package is not None and not package.items.filter(asset=asset).exists():
        errors["package"] = [
            _("Asset %(asset)s is not in package %(package)s.")
            % {"asset": asset.code, "package": package.code}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        valuation = Valuation(
            asset=asset,
            package=package,
            kind=kind,
            value=value,
            base_date=base_date,
            valid_until=valid_until,
            method=method,
            appraiser=appraiser.strip(),
            licence_number=licence_number.strip(),
            report_number=report_number.strip(),
            inputs=inputs or {},
            stated_error=stated_error,
            model_run=model_run,
            note=note.strip(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        full_clean(valuation)
        valuation.save(force_insert=True)
        synced = False
        if kind == ValuationKind.APPRAISAL and latest_appraisal(asset, on=today) == valuation:
            asset_sync_appraised_value(asset=asset, value=value, actor=actor, valuation=valuation)
            synced = True
        audit_record(
            actor=actor,
            action="valuation.create",
            obj=valuation,
            after={
                **snapshot(valuation),
                **({"asset.appraised_value": str(value)} if synced else {}),
            },
            jurisdiction_path=jurisdiction.path,
        )
    return valuation


RULE_FIELDS = Thresholds.names()


def price_rules_update(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    data: dict[str, Any],
    version: int | None = None,
    rule_class: str = RuleClass.ENTERPRISE,
    sources: dict[str, str] | None = None,
) -> PriceRuleSet:
    """Set the price thresholds of ``jurisdiction`` for one rule-set class (creating its own
    set, starting from the ones it inherited). ``version``, if given, must match the set's, so
    no edit is lost. ``sources`` records the local source of thresholds set by local measures.
    A set with any threshold laxer than the law's minimum for the class is refused (gate
    ``rule_set_laxer_than_law``), with nothing written."""
    policy.require(actor, "pricerules", "edit", jurisdiction=jurisdiction)
    if rule_class not in RuleClass.values:
        raise ValidationError(
            {
                "rule_class": [
                    _("Unknown rule-set class “%(rule_class)s”; one of %(ruleclass_values)s.")
                    % {"rule_class": rule_class, "ruleclass_values": RuleClass.values}
                ]
            }
        )
    unknown = sorted(set(data) - set(RULE_FIELDS))
    unknown += sorted(f"sources.{k}" for k in set(sources or {}) - set(RULE_FIELDS))
    if unknown:
        raise ValidationError({n: [_("This field cannot be set.")] for n in unknown})
    with transaction.atomic():
        rule_set = (
            PriceRuleSet.objects.select_for_update()
            .filter(jurisdiction=jurisdiction, rule_class=rule_class)
            .first()
        )
        if rule_set is None:
            inherited = thresholds_for(jurisdiction, rule_class)
            inherited_row = rule_set_for(jurisdiction, rule_class)
            rule_set = PriceRuleSet(
                jurisdiction=jurisdiction,
                rule_class=rule_class,
                sources=dict(getattr(inherited_row, "sources", None) or {}),
                **inherited.values(),
            )
            before = None
            if version not in (None, 0, 1):
                raise Conflict(_("These rules were changed by someone else; reload and try again."))
        else:
            if version is not None and version != rule_set.version:
                raise Conflict(
                    _(
                        "These rules were changed by someone else (version "
                        "%(rule_set_version)s, you edited %(version)s). Reload and try again."
                    )
                    % {"rule_set_version": rule_set.version, "version": version}
                )
            before = snapshot(rule_set)
            rule_set.version += 1
        for name, value in data.items():
            setattr(rule_set, name, value)
        if sources:
            merged = dict(rule_set.sources or {})
            for name, text in sources.items():
                text = (text or "").strip()[:300]
                if text:
                    merged[name] = text
                else:
                    merged.pop(name, None)
            rule_set.sources = merged
        rule_set.updated_by = actor
        if Decimal(rule_set.physical_mid_to) < Decimal(rule_set.physical_mid_from):
            raise ValidationError(
                {"physical_mid_to": [_("The band's upper end must not be below its lower end.")]}
            )
        rule_set.full_clean(exclude=["jurisdiction"] if rule_set.pk is None else None)
        require_not_laxer_than_law(rule_class, {n: getattr(rule_set, n) for n in RULE_FIELDS})
        rule_set.save()
        after = snapshot(rule_set)
        audit_record(
            actor=actor,
            action="pricerules.update",
            obj=rule_set,
            before=None
            if before is None
            else {k: v for k, v in before.items() if after.get(k) != v},
            after=after
            if before is None
            else {k: v for k, v in after.items() if before.get(k) != v},
            jurisdiction_path=jurisdiction.path,
        )
    return rule_set
