"""The price gates of issue 12 (the law as gates), one named function each.

Each function is pure (no database): it takes the figures it judges and the applicable
:class:`~panhuo.pricing.rules.Thresholds` and either lets the step through or raises
:class:`panhuo.core.gates.GateRefused` naming the rule, its legal source and what would unblock
it. The services that own the step call them inside their transaction:

- ``require_not_laxer_than_law`` — ``pricing.services.price_rules_update``;
- ``require_plausible_amount`` — ``disposal.amounts`` (project create/update, submit, listing,
  relisting, the deal);
- ``require_deferred_terms`` — ``finance.instalments.check_plan``;
- the land-use-rights gates are in ``pricing.land_gates``.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panhuo.core.gates import GateRefused, rule
from panhuo.core.money import CENT
from panhuo.pricing import law, rules
from panhuo.pricing.rules import HUNDRED, Thresholds

RULE_SET_LAXER = rule(
    "rule_set_laxer_than_law",
    gettext_lazy("A configured threshold may not be laxer than the law's minimum"),
    gettext_lazy("Order 32; Decree 738; MLR Order 39 (per rule-set class)"),
    owner="pricing",
)
AMOUNT_IMPLAUSIBLE = rule(
    "amount_implausible",
    gettext_lazy("A reserve or price far from the appraisal is held until confirmed"),
    law.PLAUSIBLE,
    owner="disposal",
)
DEFERRED_INTEREST_LOW = rule(
    "deferred_interest_low",
    gettext_lazy("Deferred payment bears interest at no less than the reference rate"),
    law.ORDER32_28,
    owner="finance",
)
DEFERRED_SECURITY_MISSING = rule(
    "deferred_security_missing",
    gettext_lazy("Deferred payment needs a recorded security"),
    law.ORDER32_28,
    owner="finance",
)


def require_not_laxer_than_law(rule_class: str, values: dict) -> None:
    """Refuse a configuration of ``rule_class`` with any threshold laxer than the law's."""
    found = law.laxer_than_law(rule_class, values)
    if found is None:
        return
    stricter = _("at least") if found.stricter == law.HIGHER else _("at most")
    raise GateRefused(
        RULE_SET_LAXER,
        field=found.field,
        message=_(
            "%(field)s = %(value)s is laxer than the law allows for %(class)s: %(source)s "
            "requires %(stricter)s %(bound)s."
        ),
        unblock=_("Set %(field)s to %(stricter)s %(bound)s (a stricter value is allowed)."),
        params={
            "field": found.field,
            "value": values[found.field],
            "class": law.RuleClass(rule_class).label,
            "source": found.source,
            "stricter": stricter,
            "bound": found.bound,
        },
    )


def plausible_range(appraised: Decimal, t: Thresholds) -> tuple[Decimal, Decimal]:
    """The amounts taken without a confirmation: from ``plausible_low_pct`` % of the appraisal
    up to ``plausible_high_multiple`` times it (both inclusive)."""
    appraised = Decimal(appraised)
    low = (appraised * Decimal(t.plausible_low_pct) / HUNDRED).quantize(CENT, ROUND_HALF_UP)
    high = (appraised * Decimal(t.plausible_high_multiple)).quantize(CENT, ROUND_HALF_UP)
    return low, high


