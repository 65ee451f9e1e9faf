"""Process flags of auctions and contracts: all but the winner out of the bidding, identical
bids, the lot awarded to the runner-up after the winner defaulted, the terms changed after the
award.

Sources: the Open Contracting Partnership's red-flags guide (2024): all but the winning bidder
disqualified, identical bid prices, award to a lower-ranked bidder, contract amended after the
award; SASAC/MoF Order 32 (2016) art. 28 (the payment terms are part of the deal).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from panhuo.auctions.award_models import Award, AwardSource, AwardStatus
from panhuo.auctions.models import Bid, Lot
from panhuo.flags import batch
from panhuo.flags import figures as f
from panhuo.flags.models import Severity
from panhuo.flags.registry import PROCESS, Hit, Param, Scope, rule, same
from panhuo.integrity.models import AuditEntry

LOT_PATH = "round__project__package__jurisdiction__path"


def _lot_hit(lot: Lot, subject, evidence: dict) -> tuple[Hit, int]:
    """The hit on ``subject`` about ``lot``, with its package (for ``batch.with_units``)."""
    project = lot.round.project
    hit = Hit(subject, project.package.jurisdiction, None, evidence=evidence,
              links=[lot, project])  # fmt: skip
    return hit, project.package_id


def _closed_lots(scope: Scope):
    lots = Lot.objects.filter(closed_at__isnull=False).select_related(
        "round__project__package__jurisdiction"
    )
    return scope.filter(lots, LOT_PATH)


_lots_of_bids = f.written_to(Bid, "lot_id")
_lots_of_awards = f.written_to(Award, "lot_id")


@rule(
    "all_but_winner_out", Severity.MEDIUM, category=PROCESS,
    label=_("All bidders but the winner out of the bidding"),
    source=_("OCP red flags: all but the winning bidder disqualified"),
    explanation=_("%(registered)s bidders registered for lot %(lot)s but only %(bidders)s "
                  "bid: the others were not qualified or did not bid (flagged from "
                  "%(threshold)s registered)."),
    subject="auctions.lot",
    params=[Param("min_registered", 2, _("Flag from this many registered bidders"),
                  _("OCP red flags"), low=Decimal(2), high=Decimal(100))],
    watches={"auctions.lot": same, "auctions.lotregistration": f.lots_of_registrations},
)  # fmt: skip
def all_but_winner_out(scope: Scope) -> list[Hit]:
    """A closed lot with a winner where several registered but only the winner bid."""
    lots = _closed_lots(scope).filter(leader__isnull=False, bidders=1)
    pending = []
    for lot in lots.annotate(registered=Count("registrations")).iterator(chunk_size=batch.CHUNK):
        p = scope.params(lot.round.project.package.jurisdiction)
        if lot.registered >= p["min_registered"]:
            pending.append(
                _lot_hit(
                    lot,
                    lot,
                    {
                        "lot": lot.code,
                        "round": lot.round.number,
                        "registered": lot.registered,
                        "bidders": lot.bidders,
                        "threshold": p["min_registered"],
                    },
                )
            )
    return batch.with_units(pending)


@rule(
    "identical_bids", Severity.MEDIUM, category=PROCESS,
    label=_("Identical bids"),
    source=_("OCP red flags: identical bid prices (a sign of collusion)"),
    explanation=_("%(count)s bidders' best bids on lot %(lot)s were the same %(amount)s yuan."),
    subject="auctions.lot",
    params=[Param("min_same", 2, _("Flag when this many bidders bid the same best amount"),
                  _("OCP red flags"), low=Decimal(2), high=Decimal(100))],
    watches={"auctions.lot": same, "auctions.bid": _lots_of_bids,
             "auctions.award": _lots_of_awards},
)  # fmt: skip
def identical_bids(scope: Scope) -> list[Hit]:
    """A closed lot where several bidders' best bids are the same amount (sealed bids above
    all, where nobody saw the others' amounts). A result brought in from an outside exchange
    has no bid rows: its ranked queue, one final price per bidder, stands for them."""
    lots = {lot.pk: lot for lot in _closed_lots(scope)}
    best = (
        Bid.objects.filter(lot_id__in=list(lots), kind__in=["bid", "sealed"])
        .values("lot_id", "registration_id")
        .annotate(top=Max("amount"))
    )
    tops: dict[int, dict[Decimal, int]] = defaultdict(lambda: defaultdict(int))
    for row in best:
        tops[row["lot_id"]][row["top"]] += 1
    # An exchange's ranked result stands in for bid rows only where the lot has none: with its
    # bid history imported, each bidder is already counted from the rows.
    no_rows = [pk for pk in lots if pk not in tops]
    exchange = Award.objects.filter(lot_id__in=no_rows, source=AwardSource.EXCHANGE)
    for lot_id, price in exchange.values_list("lot_id", "price"):
        tops[lot_id][price] += 1
    pending = []
    for lot_id, amounts in tops.items():
        lot = lots[lot_id]
        p = scope.params(lot.round.project.package.jurisdiction)
        same_amount = [(n, a) for a, n in amounts.items() if n >= p["min_same"]]
        if same_amount:
            n, amount = max(same_amount)
            pending.append(
                _lot_hit(
                    lot,
                    lot,
                    {"lot": lot.code, "round": lot.round.number, "count": n, "amount": amount},
                )
            )
    return batch.with_units(pending)


@rule(
    "runner_up_after_default", Severity.MEDIUM, category=PROCESS,
    label=_("Awarded to the runner-up after a default"),
    source=_("OCP red flags: award to a bidder other than the best ranked"),
    explanation=_("The winner defaulted on lot %(lot)s; it went to the bidder ranked "
                  "%(rank)s at %(price)s yuan, %(gap)s yuan below the winning bid %(top)s."),
    subject="auctions.award",
    watches={"auctions.award": same},
)  # fmt: skip
def runner_up_after_default(scope: Scope) -> list[Hit]:
    """An award offered to or signed by a lower-ranked bidder after the one above defaulted."""
    awards = Award.objects.filter(
        rank__gte=2, status__in=[AwardStatus.OFFERED, AwardStatus.SIGNED]
    ).select_related("lot__round__project__package__jurisdiction")
    awards = list(scope.filter(awards, f"lot__{LOT_PATH}"))
    defaulted: dict[int, list[Award]] = defaultdict(list)
    rows = Award.objects.filter(lot__in={a.lot_id for a in awards}, status=AwardStatus.DEFAULTED)
    for d in rows.order_by("lot_id", "rank"):
        defaulted[d.lot_id].append(d)
    pending = []
    for award in awards:
        top = next((d for d in defaulted[award.lot_id] if d.rank < award.rank), None)
        if top is not None:
            pending.append(_lot_hit(award.lot, award, {
                "lot": award.lot.code, "round": award.lot.round.number, "rank": award.rank,
                "price": award.price, "top": top.price, "gap": top.price - award.price,
            }))  # fmt: skip
    return batch.with_units(pending)


#: Audited writes that change a deal's terms: the payment plan set again, the price or buyer
#: edited (what each entry's ``after`` names).
TERM_ACTIONS = ("instalment_plan.set", "project.update")
TERM_FIELDS = {"deal_price", "buyer", "rows", "plan", "down_payment", "instalments"}


@rule(
    "terms_changed_after_award", Severity.HIGH, category=PROCESS,
    label=_("Contract terms changed after the award"),
    source=_("OCP red flags: contract amended after the award; Order 32 art. 28"),
    explanation=_("%(count)s change(s) to the terms after the deal of %(day)s, the last on "
                  "%(last)s by %(who)s (%(action)s)."),
    subject="disposal.disposalproject",
    watches={"disposal.disposalproject": same},
)  # fmt: skip
def terms_changed_after_award(scope: Scope) -> list[Hit]:
    """A deal whose price, buyer or payment plan was changed after the day it was struck (the
    first payment plan, set with the deal, is not a change)."""
    from django.utils import timezone

    from panhuo.flags.price import _dealt

    # The changes first (few), then the dealt projects in scope they are about: not every
    # dealt project of the province to find the few with a change.
    entries = AuditEntry.objects.filter(
        object_type="disposal.disposalproject", action__in=TERM_ACTIONS
    ).order_by("seq")
    if scope.ids is not None:
        entries = entries.filter(object_id__in=sorted(scope.ids))
    fields = ("seq", "object_id", "action", "after", "created_at", "actor_name")
    by_project: dict[str, list] = defaultdict(list)
    for e in entries.only(*fields).iterator(chunk_size=batch.CHUNK):
        if e.action == "project.update" and not TERM_FIELDS & set(e.after or {}):
            continue
        by_project[e.object_id].append(e)
    ids = sorted(int(pk) for pk in by_project if pk.isdigit())
    projects = {str(p.pk): p for found in batch.chunks(ids)
                for p in _dealt(scope).filter(pk__in=found)}  # fmt: skip
    by_project = {pk: found for pk, found in by_project.items() if pk in projects}
    days = batch.deal_days([int(pk) for pk in by_project])
    pending = []
    for pk, found in by_project.items():
        project = projects[pk]
        day = days[project.pk]
        first_plan = next((e for e in found if e.action == "instalment_plan.set"), None)
        changes = [e for e in found
                   if e is not first_plan and timezone.localdate(e.created_at) > day]  # fmt: skip
        if changes:
            last = changes[-1]
            hit = Hit(
                project, project.package.jurisdiction, None,
                evidence={"count": len(changes), "day": day.isoformat(),
                          "last": timezone.localdate(last.created_at).isoformat(),
                          "who": last.actor_name, "action": last.action},
                links=[project],
            )  # fmt: skip
            pending.append((hit, project.package_id))
    return batch.with_units(pending)
