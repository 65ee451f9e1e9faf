"""The award queue (issue 16): the office awards a closed lot, the ranked result forms a queue,
the first is offered the lot and has the payment term (working days, the same date as the
deal's expected receipt) to sign and pay. The office records the signing (the contract number):
the winner's deposit is applied to the price and the others' refunded. A winner who does not
sign by then defaults (the office records it, or ``panhuo auctions award-defaults`` once the
day has passed): their deposit is forfeited and the deal passes to the next in the queue at
their own best bid (``disposal.deal_party.deal_reassign``); with no one left the lot lapses.

Each award moves only through ``award_models.AWARD_TRANSITIONS``; each write is one
transaction under the lot's lock with its audit entries; deposits move through finance's own
service (``finance.deposits.settle``), the deal through disposal's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.auctions.award_models import AWARD_TRANSITIONS, Award, AwardSource, AwardStatus
from panhuo.auctions.models import TRANSITIONS, Bid, BidKind, Lot, LotRegistration
from panhuo.core.busy import retry_when_busy
from panhuo.core.errors import ValidationError
from panhuo.disposal import deadlines
from panhuo.disposal.deal_party import deal_reassign
from panhuo.finance.deposits.models import DepositStatus
from panhuo.finance.deposits.settle import deposit_settle
from panhuo.integrity.services import Operator, audit_insert, audit_record
from panhuo.organisation import policy


def move(obj, table: dict, name: str, refusal: str) -> str:
    """Move ``obj`` (a lot, an award) by transition ``name`` of its state machine's ``table``
    (name → (sources, target)); else refuse with ``refusal`` (its status and the step)."""
    sources, target = table[name]
    if obj.status not in sources:
        raise ValidationError(
            {"status": [refusal % {"status": obj.get_status_display().lower(), "step": name}]}
        )
    before = obj.status
    obj.status = target
    return before


def award_step(award: Award, name: str) -> str:
    """Move ``award`` by transition ``name`` of the table, or refuse naming the state."""
    return move(
        award, AWARD_TRANSITIONS, name, _("An award that is %(status)s cannot be %(step)s.")
    )


def ranked(lot: Lot) -> list[tuple[int, Decimal]]:
    """The queue of a closed lot: (registration id, price). The leader first at the price;
    then every other bidder whose best bid met the reserve, by that bid (higher first; on a tie
    the one who reached it first)."""
    if lot.leader_id is None or not lot.reserve_met:
        return []
    queue = [(lot.leader_id, lot.price)]
    best = (
        Bid.objects.filter(lot=lot, amount__gte=lot.reserve)
        .exclude(registration_id=lot.leader_id)
        .exclude(kind=BidKind.MATCH)
        .values("registration_id")
        .annotate(top=Max("amount"))
    )
    rows = []
    for row in best:
        # SQLite hands an aggregate back through a float (5798765.43000000): back to cents.
        top = Decimal(row["top"]).quantize(Decimal("0.01"))
        first = Bid.objects.filter(
            lot=lot, registration_id=row["registration_id"], amount=top
        ).aggregate(s=Min("seq"))["s"]
        rows.append((-top, first, row["registration_id"]))
    queue += [(reg, -neg) for neg, _seq, reg in sorted(rows)]
    return queue


def _settle(actor, registration: LotRegistration, action: str, reason: str) -> None:
    d = registration.deposit
    if d is not None and d.status == DepositStatus.HELD:
        deposit_settle(actor=actor, deposit=d, action=action, reason=reason)


def _path(lot: Lot) -> str:
    return lot.jurisdiction.path


def queue_create(
    *, actor, lot: Lot, queue: list[tuple[int, Decimal]], due_on: dt.date, on: dt.date,
    source: str = AwardSource.AUCTION,
) -> list[Award]:  # fmt: skip
    """Form the award queue of ``lot`` (inside the award's transaction, the lot locked): the
    first offered until ``due_on``; registrations outside the queue get their deposit back."""
    awards = []
    for rank, (reg_id, price) in enumerate(queue, start=1):
        award = Award(
            lot=lot, registration_id=reg_id, rank=rank, price=price, source=source,
            created_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        if rank == 1:
            award_step(award, "offer")
            award.offered_on, award.due_on = on, due_on
        audit_insert(award, actor=actor, action="award.queue", jurisdiction_path=_path(lot))
        awards.append(award)
    in_queue = {reg for reg, _price in queue}
    for reg in lot.registrations.select_related("deposit").exclude(pk__in=in_queue):
        _settle(actor, reg, "refund", _("Not in the award queue of the lot."))
    return awards


def _locked(award: Award) -> tuple[Lot, Award]:
    lot = (
        Lot.objects.select_for_update(of=("self",))
        .select_related("round__project__package__jurisdiction")
        .get(pk=award.lot_id)
    )
    award = (
        Award.objects.select_for_update(of=("self",))
        .select_related("registration__bidder", "registration__deposit")
        .get(pk=award.pk)
    )
    return lot, award


def _may(actor, lot: Lot) -> None:
    if not isinstance(actor, Operator):
        policy.require(actor, "lot", "award", jurisdiction=lot.jurisdiction)


@retry_when_busy
def award_sign(*, actor, award: Award, contract_no: str, signed_on: dt.date | None = None) -> Award:
    """The offered bidder signed the contract (its number): their deposit is applied to the
    price, the rest of the queue is released and their deposits refunded."""
    contract_no = (contract_no or "").strip()[:60]
    if not contract_no:
        raise ValidationError({"contract_no": [_("Give the number of the signed contract.")]})
    signed_on = signed_on or timezone.localdate()
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": [_("The day of signing cannot be in the future.")]})
    with transaction.atomic():
        lot, award = _locked(award)
        _may(actor, lot)
        before = award_step(award, "sign")
        if signed_on < award.offered_on:
            raise ValidationError({"signed_on": [_("The contract is signed after the offer.")]})
        award.contract_no, award.signed_on = contract_no, signed_on
        award.save(update_fields=["status", "contract_no", "signed_on"])
        audit_record(
            actor=actor, action="award.sign", obj=award, before={"status": before},
            after={"status": award.status, "contract_no": contract_no,
                   "signed_on": str(signed_on)},
            jurisdiction_path=_path(lot),
        )  # fmt: skip
        _settle(actor, award.registration, "apply", _("The winner signed: applied to the price."))
        for other in lot.awards.filter(status=AwardStatus.QUEUED).select_related(
            "registration__deposit"
        ):
            before = award_step(other, "release")
            other.save(update_fields=["status"])
            audit_record(
                actor=actor, action="award.release", obj=other, before={"status": before},
                after={"status": other.status}, jurisdiction_path=_path(lot),
            )  # fmt: skip
            _settle(actor, other.registration, "refund", _("The lot went to the winner."))
    return award


@retry_when_busy
def award_default(*, actor, award: Award, reason: str) -> Award:
    """The offered bidder did not sign and pay: their deposit is forfeited and the lot is
    offered to the next in the queue at their price (the deal passes to them); with no one
    left the lot lapses (no sale)."""
    reason = (reason or "").strip()[:300]
    if not reason:
        raise ValidationError({"reason": [_("Say why the bidder defaulted.")]})
    today = timezone.localdate()
    with transaction.atomic():
        lot, award = _locked(award)
        _may(actor, lot)
        before = award_step(award, "default")
        award.reason = reason
        award.save(update_fields=["status", "reason"])
        audit_record(
            actor=actor, action="award.default", obj=award, before={"status": before},
            after={"status": award.status, "reason": reason}, jurisdiction_path=_path(lot),
        )  # fmt: skip
        _settle(actor, award.registration, "forfeit",
                _("Defaulted on the award: %(reason)s") % {"reason": reason})  # fmt: skip
        nxt = (
            lot.awards.filter(status=AwardStatus.QUEUED)
            .select_related("registration__bidder")
            .order_by("rank")
            .first()
        )
        project = lot.round.project
        if nxt is None:
            _lapse(actor, lot)
            return award
        due = deadlines.due("payment_due", project, today)
        award_step(nxt, "offer")
        nxt.offered_on, nxt.due_on = today, due
        nxt.save(update_fields=["status", "offered_on", "due_on"])
        audit_record(
            actor=actor, action="award.offer", obj=nxt, before={"status": "queued"},
            after={"status": nxt.status, "rank": nxt.rank, "price": str(nxt.price),
                   "due_on": str(due)},
            jurisdiction_path=_path(lot),
        )  # fmt: skip
        deal_reassign(actor=actor, project=project, party=nxt.registration.bidder,
                      deal_price=nxt.price, due_on=due, reason=reason)  # fmt: skip
    return award


def _lapse(actor, lot: Lot) -> None:
    before = move(lot, TRANSITIONS, "lapse", _("A lot that is %(status)s cannot be %(step)s."))
    lot.version += 1
    lot.save(update_fields=["status", "version"])
    audit_record(
        actor=actor, action="lot.lapse", obj=lot, before={"status": before},
        after={"status": lot.status, "reason": "award queue exhausted"},
        jurisdiction_path=_path(lot),
    )  # fmt: skip


def defaults_due(
    *, actor, today: dt.date | None = None, refused: list | None = None
) -> list[Award]:
    """Record the default of every offered award whose day to sign and pay has passed (the
    worker's and ``panhuo auctions award-defaults``' step); each in its own transaction. One
    that cannot be recorded (the deal moved on meanwhile) is left offered and, with the reason,
    added to ``refused`` for the caller to report."""
    today = today or timezone.localdate()
    due = Award.objects.filter(status=AwardStatus.OFFERED, due_on__lt=today)
    done = []
    for award in list(due):
        reason = _("Not signed and paid by %(day)s.") % {"day": award.due_on}
        try:
            done.append(award_default(actor=actor, award=award, reason=reason))
        except ValidationError as exc:
            if refused is not None:
                refused.append((award, " ".join(exc.messages)))
    return done
