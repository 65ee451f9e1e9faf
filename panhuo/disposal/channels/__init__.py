"""What each channel's steps write besides the project's state: listing rounds, counterparty
terms, tranches, contracts and their schedules, arrears, the debt settled by a swap.

``prepare`` runs inside ``project_transition``'s transaction after the table has allowed the
step: it checks the step's input (raising ``ValidationError`` naming the field and the rule)
and sets the project's own fields; ``finish`` writes the channel records once the project is
saved. A refusal anywhere rolls the whole step back.

Each group of channels has its module: ``parties`` (the counterparty's terms: negotiated,
recipient, swap, free transfer, evidence), ``listing`` (the market channels' rounds) and
``contracts`` (lease, concession, tranches). This module runs them in turn and checks the
deal itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.core.inputs import ABOVE_ZERO, to_amount
from panhuo.disposal import deadlines, money
from panhuo.disposal.channels import contracts, listing, parties
from panhuo.disposal.channels.contracts import add_months, schedule
from panhuo.disposal.channels.listing import (
    SINGLE_BIDDER,
    SINGLE_BIDDER_NOTE,
    announced_on_given,
    buyer_conditions,
)
from panhuo.disposal.channels.parties import free_recipient, recipient_code
from panhuo.disposal.models import Channel, DisposalProject
from panhuo.disposal.workflow import Transition

__all__ = [
    "SINGLE_BIDDER",
    "SINGLE_BIDDER_NOTE",
    "add_months",
    "announced_on_given",
    "buyer_conditions",
    "finish",
    "free_recipient",
    "prepare",
    "recipient_code",
    "schedule",
]


def prepare(
    t: Transition, *, project: DisposalProject, actor, today: dt.date, deal_price, buyer: str,
    comment: str, data: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    """Check the step's input and set the project's fields; return what ``finish`` writes."""
    plan: dict[str, Any] = {}
    needs = t.needs
    buyer = (buyer or "").strip()
    deal_price, buyer = parties.prepare(
        needs, project=project, actor=actor, today=today, deal_price=deal_price, buyer=buyer,
        comment=comment, data=data, plan=plan,
    )  # fmt: skip
    listing.prepare(needs, project=project, today=today, data=data, plan=plan)
    deal_price, buyer = contracts.prepare(
        needs, project=project, deal_price=deal_price, buyer=buyer, data=data, plan=plan
    )
    if t.needs_deal:
        errors = {}
        try:
            deal_price = to_amount(deal_price, "deal_price", sign=ABOVE_ZERO)
        except ValidationError:
            errors["deal_price"] = [_("A deal price above zero is required.")]
        if not buyer and plan.get("terms"):
            buyer = plan["terms"].get("counterparty_name", "")
        if not buyer and project.channel == Channel.NEGOTIATED and hasattr(project, "terms"):
            buyer = project.terms.counterparty
        if not buyer:
            errors["buyer"] = [_("The buyer is required.")]
        if errors:
            raise ValidationError(errors)
    if "bidders" in needs:
        listing.prepare_bidders(data, today=today, plan=plan)
    if t.needs_deal or "tranches" in needs or "contract" in needs:
        project.deal_price, project.buyer = deal_price, buyer[:200]
    return plan


def finish(t: Transition, *, project: DisposalProject, actor, today: dt.date, plan: dict) -> dict:
    """Write the channel records of the step; return a summary for the audit entry."""
    note: dict[str, Any] = {}
    parties.finish_terms(project, plan, note)
    listing.finish(t, project=project, actor=actor, today=today, plan=plan, note=note)
    if t.needs_deal and project.channel in {Channel.AUCTION, Channel.EXCHANGE, Channel.NEGOTIATED}:
        due = deadlines.due("payment_due", project, plan.get("deal_on", today))
        money.expect(project, [(due, project.deal_price, money.PAYMENT, "")])
        if "deal_on" in plan:
            plan["due_on"] = due
    contracts.finish(t, project=project, actor=actor, today=today, plan=plan, note=note)
    if t.effect == "settle":
        parties.finish_settle(project, actor=actor, today=today, note=note)
    return note
