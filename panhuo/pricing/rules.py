"""The price rules of DESIGN.md §2, one named function each.

Every rule is a pure function of the figures it judges and the jurisdiction's thresholds
(:class:`Thresholds`): it returns ``None`` when the rule is met, or a :class:`Breach` naming the
rule and its threshold. Nothing here reads or writes the database, except the ``*_due`` helpers
at the end, which take a project and look up its jurisdiction's thresholds and calendar.

The disposal guard (``panhuo/disposal/pricing_guard.py``) applies the rules to transitions; the
channel state machines may call the ``*_due`` helpers for their deadlines.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from panhuo.core import workdays

HUNDRED = Decimal(100)

#: Channels that sell, transfer or swap the asset away: they need a valid appraisal (Decree 738
#: art. 36; State-Owned Assets Law art. 55). Leases and concessions keep the asset.
SELLING_CHANNELS = frozenset({"auction", "exchange", "negotiated", "soe_transfer", "debt_swap"})
#: Physical assets (实物资产) get the banded disclosure periods of Order 32.
PHYSICAL_KINDS = frozenset({"land", "building", "vehicle", "equipment"})


#: Attributes of :class:`Thresholds` that are not thresholds: the rule-set classes the values
#: come from, and each threshold's legal source.
META = frozenset({"rule_classes", "sources"})


@dataclass(frozen=True)
class Thresholds:
    """The configurable thresholds; the defaults are the rules table's. ``rule_classes`` says
    which class(es) of rule set they come from (``pricing.law.RuleClass``; several when a
    package mixes classes and the strictest value of each applies) and ``sources`` the legal
    source of each threshold."""

    appraisal_validity_months: int = 12
    first_listing_reserve_pct: Decimal = Decimal("100.00")
    approval_floor_pct: Decimal = Decimal("90.00")
    reappraise_after_months: int = 12
    disclosure_days: int = 20
    disclosure_days_physical_mid: int = 10
    physical_mid_from: Decimal = Decimal("1000000.00")
    physical_mid_to: Decimal = Decimal("10000000.00")
    disclosure_days_physical_high: int = 20
    payment_full_days: int = 5
    payment_down_pct: Decimal = Decimal("30.00")
    payment_rest_months: int = 12
    notice_days: int = 5
    token_price_pct: Decimal = Decimal("70.00")
    lease_max_years: int = 5
    lease_tender_rent: Decimal = Decimal("100000.00")
    #: Amount plausibility: a reserve or price below this percentage of the appraisal, or above
    #: this multiple of it, is held until confirmed (``amount_plausible``).
    plausible_low_pct: Decimal = Decimal("50.00")
    plausible_high_multiple: Decimal = Decimal("5.00")
    #: Deferred payments bear interest at no less than this rate (% a year; the 1-year LPR).
    reference_rate_pct: Decimal = Decimal("3.00")
    #: Land-use rights: announcement at least this many days before the listing starts, and
    #: the listing open at least this many days (calendar days, MLR Order 39 arts. 11 and 19).
    land_announce_days: int = 20
    land_listing_days: int = 10
    #: Administrative assets: a disposal worth more than this needs the finance bureau's
    #: approval (below it, the supervising department's) — the local limit by value.
    finance_approval_above: Decimal = Decimal("1000000.00")
    #: Approval lead times (calendar days): the supervising department's, and the finance
    #: bureau's above ``finance_approval_above`` (the optimiser's earliest quarter).
    approval_days: int = 30
    finance_approval_days: int = 60
    rule_classes: tuple[str, ...] = ("enterprise",)
    sources: dict = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls) if f.name not in META]

    @classmethod
    def of(cls, rule_set, rule_class: str = "enterprise") -> Thresholds:
        """The thresholds of a PriceRuleSet row (or the class's defaults for None), with the
        legal source of each (the row's recorded source, else the law's)."""
        from panhuo.pricing.law import default_source

        recorded = dict(getattr(rule_set, "sources", None) or {})
        sources = {n: recorded.get(n) or default_source(rule_class, n) for n in cls.names()}
        if rule_set is None:
            return cls(rule_classes=(rule_class,), sources=sources)
        values = {name: getattr(rule_set, name) for name in cls.names()}
        return cls(**values, rule_classes=(rule_set.rule_class,), sources=sources)

    def values(self) -> dict:
        """The thresholds alone (no class or sources), by name."""
        return {n: getattr(self, n) for n in self.names()}

    def as_json(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.values().items()}

    def merged(self, other: Thresholds) -> Thresholds:
        """The strictest of two sets, threshold by threshold (a package mixing classes)."""
        from panhuo.pricing.law import stricter_of

        values, sources = {}, {}
        for n in self.names():
            mine, theirs = getattr(self, n), getattr(other, n)
            values[n] = stricter_of(n, mine, theirs)
            sources[n] = (self.sources if values[n] == mine else other.sources).get(n, "")
        classes = tuple(dict.fromkeys(self.rule_classes + other.rule_classes))
        return Thresholds(**values, rule_classes=classes, sources=sources)


@dataclass(frozen=True)
class Breach:
    """A rule not met: which rule, which input field it concerns, and a message naming the
    threshold."""

    rule: str
    field: str
    message: str

    def error(self) -> ValidationError:
        return ValidationError(
            {
                self.field: [
                    _("[%(rule)s] %(message)s") % {"rule": self.rule, "message": self.message}
                ]
            }
        )


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (clamped to the month's end: 31 Jan + 1 month = 28/29 Feb)."""
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def _pct(value: Decimal, pct: Decimal) -> Decimal:
    return (Decimal(value) * Decimal(pct) / HUNDRED).quantize(Decimal("0.01"))


def _yuan(value: Decimal) -> str:
    return f"{Decimal(value):,.2f}"


# --- Appraisal ---------------------------------------------------------------------------------


def sale_needs_appraisal(*, channel: str, missing: list[str]) -> Breach | None:
    """Sales, transfers and swaps need a valid appraisal of every asset they sell."""
    if channel not in SELLING_CHANNELS or not missing:
        return None
    return Breach(
        "appraisal_required",
        "appraisal",
        f"A {channel} sale needs a third-party appraisal of every asset; none for "
        f"{', '.join(missing)}.",
    )


def appraisal_expires_on(base_date: dt.date, t: Thresholds) -> dt.date:
    """The last day an appraisal is valid: the day before the anniversary of its base date."""
    return add_months(base_date, t.appraisal_validity_months) - dt.timedelta(days=1)


def appraisal_current(
    *, base_date: dt.date, valid_until: dt.date | None, on: dt.date, t: Thresholds, label: str = ""
) -> Breach | None:
    """An appraisal older than its validity (12 months from its base date by default, or the
    report's own shorter validity) blocks listing until it is renewed."""
    last = appraisal_expires_on(base_date, t)
    if valid_until is not None:
        last = min(last, valid_until)
    if base_date <= on <= last:
        return None
    what = f"The appraisal{f' of {label}' if label else ''} (base date {base_date:%Y-%m-%d})"
    if on < base_date:
        return Breach("appraisal_stale", "appraisal", f"{what} is dated after {on:%Y-%m-%d}.")
    return Breach(
        "appraisal_stale",
        "appraisal",
        f"{what} expired on {last:%Y-%m-%d}: an appraisal is valid for "
        f"{t.appraisal_validity_months} months; renew it before listing.",
    )


def reappraisal_due(
    *,
    first_disclosed_on: dt.date | None,
    appraisal_base_date: dt.date | None,
    on: dt.date,
    t: Thresholds,
) -> Breach | None:
    """No qualified buyer within 12 months of first disclosure: re-appraise and re-disclose.
    Met once an appraisal dated after the first disclosure exists."""
    if first_disclosed_on is None:
        return None
    deadline = add_months(first_disclosed_on, t.reappraise_after_months)
    if on < deadline:
        return None
    if appraisal_base_date is not None and appraisal_base_date > first_disclosed_on:
        return None
    return Breach(
        "reappraisal_due",
        "appraisal",
        f"No buyer within {t.reappraise_after_months} months of first disclosure "
        f"({first_disclosed_on:%Y-%m-%d}): re-appraise and disclose again.",
    )


# --- Price ------------------------------------------------------------------------------------


def reserve_at_first_listing(
    *, reserve: Decimal, appraised: Decimal, t: Thresholds
) -> Breach | None:
    """At the first listing the reserve is not below the appraised value (100 % by default)."""
    floor = _pct(appraised, t.first_listing_reserve_pct)
    if Decimal(reserve) >= floor:
        return None
    return Breach(
        "reserve_below_appraisal",
        "reserve_price",
        f"The reserve {_yuan(reserve)} is below {t.first_listing_reserve_pct} % of the "
        f"appraised value {_yuan(appraised)} ({_yuan(floor)}); a first listing may not go lower.",
    )


def needs_written_approval(*, price: Decimal, appraised: Decimal, t: Thresholds) -> bool:
    """Whether ``price`` is below the approval floor (90 % of the appraisal by default)."""
    return Decimal(price) < _pct(appraised, t.approval_floor_pct)


def below_approval_floor(
    *,
    price: Decimal,
    appraised: Decimal,
    approved: bool,
    t: Thresholds,
    field: str = "deal_price",
) -> Breach | None:
    """A relisting or a deal below 90 % of the appraisal is suspended until written approval."""
    if not needs_written_approval(price=price, appraised=appraised, t=t) or approved:
        return None
    floor = _pct(appraised, t.approval_floor_pct)
    what = "deal price" if field == "deal_price" else "relisting reserve"
    return Breach(
        "below_approval_floor",
        field,
        f"The {what} {_yuan(price)} is below {t.approval_floor_pct} % of the appraised value "
        f"{_yuan(appraised)} ({_yuan(floor)}): suspended until the head's written approval.",
    )


# --- Periods ----------------------------------------------------------------------------------


def disclosure_min_days(*, physical: bool, value: Decimal, t: Thresholds) -> int:
    """Working days of disclosure: physical assets worth 1–10 m yuan (inclusive) at least 10,
    above 10 m at least 20; everything else the general period (20)."""
    value = Decimal(value)
    if physical and t.physical_mid_from <= value <= t.physical_mid_to:
        return t.disclosure_days_physical_mid
    if physical and value > t.physical_mid_to:
        return t.disclosure_days_physical_high
    return t.disclosure_days


def disclosure_period_ok(
    *,
    start: dt.date,
    end: dt.date,
    physical: bool,
    value: Decimal,
    t: Thresholds,
    jurisdiction=None,
) -> Breach | None:
    """A disclosure from ``start`` to ``end`` lasts at least its minimum of working days."""
    need = disclosure_min_days(physical=physical, value=value, t=t)
    got = workdays.working_days_between(start, end, jurisdiction=jurisdiction)
    if got >= need:
        return None
    return Breach(
        "disclosure_too_short",
        "disclosure",
        f"Disclosed for {got} working days; at least {need} are required.",
    )


def payment_terms_ok(
    *,
    price: Decimal,
    deal_date: dt.date,
    t: Thresholds,
    paid_in_full_on: dt.date | None = None,
    down_payment: Decimal | None = None,
    down_paid_on: dt.date | None = None,
    rest_due_on: dt.date | None = None,
    jurisdiction=None,
) -> Breach | None:
    """Payment in full within 5 working days of the deal, or at least 30 % down within those
    days and the rest (secured, with interest) within a year."""
    if paid_in_full_on is not None:
        days = workdays.working_days_between(deal_date, paid_in_full_on, jurisdiction=jurisdiction)
        if days <= t.payment_full_days:
            return None
        return Breach(
            "payment_late",
            "payment",
            f"Paid in full {days} working days after the deal; at most {t.payment_full_days}.",
        )
    if down_payment is None or down_paid_on is None or rest_due_on is None:
        return Breach(
            "payment_terms",
            "payment",
            f"Pay in full within {t.payment_full_days} working days, or at least "
            f"{t.payment_down_pct} % down and the rest within {t.payment_rest_months} months.",
        )
    need = _pct(price, t.payment_down_pct)
    if Decimal(down_payment) < need:
        return Breach(
            "down_payment_low",
            "down_payment",
            f"The down payment {_yuan(down_payment)} is below {t.payment_down_pct} % of "
            f"{_yuan(price)} ({_yuan(need)}).",
        )
    days = workdays.working_days_between(deal_date, down_paid_on, jurisdiction=jurisdiction)
    if days > t.payment_full_days:
        return Breach(
            "payment_late",
            "down_paid_on",
            f"The down payment came {days} working days after the deal; at most "
            f"{t.payment_full_days}.",
        )
    last = add_months(deal_date, t.payment_rest_months)
    if rest_due_on > last:
        return Breach(
            "instalments_too_long",
            "rest_due_on",
            f"The rest is due {rest_due_on:%Y-%m-%d}, after {last:%Y-%m-%d} "
            f"({t.payment_rest_months} months from the deal).",
        )
    return None


def notice_period_ok(
    *, start: dt.date, end: dt.date, t: Thresholds, jurisdiction=None
) -> Breach | None:
    """The result notice (appraisal, reserve and deal price) stays up at least 5 working days."""
    got = workdays.working_days_between(start, end, jurisdiction=jurisdiction)
    if got >= t.notice_days:
        return None
    return Breach(
        "notice_too_short",
        "notice",
        f"The result notice was up {got} working days; at least {t.notice_days}.",
    )


# --- Deadlines for a project (read the jurisdiction's thresholds and calendar) ---------------


@dataclass(frozen=True)
class PaymentDue:
    full_by: dt.date
    down_pct: Decimal
    down_by: dt.date
    rest_by: dt.date


def thresholds_for(jurisdiction, rule_class: str = "enterprise") -> Thresholds:
    from panhuo.pricing.selectors import thresholds_for as lookup

    return lookup(jurisdiction, rule_class)


def thresholds_for_project(project) -> Thresholds:
    """The thresholds of the rule-set class(es) of ``project``'s assets in its jurisdiction
    (the strictest of each when the package mixes classes)."""
    from panhuo.pricing.selectors import thresholds_for_package

    return thresholds_for_package(project.package)


def _project_figures(project) -> tuple[bool, Decimal]:
    kinds = set(project.package.items.values_list("asset__kind", flat=True))
    physical = bool(kinds) and kinds <= PHYSICAL_KINDS
    return physical, project.reserve_price


def disclosure_due(project, start_date: dt.date) -> dt.date:
    """The first day the disclosure of ``project`` starting on ``start_date`` may end. A
    package with land-use rights also waits for the land listing period (calendar days, MLR
    Order 39) counted from ``start_date``, the listing: its announcement period ran before
    the listing (gate ``land_announcement_short`` at the listing step), so it is not counted
    again here."""
    t = thresholds_for_project(project)
    physical, value = _project_figures(project)
    days = disclosure_min_days(physical=physical, value=value, t=t)
    due = workdays.add_working_days(start_date, days, jurisdiction=project.jurisdiction)
    if "land" in t.rule_classes:
        due = max(due, start_date + dt.timedelta(days=t.land_listing_days))
    return due


def payment_due(project, deal_date: dt.date) -> PaymentDue:
    """When the buyer of ``project`` must pay: in full, or the down payment and the rest."""
    t = thresholds_for_project(project)
    by = workdays.add_working_days(
        deal_date, t.payment_full_days, jurisdiction=project.jurisdiction
    )
    return PaymentDue(by, t.payment_down_pct, by, add_months(deal_date, t.payment_rest_months))


def notice_due(project, start_date: dt.date) -> dt.date:
    """The first day the result notice of ``project`` published on ``start_date`` may come down."""
    t = thresholds_for_project(project)
    return workdays.add_working_days(start_date, t.notice_days, jurisdiction=project.jurisdiction)
