"""The process flag "late bid won": a lot won by a bid that came too late for anyone to answer.

Two cases, both about the winner's own decisive bid (their last bid or sealed bid; the proxy
rows the service adds for them are not their act, a priority holder's match comes after the
close by design):

- **after the end**: the bid's time is at or after the end in force when it arrived (the end
  as set up, or as the soft close had moved it by the bid before). Panhuo's own bidding refuses
  such a bid under the lot's lock, so this guards the record whatever wrote it: a bid entered
  late, a sealed bid received after the deadline, a result brought in from elsewhere;
- **no soft close**: the bid came within the place's threshold (five minutes by default) of
  the end on a lot set up without a soft close (no window or no extension), so the end did not
  move and no other bidder could answer it — the sniping the soft close exists to stop.

Sources: the Open Contracting Partnership's red-flags guide (2024), "late bid accepted", read
for sales; the Supreme People's Court's provisions on online judicial auctions (法释〔2016〕18号):
a bid in the last five minutes extends the bidding by five minutes, the norm of Chinese online
auctions (Panhuo's own default, ``auctions.models.DEFAULT_WINDOW_MINUTES``).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.auctions.models import Bid, BidKind, LotKind
from panhuo.flags import batch
from panhuo.flags.models import Severity
from panhuo.flags.process_awards import _closed_lots, _lot_hit, _lots_of_bids
from panhuo.flags.registry import PROCESS, Hit, Param, Scope, rule, same

#: The winner's own bids: what they placed (a maximum) or sealed.
OWN = (BidKind.BID, BidKind.SEALED)
AFTER_END, NO_SOFT_CLOSE = "after_end", "no_soft_close"


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def decisive_bids(lots):
    """The last own bid of each lot's winner (the leader) among ``lots``, with the end in force
    before it (``prev_end``: the end after the lot's previous bid row; None for the first)."""
    own = Bid.objects.filter(
        lot_id=OuterRef("lot_id"), registration_id=OuterRef("registration_id"), kind__in=OWN
    ).order_by("-seq")
    previous = Bid.objects.filter(lot_id=OuterRef("lot_id"), seq=OuterRef("seq") - 1)
    return (
        Bid.objects.filter(lot__in=lots, registration_id=F("lot__leader_id"), kind__in=OWN)
        .annotate(last=Subquery(own.values("seq")[:1]))
        .filter(seq=F("last"))
        .annotate(prev_end=Subquery(previous.values("end_at")[:1]))
        .select_related("registration__bidder")
    )


def judge(bid: Bid, lot, last_seconds: int) -> tuple[str, int, object] | None:
    """(which case, seconds between the bid and the end in force when it came, that end) when
    the winning ``bid`` on ``lot`` was late; None when it was in time."""
    if bid.kind == BidKind.BID and bid.prev_end is not None:
        end = bid.prev_end
    else:  # the first row, or a sealed bid: the deadline as set up (sealed lots never extend)
        end = lot.planned_end_at
    seconds = int((end - bid.placed_at).total_seconds())
    if bid.placed_at >= end:
        return AFTER_END, -seconds, end
    no_soft_close = lot.window_minutes == 0 or lot.extension_minutes == 0
    if lot.kind == LotKind.ENGLISH and no_soft_close and seconds <= last_seconds:
        return NO_SOFT_CLOSE, seconds, end
    return None


@rule(
    "late_bid_won", Severity.HIGH, category=PROCESS,
    label=_("Late bid won"),
    source=_("OCP red flags: late bid accepted; SPC provisions on online judicial auctions "
             "(2016): a bid in the last five minutes extends the bidding five minutes"),
    explanation=_("%(winner)s won %(lot)s with a bid of %(amount)s yuan placed at %(placed)s, "
                  "%(seconds)s seconds from the end then in force (%(end)s): %(how)s"),
    subject="auctions.lot",
    params=[Param("last_seconds", 300,
                  _("Seconds before an end no soft close moves that make a winning bid late"),
                  _("SPC provisions on online judicial auctions (2016): five minutes"),
                  low=Decimal(1), high=Decimal(86400))],
    watches={"auctions.lot": same, "auctions.bid": _lots_of_bids},
    words={AFTER_END: _("the bid came after the end and should have been refused."),
           NO_SOFT_CLOSE: _("the lot had no soft close, so the end did not move and no other "
                            "bidder could answer the bid.")},
)  # fmt: skip
def late_bid_won(scope: Scope) -> list[Hit]:
    """A closed lot whose winner's decisive bid came after the end, or in its last minutes
    with no soft close to let the others answer."""
    lots = {lot.pk: lot for lot in _closed_lots(scope).filter(leader__isnull=False)}
    pending = []
    for bid in decisive_bids(list(lots)):
        lot = lots[bid.lot_id]
        p = scope.params(lot.round.project.package.jurisdiction)
        found = judge(bid, lot, p["last_seconds"])
        if found is None:
            continue
        how, seconds, end = found
        pending.append(_lot_hit(lot, lot, {
            "lot": lot.code, "round": lot.round.number, "winner": bid.registration.bidder.name,
            "amount": bid.amount,
            "placed": _local(bid.placed_at), "end": _local(end), "seconds": seconds,
            "how": how, "threshold": p["last_seconds"],
        }))  # fmt: skip
    return batch.with_units(pending)
