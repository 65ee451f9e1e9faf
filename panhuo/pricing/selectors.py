"""Reads of valuations, appraisals and price rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from panhuo.core.querying import narrowed, ordered, visible_one
from panhuo.pricing.law import RuleClass, owner_class
from panhuo.pricing.models import AvmRun, PriceRuleSet, Valuation, ValuationKind
from panhuo.pricing.rules import Thresholds, appraisal_expires_on

VALUATION_ORDERINGS = {
    "base_date": "base_date",
    "value": "value",
    "kind": "kind",
    "asset": "asset__code",
    "valid_until": "valid_until",
    "created_at": "created_at",
}


def get_valuation_for(user, pk) -> Valuation:
    return visible_one(
        Valuation, user, pk, "asset__unit__jurisdiction", "package", "created_by", "model_run"
    )


def valuation_list(
    user,
    *,
    q: str = "",
    kind: str = "",
    asset: int | None = None,
    package: int | None = None,
    current_only: bool = False,
    ordering: str = "-base_date",
) -> QuerySet[Valuation]:
    qs = Valuation.objects.visible_to(user).select_related("asset", "package")
    search = ("asset__code", "asset__name", "report_number", "appraiser")
    qs = narrowed(qs, q=q, search=search, kind=kind, asset_id=asset, package_id=package)
    if current_only:
        today = timezone.localdate()
        qs = qs.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    return ordered(qs, ordering, VALUATION_ORDERINGS, "-base_date", tiebreak="-pk")


# --- Rules ------------------------------------------------------------------------------------


def rule_set_for(jurisdiction, rule_class: str = RuleClass.ENTERPRISE) -> PriceRuleSet | None:
    """The price rules of ``rule_class`` that apply in ``jurisdiction``: its own, else its
    nearest ancestor's (None: the class's defaults)."""
    parts = [p for p in jurisdiction.path.strip("/").split("/") if p]
    paths = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    rows = {
        r.jurisdiction.path: r
        for r in PriceRuleSet.objects.filter(
            jurisdiction__path__in=paths, rule_class=rule_class
        ).select_related("jurisdiction")
    }
    for path in reversed(paths):
        if path in rows:
            return rows[path]
    return None


def thresholds_for(jurisdiction, rule_class: str = RuleClass.ENTERPRISE) -> Thresholds:
    return Thresholds.of(rule_set_for(jurisdiction, rule_class), rule_class)


#: The order classes are listed in (the owner's class first, land after).
CLASS_ORDER = [RuleClass.ADMINISTRATIVE, RuleClass.ENTERPRISE, RuleClass.LAND]


def package_rule_classes(package) -> list[str]:
    """The rule-set classes of a package's assets: each asset's owner class (a state-owned
    company's assets are enterprise assets, a department's or public institution's are
    administrative), plus the land-use-rights class for land. Empty package: enterprise."""
    found: set[str] = set()
    for kind, unit_kind in package.items.values_list("asset__kind", "asset__unit__kind"):
        found.add(owner_class(unit_kind))
        if kind == "land":
            found.add(RuleClass.LAND)
    return [c for c in CLASS_ORDER if c in found] or [RuleClass.ENTERPRISE]


def thresholds_for_package(package) -> Thresholds:
    """The thresholds that apply to ``package``: those of its one class, or — a package mixing
    classes is allowed — the strictest value of each threshold across its classes, each with
    the source of the value that won."""
    classes = package_rule_classes(package)
    t = thresholds_for(package.jurisdiction, classes[0])
    for other in classes[1:]:
        t = t.merged(thresholds_for(package.jurisdiction, other))
    return t


# --- Appraisals -------------------------------------------------------------------------------


def latest_appraisal(asset, *, on: dt.date | None = None) -> Valuation | None:
    """The asset's most recent third-party appraisal dated on or before ``on`` (valid or not)."""
    on = on or timezone.localdate()
    return (
        Valuation.objects.filter(asset=asset, kind=ValuationKind.APPRAISAL, base_date__lte=on)
        .order_by("-base_date", "-pk")
        .first()
    )


def latest_valid_appraisal(
    asset, *, on: dt.date | None = None, thresholds: Thresholds | None = None
) -> Valuation | None:
    """The asset's latest appraisal if it is still valid on ``on``: within the report's own
    validity and the jurisdiction's (12 months from the base date by default)."""
    on = on or timezone.localdate()
    found = latest_appraisal(asset, on=on)
    if found is None:
        return None
    t = thresholds or thresholds_for(asset.unit.jurisdiction, owner_class(asset.unit.kind))
    last = appraisal_expires_on(found.base_date, t)
    if found.valid_until is not None:
        last = min(last, found.valid_until)
    return found if on <= last else None


