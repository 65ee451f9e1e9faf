"""The market channels' listing rounds (auction, exchange listing): a listing, a relisting at
a lower reserve, a new disclosure, an extension, the sale with its bidders, the result notice.

``prepare`` checks the step's input and fills ``plan``; ``finish`` writes the rounds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.core.inputs import ABOVE_ZERO, to_amount, to_date
from panhuo.core.validation import full_clean
from panhuo.disposal import deadlines
from panhuo.disposal.channel_models import ListingRound
from panhuo.disposal.models import Channel, DisposalProject
from panhuo.disposal.workflow import Transition

SINGLE_BIDDER = "single_bidder"
SINGLE_BIDDER_NOTE = (
    "Flag: one qualified bidder — no competitive bidding; the sale counts as a negotiated "
    "transfer (State-Owned Assets Law art. 54)."
)


def buyer_conditions(data: dict, current: ListingRound | None) -> dict[str, str]:
    """The conditions on buyers a listing sets and their legal basis (both text; a relisting
    keeps the current round's unless it gives its own)."""
    conditions = data.get("buyer_conditions")
    basis = data.get("conditions_basis")
    if current is not None and conditions is None:
        conditions = current.buyer_conditions
        basis = current.conditions_basis if basis is None else basis
    return {
        "buyer_conditions": str(conditions or "").strip()[:2000],
        "conditions_basis": str(basis or "").strip()[:300],
    }


def announced_on_given(data: dict) -> dt.date | None:
    """The land announcement's day a listing step gives (each listing its own), or None."""
    if data.get("announced_on") in (None, ""):
        return None
    return to_date(data.get("announced_on"), "announced_on")


def _open_round(project) -> ListingRound | None:
    return project.rounds.filter(result=ListingRound.Result.OPEN).first()


def prepare(
    needs: frozenset[str], *, project: DisposalProject, today: dt.date, data: dict[str, Any],
    plan: dict[str, Any],
) -> None:  # fmt: skip
    """Check a listing step's input, set the project's reserve and fill ``plan``."""
    if "listing" in needs:
        listed_on = to_date(data.get("listed_on"), "listed_on", default=today)
        if data.get("reserve_price") not in (None, ""):
            project.reserve_price = to_amount(
                data["reserve_price"], "reserve_price", sign=ABOVE_ZERO
            )
        plan["round"] = {"platform": (data.get("platform") or "").strip()[:200],
                         "listed_on": listed_on, "reserve": project.reserve_price,
                         "announced_on": announced_on_given(data),
                         **buyer_conditions(data, None)}  # fmt: skip
        plan["ends"] = to_date(data.get("disclosure_ends"), "disclosure_ends", default=listed_on)
    if "relist" in needs or "redisclose" in needs:
        current = _open_round(project)
        previous = current.reserve if current else project.reserve_price
        if "redisclose" in needs and data.get("reserve_price") in (None, ""):
            reserve = project.reserve_price  # a new disclosure at the new appraisal's price
        else:
            reserve = to_amount(data.get("reserve_price"), "reserve_price", sign=ABOVE_ZERO)
        if "relist" in needs and reserve >= previous:
            raise ValidationError(
                {
                    "reserve_price": [
                        _(
                            "A relisting after no sale reduces the reserve: %(reserve)s is not "
                            "below the last reserve %(previous)s."
                        )
                        % {"reserve": reserve, "previous": previous}
                    ]
                }
            )
        listed_on = to_date(data.get("listed_on"), "listed_on", default=today)
        platform = (data.get("platform") or (current.platform if current else "")).strip()
        plan["relist"] = {"platform": platform[:200], "listed_on": listed_on, "reserve": reserve,
                          "announced_on": announced_on_given(data),
                          **buyer_conditions(data, current)}  # fmt: skip
        plan["ends"] = to_date(data.get("disclosure_ends"), "disclosure_ends", default=listed_on)
        project.reserve_price = reserve
    if "extension" in needs:
        # The periods guard has checked the new end (later than the current, long enough).
        plan["extend"] = to_date(data.get("disclosure_ends"), "disclosure_ends")
    if "notice" in needs:
        # The result notice goes up when the contract takes effect (the deal); its period
        # counts from this day (periods.close_after_notice). The payment term still runs.
        published_on = to_date(data.get("published_on"), "published_on", default=today)
        project.result_published_on = published_on
        plan["due_on"] = project.due_on


def prepare_bidders(data: dict[str, Any], *, today: dt.date, plan: dict[str, Any]) -> None:
    """A sale's qualified bidders (at least one) and the day of the deal."""
    bidders = data.get("bidders")
    bidders = 1 if bidders in (None, "") else bidders
    try:
        bidders = int(bidders)
    except (TypeError, ValueError):
        bidders = 0
    if bidders < 1:
        raise ValidationError({"bidders": [_("A sale has at least one qualified bidder.")]})
    plan["sold"] = {"bidders": bidders}
    # The day of the deal (a deal recorded late states it; periods.stated_date_ok).
    plan["deal_on"] = to_date(data.get("concluded_on"), "concluded_on", default=today)


def _new_round(project: DisposalProject, actor, r: dict, ends: dt.date) -> tuple[int, dt.date]:
    n = project.rounds.count() + 1
    disclosure = max(deadlines.due("disclosure_due", project, r["listed_on"]), ends)
    ListingRound.objects.create(project=project, number=n, disclosure_ends=disclosure,
                                recorded_by=actor, **r)  # fmt: skip
    return n, disclosure


def finish(
    t: Transition, *, project: DisposalProject, actor, today: dt.date, plan: dict, note: dict
) -> None:
    """Write the rounds of a listing step (into ``note`` for the audit entry)."""
    if "round" in plan:
        r = plan["round"]
        n, disclosure = _new_round(project, actor, r, plan["ends"])
        note.update(round=n, listed_on=str(r["listed_on"]), disclosure_ends=str(disclosure))
        plan["due_on"] = disclosure
    if "relist" in plan:
        current = _open_round(project)
        if current:
            current.result, current.ended_on = ListingRound.Result.NO_SALE, today
            current.save(update_fields=["result", "ended_on"])
        r = plan["relist"]
        n, disclosure = _new_round(project, actor, r, plan["ends"])
        note.update(round=n, reserve=str(r["reserve"]), listed_on=str(r["listed_on"]),
                    disclosure_ends=str(disclosure))  # fmt: skip
        plan["due_on"] = disclosure
    if "extend" in plan:
        current = _open_round(project)
        note.update(round=current.number, disclosure_ends=str(plan["extend"]),
                    previous_end=str(current.disclosure_ends))  # fmt: skip
        current.disclosure_ends = plan["extend"]
        current.save(update_fields=["disclosure_ends"])
        plan["due_on"] = plan["extend"]
    if t.name == "confirm_payment" and project.result_published_on is not None:
        # Paid in full: the project waits for the end of the result notice to close.
        plan["due_on"] = deadlines.due("notice_due", project, project.result_published_on)
    if "notice" in t.needs:
        note["published_on"] = str(project.result_published_on)
    if "sold" in plan:
        current = _open_round(project) or ListingRound.objects.create(
            project=project, number=project.rounds.count() + 1, platform="",
            listed_on=today, reserve=project.reserve_price, recorded_by=actor,
        )  # fmt: skip
        deal_on = plan.get("deal_on", today)
        current.result, current.ended_on = ListingRound.Result.SOLD, deal_on
        note["concluded_on"] = str(deal_on)
        current.bidders = plan["sold"]["bidders"]
        current.deal_price, current.buyer = project.deal_price, project.buyer
        full_clean(current)
        current.save()
        note["bidders"] = current.bidders
        if current.single_bidder:
            # One qualified bidder: no competition. Flagged in the audit entry, on the round
            # and the timeline; the sale counts as negotiated (State-Owned Assets Law art. 54).
            note["flag"] = SINGLE_BIDDER
            note["counts_as"] = Channel.NEGOTIATED.value
            plan["event_note"] = SINGLE_BIDDER_NOTE
