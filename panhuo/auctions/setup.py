"""The office changes a lot's terms, or cancels it, before bidding opens.

- :func:`lot_update`: the terms given replace the lot's own, and the whole is checked again as
  at setup (``auctions.terms``), under the lot's lock, while the lot is scheduled and its
  opening time has not come. Once a bidder has registered, the kind and the deposit stay as they
  were: the bidder accepted them and their deposit fell due for that amount.
- :func:`lot_cancel`: a lot whose bidding has not opened (scheduled, its opening time not come:
  once it has, bidders may be about to bid) is cancelled with a reason; deposits finance holds
  are refunded by the sale's rules in the same transaction; a deposit declared paid but not yet
  confirmed stops the cancel (finance confirms it first, so that it can be refunded). The round
  keeps its cancelled lot: offering the asset again is a new listing round, disposal's own step.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panhuo.auctions.bidding import now
from panhuo.auctions.models import Lot, LotKind, LotStatus
from panhuo.auctions.services import _step
from panhuo.auctions.terms import FIELDS, checked_terms, placed_terms
from panhuo.core.busy import retry_when_busy
from panhuo.core.errors import ValidationError
from panhuo.disposal.models import ListingRound
from panhuo.finance.deposits.models import DepositStatus
from panhuo.finance.deposits.settle import deposit_settle
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import policy

#: Terms that stay once a bidder has registered.
FIXED_ONCE_REGISTERED = ("kind", "deposit_amount")


def _locked(lot: Lot) -> Lot:
    return (
        Lot.objects.select_for_update(of=("self",))
        .select_related("round__project__package__jurisdiction")
        .get(pk=lot.pk)
    )


@retry_when_busy
def lot_update(*, actor, lot: Lot, changes: dict[str, Any]) -> Lot:
    """Change the terms named in ``changes`` of a lot whose bidding has not opened."""
    policy.require(actor, "lot", "create", jurisdiction=lot.jurisdiction)
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: [_("This term of a lot cannot be changed.")]})
    with transaction.atomic():
        project = lot.round.project.locked()
        lot_round = ListingRound.objects.select_for_update(of=("self",)).get(pk=lot.round_id)
        lot = _locked(lot)
        if lot.status != LotStatus.SCHEDULED or now() >= lot.start_at:
            raise ValidationError(
                {"status": [_("A lot's terms can be changed only before bidding opens.")]}
            )
        current = {name: getattr(lot, name) for name in FIELDS if name != "end_at"}
        current["end_at"] = lot.planned_end_at
        if "kind" in changes and changes["kind"] != lot.kind and "reserve" not in changes:
            current["reserve"] = None  # a new kind starts from the round's reserve
        placed = placed_terms(project, lot_round, checked_terms(**{**current, **changes}))
        if lot.registrations.exists():
            for name in FIXED_ONCE_REGISTERED:
                if placed[name] != getattr(lot, name):
                    raise ValidationError({name: [_(
                        "Bidders have registered on these terms: this one cannot change now."
                    )]})  # fmt: skip
        before = snapshot(lot)
        for name, value in placed.items():
            setattr(lot, name, value)
        lot.planned_end_at = placed["end_at"]
        lot.version += 1
        lot.save()
        audit_record(
            actor=actor, action="lot.update", obj=lot, before=before, after=snapshot(lot),
            jurisdiction_path=project.jurisdiction.path,
        )  # fmt: skip
        if lot.kind == LotKind.SEALED and not hasattr(lot, "sealed_key"):
            from panhuo.auctions.sealed import key_for

            key_for(lot)
    return lot


@retry_when_busy
def lot_cancel(*, actor, lot: Lot, reason: str) -> Lot:
    """Cancel a lot before bidding opens, with ``reason``; deposits finance holds are refunded."""
    policy.require(actor, "lot", "create", jurisdiction=lot.jurisdiction)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the lot is cancelled.")]})
    with transaction.atomic():
        lot = _locked(lot)
        if lot.status == LotStatus.SCHEDULED and now() >= lot.start_at:
            raise ValidationError(
                {"status": [_("A lot can be cancelled only before bidding opens.")]}
            )
        before = _step(lot, "cancel")
        registrations = lot.registrations.select_related("bidder", "deposit")
        waiting = [r for r in registrations if r.deposit and r.deposit.status == DepositStatus.PAID]
        if waiting:
            raise ValidationError({"deposits": [_(
                "%(bidder)s's deposit is declared paid and awaits finance's confirmation: "
                "finance confirms it first, so that it is refunded."
            ) % {"bidder": waiting[0].bidder.name}]})  # fmt: skip
        for registration in registrations:
            if registration.deposit and registration.deposit.status == DepositStatus.HELD:
                deposit_settle(actor=actor, deposit=registration.deposit, action="refund",
                               reason=_("The lot was cancelled."))  # fmt: skip
        lot.version += 1
        lot.save(update_fields=["status", "version"])
        audit_record(
            actor=actor, action="lot.cancel", obj=lot, before={"status": before},
            after={"status": lot.status, "reason": reason},
            jurisdiction_path=lot.jurisdiction.path,
        )  # fmt: skip
    return lot