@dataclass
class PackageAppraisal:
    """A package's appraised value, derived from its assets' latest appraisals (never stored)."""

    total: Decimal | None
    by_asset: dict[int, Valuation | None] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # asset codes with no appraisal at all

    @property
    def complete(self) -> bool:
        return not self.missing


def package_appraisal(package, *, on: dt.date | None = None) -> PackageAppraisal:
    """Each asset's latest appraisal (valid or not) and their sum; ``total`` is None when an
    asset has none. Validity is the rules' business (they name the stale one)."""
    on = on or timezone.localdate()
    assets = [item.asset for item in package.items.select_related("asset").order_by("asset__code")]
    rows = (
        Valuation.objects.filter(asset__in=assets, kind=ValuationKind.APPRAISAL, base_date__lte=on)
        .select_related("asset")
        .order_by("asset_id", "-base_date", "-pk")
    )
    latest: dict[int, Valuation] = {}
    for v in rows:
        latest.setdefault(v.asset_id, v)
    by_asset = {a.pk: latest.get(a.pk) for a in assets}
    missing = [a.code for a in assets if latest.get(a.pk) is None]
    total = None if missing or not assets else sum((v.value for v in latest.values()), Decimal(0))
    return PackageAppraisal(total, by_asset, missing)


def package_appraised_value(package, *, on: dt.date | None = None) -> Decimal | None:
    """The sum of the package's assets' latest valid appraisals; None unless every asset has one."""
    on = on or timezone.localdate()
    t = thresholds_for(package.jurisdiction)
    found = package_appraisal(package, on=on)
    if found.total is None:
        return None
    for v in found.by_asset.values():
        last = appraisal_expires_on(v.base_date, t)
        if v.valid_until is not None:
            last = min(last, v.valid_until)
        if on > last:
            return None
    return found.total


def latest_avm_run() -> AvmRun | None:
    return AvmRun.objects.order_by("-trained_at", "-pk").first()


def avm_run_list(user) -> QuerySet[AvmRun]:
    return AvmRun.objects.order_by("-trained_at", "-pk")


def get_package_for(user, pk):
    """A package ``user`` may see, for a valuation of it or its appraisal. Packages are
    disposal's (a layer above): pricing reaches the model only through its own foreign key
    (``Valuation.package``), so it imports nothing from disposal."""
    package_model = Valuation._meta.get_field("package").related_model
    return visible_one(package_model, user, pk, "jurisdiction")


def applied_rules(package) -> dict:
    """The rule set applied to ``package``, for the project page and API: its class(es), each
    with its law, and every threshold with its value and legal source."""
    from panhuo.pricing.gates import approval_authority
    from panhuo.pricing.law import CLASS_LAW

    t = thresholds_for_package(package)
    approver = ""
    if "administrative" in t.rule_classes:
        value = package_appraisal(package).total
        if value is None:
            value = sum(package.items.values_list("asset__book_value", flat=True), Decimal(0))
        approver = approval_authority(value, t)
    return {
        "approval_authority": approver,
        "classes": [
            {"code": c, "label": str(RuleClass(c).label), "law": str(CLASS_LAW[c])}
            for c in t.rule_classes
        ],
        "strictest_of_each": len(t.rule_classes) > 1,
        "thresholds": [
            {
                "name": name,
                "label": str(PriceRuleSet._meta.get_field(name).verbose_name),
                "value": str(getattr(t, name)),
                "source": str(t.sources.get(name, "")),
            }
            for name in Thresholds.names()
        ],
    }


@dataclass
class PackageRent:
    """A package's appraised yearly rent: the sum of each asset's latest rent appraisal valid
    on the day (issue 12: what a lease is judged by). ``missing`` names the assets without."""

    yearly: Decimal | None
    missing: list[str] = field(default_factory=list)


def package_rent_appraisal(package, *, on: dt.date | None = None) -> PackageRent:
    on = on or timezone.localdate()
    t = thresholds_for_package(package)
    assets = [item.asset for item in package.items.select_related("asset").order_by("asset__code")]
    rows = Valuation.objects.filter(
        asset__in=assets, kind=ValuationKind.RENT, base_date__lte=on
    ).order_by("asset_id", "-base_date", "-pk")
    latest: dict[int, Valuation] = {}
    for v in rows:
        latest.setdefault(v.asset_id, v)
    valid = {}
    for pk, v in latest.items():
        last = appraisal_expires_on(v.base_date, t)
        if v.valid_until is not None:
            last = min(last, v.valid_until)
        if on <= last:
            valid[pk] = v
    missing = [a.code for a in assets if a.pk not in valid]
    total = None if missing or not assets else sum((v.value for v in valid.values()), Decimal(0))
    return PackageRent(total, missing)