def require_plausible_amount(
    *,
    amount: Decimal,
    appraised: Decimal | None,
    t: Thresholds,
    field: str,
    confirmed: bool = False,
) -> str:
    """Hold an amount that is below half the appraisal (by default) or above a plausible
    multiple of it — a reserve typed in yuan on a page showing 万元 lands at 0.01 % of the
    appraisal. Returns "" when the amount is plausible (or there is no appraisal to judge by),
    the text to record when it is not but ``confirmed``; raises otherwise."""
    if appraised is None or Decimal(appraised) <= 0:
        return ""
    low, high = plausible_range(appraised, t)
    amount = Decimal(amount)
    if low <= amount <= high:
        return ""
    share = (amount * HUNDRED / Decimal(appraised)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    params = {
        "field": field,
        "amount": f"{amount:,.2f}",
        "wan": f"{amount / Decimal(10_000):,.6f}".rstrip("0").rstrip("."),
        "share": share,
        "appraised": f"{Decimal(appraised):,.2f}",
        "low": f"{low:,.2f}",
        "high": f"{high:,.2f}",
    }
    if confirmed:
        return (
            _(
                "Amount confirmed although implausible: %(field)s %(amount)s yuan is %(share)s %% "
                "of the appraisal %(appraised)s yuan (plausible: %(low)s to %(high)s)."
            )
            % params
        )
    raise GateRefused(
        AMOUNT_IMPLAUSIBLE,
        field=field,
        message=_(
            "%(amount)s yuan (= %(wan)s 万元) is %(share)s %% of the appraisal %(appraised)s "
            "yuan, outside the plausible range %(low)s to %(high)s yuan. Was it typed in the "
            "wrong unit?"
        ),
        unblock=_(
            "Check the unit (元 or 万元) and correct the amount, or confirm it "
            "(confirm_amount=true, or tick “I confirm this amount” on the page); the "
            "confirmation is recorded."
        ),
        params=params,
    )


def deferred_interest(
    rows: list[tuple[dt.date, Decimal]], rate_pct: Decimal
) -> list[tuple[dt.date, Decimal]]:
    """Simple interest at ``rate_pct`` % a year (actual/365) on the balance left after the down
    payment, for each instalment from the previous due date to its own; rows are (due date,
    principal) in due-date order, the down payment first. Returns (due date, interest) for
    each instalment after the down payment (zero amounts left out)."""
    if len(rows) < 2:
        return []
    balance = sum((a for _d, a in rows[1:]), Decimal(0))
    out = []
    previous = rows[0][0]
    for due, principal in rows[1:]:
        days = (due - previous).days
        interest = (balance * Decimal(rate_pct) / HUNDRED * days / Decimal(365)).quantize(
            CENT, ROUND_HALF_UP
        )
        if interest > 0:
            out.append((due, interest))
        balance -= principal
        previous = due
    return out


def require_deferred_terms(
    *, rate_pct: Decimal | None, security: str, t: Thresholds, field_prefix: str = ""
) -> None:
    """The deferred part of a price bears interest at no less than the reference rate (the
    1-year LPR by default) and is secured (a guarantee, pledge or mortgage, recorded)."""
    rate = None if rate_pct in (None, "") else Decimal(rate_pct)
    if rate is None or rate < Decimal(t.reference_rate_pct):
        raise GateRefused(
            DEFERRED_INTEREST_LOW,
            field=f"{field_prefix}interest_rate",
            message=_(
                "The interest on the deferred part (%(rate)s %% a year) is below the reference "
                "rate %(reference)s %% (1-year LPR, configured in the price rules)."
            ),
            unblock=_("Agree interest of at least %(reference)s %% a year."),
            params={"rate": "—" if rate is None else rate, "reference": t.reference_rate_pct},
        )
    if not (security or "").strip():
        raise GateRefused(
            DEFERRED_SECURITY_MISSING,
            field=f"{field_prefix}security_kind",
            message=_("The deferred part of the price is not secured."),
            unblock=_(
                "Record the security the seller accepted (guarantee, pledge or mortgage) and "
                "its document reference."
            ),
        )


def approval_authority(value: Decimal, t: Thresholds) -> str:
    """Who approves an administrative disposal worth ``value``: the finance bureau above the
    local limit, else the supervising department."""
    return "finance_bureau" if Decimal(value) > Decimal(t.finance_approval_above) else "department"


# --- The price rules of a listing and a deal (run by ``disposal.pricing_guard``) --------------
#
# Each gate decides with the pure rule of ``pricing.rules`` (same thresholds, same edges) and
# refuses in the user's language, naming the rule, its source and the way through.

APPRAISAL_REQUIRED = rule(
    "appraisal_required",
    gettext_lazy("A sale, transfer or swap needs a third-party appraisal of every asset"),
    gettext_lazy("State-Owned Assets Law art. 55 (the appraisal is the basis of the price)"),
    owner="pricing",
)
APPRAISAL_STALE = rule(
    "appraisal_stale",
    gettext_lazy("A listing rests on a current appraisal"),
    law.APPRAISAL_YEAR,
    owner="pricing",
)
REAPPRAISAL_DUE = rule(
    "reappraisal_due",
    gettext_lazy("No buyer within 12 months of the first disclosure: appraise and disclose again"),
    law.ORDER32_19,
    owner="pricing",
)
RESERVE_BELOW_APPRAISAL = rule(
    "reserve_below_appraisal",
    gettext_lazy("A first listing's reserve is not below the appraisal"),
    law.ORDER32_RESERVE,
    owner="pricing",
)
BELOW_APPROVAL_FLOOR = rule(
    "below_approval_floor",
    gettext_lazy(
        "A relisting reserve or a deal below 90 per cent of the appraisal needs the head's "
        "written approval"
    ),
    law.ORDER32_18,
    owner="pricing",
)


def _yuan(value) -> str:
    return f"{Decimal(value):,.2f}"


def require_appraisal(*, channel: str, missing: list[str]) -> None:
    """Sales, transfers and swaps need a valid appraisal of every asset they sell
    (``rules.sale_needs_appraisal``)."""
    if rules.sale_needs_appraisal(channel=channel, missing=missing) is None:
        return
    raise GateRefused(
        APPRAISAL_REQUIRED,
        field="appraisal",
        message=_(
            "A %(channel)s sale needs a third-party appraisal of every asset; none for %(codes)s."
        ),
        unblock=_("Record a current third-party appraisal of each of these assets."),
        params={"channel": channel, "codes": ", ".join(missing)},
    )


def require_current_appraisal(
    *, base_date: dt.date, valid_until: dt.date | None, on: dt.date, t: Thresholds, label: str = ""
) -> None:
    """An appraisal older than its validity (12 months from its base date by default, or the
    report's own shorter validity) blocks listing until renewed (``rules.appraisal_current``)."""
    if rules.appraisal_current(base_date=base_date, valid_until=valid_until, on=on, t=t) is None:
        return
    last = rules.appraisal_expires_on(base_date, t)
    if valid_until is not None:
        last = min(last, valid_until)
    params = {
        "what": label or "—",
        "base": base_date.isoformat(),
        "on": on.isoformat(),
        "last": last.isoformat(),
        "months": t.appraisal_validity_months,
    }
    if on < base_date:
        raise GateRefused(
            APPRAISAL_STALE,
            field="appraisal",
            message=_("The appraisal of %(what)s (base date %(base)s) is dated after %(on)s."),
            unblock=_("Use an appraisal whose base date is on or before %(on)s."),
            params=params,
        )
    raise GateRefused(
        APPRAISAL_STALE,
        field="appraisal",
        message=_(
            "The appraisal of %(what)s (base date %(base)s) expired on %(last)s: an appraisal "
            "is valid for %(months)s months; renew it before listing."
        ),
        unblock=_("Record a new appraisal of the asset; the listing can go ahead then."),
        params=params,
    )


def require_reappraisal(
    *,
    first_disclosed_on: dt.date | None,
    appraisal_base_date: dt.date | None,
    on: dt.date,
    t: Thresholds,
) -> None:
    """No qualified buyer within 12 months of the first disclosure: appraise and disclose
    again; met once an appraisal dated after the first disclosure exists
    (``rules.reappraisal_due``)."""
    if (
        rules.reappraisal_due(
            first_disclosed_on=first_disclosed_on,
            appraisal_base_date=appraisal_base_date,
            on=on,
            t=t,
        )
        is None
    ):
        return
    raise GateRefused(
        REAPPRAISAL_DUE,
        field="appraisal",
        message=_(
            "No buyer within %(months)s months of first disclosure (%(first)s): re-appraise "
            "and disclose again."
        ),
        unblock=_("Record an appraisal with a base date after %(first)s, then disclose again."),
        params={"months": t.reappraise_after_months, "first": first_disclosed_on.isoformat()},
    )


def require_first_listing_reserve(*, reserve: Decimal, appraised: Decimal, t: Thresholds) -> None:
    """At the first listing the reserve is not below the appraised value (100 % by default;
    ``rules.reserve_at_first_listing``)."""
    if rules.reserve_at_first_listing(reserve=reserve, appraised=appraised, t=t) is None:
        return
    floor = rules._pct(appraised, t.first_listing_reserve_pct)
    raise GateRefused(
        RESERVE_BELOW_APPRAISAL,
        field="reserve_price",
        message=_(
            "The reserve %(reserve)s is below %(pct)s %% of the appraised value %(appraised)s "
            "(%(floor)s); a first listing may not go lower."
        ),
        unblock=_("List at a reserve of %(floor)s or more."),
        params={
            "reserve": _yuan(reserve),
            "pct": t.first_listing_reserve_pct,
            "appraised": _yuan(appraised),
            "floor": _yuan(floor),
        },
    )


def require_floor_approval(
    *,
    price: Decimal,
    appraised: Decimal,
    approved: bool,
    t: Thresholds,
    field: str = "deal_price",
    unblock: str = "",
) -> None:
    """A relisting reserve or a deal below the approval floor (90 % of the appraisal by
    default) is suspended until the head's written approval (``rules.below_approval_floor``);
    ``unblock`` says how to get it on this project."""
    if (
        rules.below_approval_floor(
            price=price, appraised=appraised, approved=approved, t=t, field=field
        )
        is None
    ):
        return
    params = {
        "price": _yuan(price),
        "pct": t.approval_floor_pct,
        "appraised": _yuan(appraised),
        "floor": _yuan(rules._pct(appraised, t.approval_floor_pct)),
    }
    message = (
        _(
            "The deal price %(price)s is below %(pct)s %% of the appraised value %(appraised)s "
            "(%(floor)s): suspended until the head's written approval."
        )
        if field == "deal_price"
        else _(
            "The Dutch auction's floor %(price)s is below %(pct)s %% of the appraised value "
            "%(appraised)s (%(floor)s): refused until the head's written approval."
        )
        if field == "floor_price"
        else _(
            "The relisting reserve %(price)s is below %(pct)s %% of the appraised value "
            "%(appraised)s (%(floor)s): suspended until the head's written approval."
        )
    )
    raise GateRefused(
        BELOW_APPROVAL_FLOOR,
        field=field,
        message=message % params,
        unblock=unblock
        or _("Request a price exception for this price; the head's approval lets it through."),
    )
