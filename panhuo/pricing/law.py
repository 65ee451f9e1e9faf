"""The law's minimums for each class of rule set, and where every threshold comes from.

A jurisdiction configures its price rules per *rule-set class*: administrative and
public-institution assets follow State Council Decree 738 (2021) and the local finance bureau's
measures; enterprise state assets follow SASAC/MoF Order 32 (2016); land-use rights follow MLR
Order 39 (2007). A jurisdiction may be stricter than the law (a longer disclosure, a higher
floor) but never laxer: ``laxer_than_law`` names the first threshold that would undercut the
law's minimum, and ``pricing.services.price_rules_update`` refuses it (gate
``rule_set_laxer_than_law``). Thresholds the law leaves to local measures have no minimum here.

``STRICTER`` says for every threshold which way is stricter, so that a package mixing classes
can take the strictest value of each (``strictest``). Nothing here reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

#: The one-year loan prime rate (LPR) used as the default reference rate for deferred payments.
#: 3.00 % is the 1-year LPR fixed on 20 May 2025 (People's Bank of China / NIFC); it must be
#: updated when the LPR changes (a jurisdiction may also set a higher reference rate).
LPR_1Y = Decimal("3.00")
LPR_1Y_AS_OF = "2025-05-20"


class RuleClass(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Administrative and public-institution assets")
    ENTERPRISE = "enterprise", _("Enterprise state assets")
    LAND = "land", _("Land-use rights")


#: The law each class follows (shown with the class on the project page).
CLASS_LAW = {
    RuleClass.ADMINISTRATIVE: _(
        "State Council Decree 738 (2021) and local finance-bureau measures"
    ),
    RuleClass.ENTERPRISE: _("SASAC/MoF Order 32 (2016)"),
    RuleClass.LAND: _("MLR Order 39 (2007)"),
}

HIGHER, LOWER = "higher", "lower"

#: Which direction of each threshold is the stricter one.
STRICTER: dict[str, str] = {
    "appraisal_validity_months": LOWER,
    "first_listing_reserve_pct": HIGHER,
    "approval_floor_pct": HIGHER,
    "reappraise_after_months": LOWER,
    "disclosure_days": HIGHER,
    "disclosure_days_physical_mid": HIGHER,
    "physical_mid_from": HIGHER,  # below the band the general (longer) period applies
    "physical_mid_to": LOWER,  # above the band the longer period applies
    "disclosure_days_physical_high": HIGHER,
    "payment_full_days": LOWER,
    "payment_down_pct": HIGHER,
    "payment_rest_months": LOWER,
    "notice_days": HIGHER,
    "plausible_low_pct": HIGHER,
    "plausible_high_multiple": LOWER,
    "reference_rate_pct": HIGHER,
    "land_announce_days": HIGHER,
    "land_listing_days": HIGHER,
    "finance_approval_above": LOWER,  # more disposals go to the finance bureau
    "token_price_pct": HIGHER,  # more low prices count as give-aways
    "lease_max_years": LOWER,
    "lease_tender_rent": LOWER,  # more leases go to public tender
    "approval_days": HIGHER,  # a plan waits for the slower approval
    "finance_approval_days": HIGHER,
}


@dataclass(frozen=True)
class Minimum:
    """The law's bound on one threshold: ``bound`` and the direction in which it may only be
    tightened (``STRICTER``), with the source (law and article)."""

    field: str
    bound: Decimal
    source: str

    @property
    def stricter(self) -> str:
        return STRICTER[self.field]

    def undercut_by(self, value) -> bool:
        value = Decimal(value)
        return value < self.bound if self.stricter == HIGHER else value > self.bound


APPRAISAL_YEAR = _("SASAC Order 12 (2005): an appraisal is valid one year from its base date")
ORDER32_13 = _("Order 32 art. 13")
ORDER32_18 = _("Order 32 art. 18")
ORDER32_19 = _("Order 32 art. 19")
ORDER32_RESERVE = _("Order 32 (2016): first listing not below the appraisal")
ORDER32_28 = _("Order 32 art. 28")
ORDER32_29 = _("Order 32 art. 29")
ORDER32_50 = _("Order 32 art. 50")
ORDER39_11 = _("MLR Order 39 art. 11")
ORDER39_19 = _("MLR Order 39 art. 19")
DECREE738_36 = _("Decree 738 art. 36")
PLAUSIBLE = _("Panhuo amount check (issue 12): an amount below half the appraisal is held")
REFERENCE_RATE = _("Order 32 art. 28: deferred payments bear interest at the bank loan rate (LPR)")
LOCAL = _("Local measures (configurable)")


def _m(field: str, bound, source) -> Minimum:
    return Minimum(field, Decimal(str(bound)), source)


_COMMON = [
    _m("plausible_low_pct", 50, PLAUSIBLE),
    _m("reference_rate_pct", LPR_1Y, REFERENCE_RATE),
]

#: The law's minimums, per class and threshold.
LAW: dict[str, dict[str, Minimum]] = {
    RuleClass.ENTERPRISE: {
        m.field: m
        for m in [
            _m("appraisal_validity_months", 12, APPRAISAL_YEAR),
            _m("first_listing_reserve_pct", 100, ORDER32_RESERVE),
            _m("approval_floor_pct", 90, ORDER32_18),
            _m("reappraise_after_months", 12, ORDER32_19),
            _m("disclosure_days", 20, ORDER32_13),
            _m("disclosure_days_physical_mid", 10, ORDER32_50),
            _m("physical_mid_from", 1_000_000, ORDER32_50),
            _m("physical_mid_to", 10_000_000, ORDER32_50),
            _m("disclosure_days_physical_high", 20, ORDER32_50),
            _m("payment_full_days", 5, ORDER32_28),
            _m("payment_down_pct", 30, ORDER32_28),
            _m("payment_rest_months", 12, ORDER32_28),
            _m("notice_days", 5, ORDER32_29),
            *_COMMON,
        ]
    },
    RuleClass.ADMINISTRATIVE: {
        m.field: m
        for m in [
            _m("appraisal_validity_months", 12, DECREE738_36),
            *_COMMON,
        ]
    },
    RuleClass.LAND: {
        m.field: m
        for m in [
            _m("land_announce_days", 20, ORDER39_11),
            _m("land_listing_days", 10, ORDER39_19),
            *_COMMON,
        ]
    },
}


def minimum(rule_class: str, field: str) -> Minimum | None:
    return LAW.get(rule_class, {}).get(field)


def default_source(rule_class: str, field: str):
    """Where the default of ``field`` comes from in ``rule_class``: the law's article, or the
    local measures the jurisdiction configures."""
    found = minimum(rule_class, field)
    return found.source if found else LOCAL


def laxer_than_law(rule_class: str, values: dict) -> Minimum | None:
    """The first threshold in ``values`` that undercuts the law's minimum, or None."""
    for field, value in values.items():
        found = minimum(rule_class, field)
        if found is not None and value is not None and found.undercut_by(value):
            return found
    return None


def stricter_of(field: str, a, b):
    """The stricter of two values of ``field``."""
    if STRICTER.get(field, HIGHER) == HIGHER:
        return a if Decimal(a) >= Decimal(b) else b
    return a if Decimal(a) <= Decimal(b) else b


def owner_class(unit_kind: str) -> str:
    """The rule-set class of an asset by its owner: a state-owned company's assets are
    enterprise assets, a department's or public institution's are administrative ones.
    Land-use rights add the land class whoever holds them (``selectors.package_rule_classes``)."""
    return RuleClass.ENTERPRISE if unit_kind == "soe" else RuleClass.ADMINISTRATIVE


def minimums_text(rule_class: str) -> dict[str, str]:
    """The law's bounds of ``rule_class`` as text by threshold: "≥ 20 (Order 32 art. 13)"."""
    out = {}
    for name, m in LAW.get(rule_class, {}).items():
        sign = "≥" if m.stricter == HIGHER else "≤"
        out[name] = f"{sign} {m.bound} ({m.source})"
    return out
