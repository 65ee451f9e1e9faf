"""The price rules applied to disposal transitions (registered in DisposalConfig.ready).

It lives in disposal, above pricing and approvals: it reads pricing's rules and appraisals and
approvals' price-exception requests, both layers below.

Only channels that sell, transfer or swap the asset away are judged (auction, exchange,
negotiated, transfer to a state-owned company, debt-for-asset swap); a lease or a concession
keeps the asset and needs no appraisal. Listing (first or again) needs a current appraisal of
every asset; a first listing's reserve is not below it; a relisting reserve or a deal below
90 % of it waits for the head's written approval; twelve months without a buyer after the first
disclosure need a fresh appraisal. A refusal names the rule and its threshold and, since the
guard runs inside ``project_transition`` before anything is written, leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from panhuo.approvals.models import ApprovalStatus
from panhuo.approvals.services import approval_status
from panhuo.approvals.services.gates import approved_by_least_authority
from panhuo.disposal import workflow
from panhuo.pricing import rules
from panhuo.pricing.selectors import package_appraisal, thresholds_for_package

LISTING = frozenset({"list", "relist", "redisclose"})
DEAL = frozenset({"conclude"})
#: The approvals purpose under which the head's written approval of a low price is recorded.
APPROVAL_PURPOSE = "price_exception"


def written_approval(project, price: Decimal) -> bool:
    """Whether the head's written approval of a price below the floor has been given on
    ``project`` (panhuo.approvals, purpose ``price_exception``), covering ``price``: an
    approval that names an amount covers prices at or above it, and only when its last step was
    decided by the head (or the head's delegate)."""
    request = approval_status(project, APPROVAL_PURPOSE)
    if request is None or request.status != ApprovalStatus.APPROVED:
        return False
    if not approved_by_least_authority(request):
        return False  # approved by a role below the head (a chain saved before the rule)
    return request.amount is None or Decimal(price) >= request.amount


def input_amount(value) -> Decimal | None:
    """An amount from the transition's input, or None when absent or malformed (the channel's
    own checks name the field then)."""
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def first_disclosed_on(project) -> dt.date | None:
    """The day the project was first listed (its first disclosure), from its timeline."""
    event = project.events.filter(to_status="listed").order_by("at", "pk").first()
    return timezone.localdate(event.at) if event else None


def is_deal(project, transition: str) -> bool:
    """Whether ``transition`` records the deal on ``project``'s channel (conclude, transfer,
    agree a swap, ...): the row of the channel's table that needs a deal price."""
    table_for = getattr(workflow, "table_for", None)
    rows = table_for(project.channel) if table_for else workflow.TRANSITIONS
    row = rows.get(transition)
    return transition in DEAL or bool(row is not None and getattr(row, "needs_deal", False))


def pricing_guard(*, actor, project, transition: str, data: dict) -> None:
    if project.channel not in rules.SELLING_CHANNELS:
        return
    if transition not in LISTING and not is_deal(project, transition):
        return
    breach = check(project, transition, data)
    if breach is not None:
        if breach.rule == "below_approval_floor":
            breach = _with_request_hint(project, breach)
        raise breach.error()


def _with_request_hint(project, breach: rules.Breach) -> rules.Breach:
    """The floor refusal says how to get past it: request a price exception on the project
    (its page, or ``POST /api/v1/projects/{id}/price-exception``), or that one is waiting."""
    request = approval_status(project, APPROVAL_PURPOSE)
    if request is not None and request.status == ApprovalStatus.PENDING:
        hint = (
            f"A price exception for {request.amount:,} yuan was requested and waits for the "
            "head's decision (My approvals)."
            if request.amount is not None
            else "A price exception was requested and waits for the head's decision."
        )
    else:
        approved = request is not None and request.status == ApprovalStatus.APPROVED
        hint = (
            f"The approved price exception covers {request.amount:,} yuan or more; request a "
            "new one for a lower price"
            if approved and request.amount is not None
            else "Request a price exception for this price"
        ) + (
            f" on the project page (or POST /api/v1/projects/{project.pk}/price-exception "
            "with amount and reason); the head's approval lets it through."
        )
    return rules.Breach(breach.rule, breach.field, f"{breach.message} {hint}")


def check(project, transition: str, data: dict, *, on: dt.date | None = None):
    """The first price rule ``transition`` would break on ``project``, or None."""
    on = on or timezone.localdate()
    t = thresholds_for_package(project.package)
    found = package_appraisal(project.package, on=on)
    breach = rules.sale_needs_appraisal(channel=project.channel, missing=found.missing)
    if breach:
        return breach
    appraised = found.total or Decimal(0)
    first = first_disclosed_on(project)
    oldest = min((v.base_date for v in found.by_asset.values() if v), default=None)
    breach = rules.reappraisal_due(first_disclosed_on=first, appraisal_base_date=oldest, on=on, t=t)
    if breach:
        return breach
    if transition in LISTING or first is None:
        # Listing needs a current appraisal; so does a deal made without a listing
        # (a negotiated transfer, a transfer to a state-owned company, a swap).
        for v in found.by_asset.values():
            breach = rules.appraisal_current(
                base_date=v.base_date,
                valid_until=v.valid_until,
                on=on,
                t=t,
                label=f"asset {v.asset.code}",
            )
            if breach:
                return breach
    if transition in LISTING:
        reserve = input_amount(data.get("reserve_price")) or project.reserve_price
        if transition == "redisclose" or (transition == "list" and first is None):
            # A first listing, or a new disclosure at a new appraisal: not below it.
            return rules.reserve_at_first_listing(reserve=reserve, appraised=appraised, t=t)
        return rules.below_approval_floor(
            price=reserve,
            appraised=appraised,
            approved=written_approval(project, reserve),
            t=t,
            field="reserve_price",
        )
    deal = input_amount(data.get("deal_price"))
    if deal is None or deal <= 0:
        return None  # disposal itself refuses a missing or malformed deal price
    return rules.below_approval_floor(
        price=deal,
        appraised=appraised,
        approved=written_approval(project, deal),
        t=t,
    )
