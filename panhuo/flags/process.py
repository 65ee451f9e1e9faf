"""Process flags: how the sale was run (disclosure, competition, bids, awards, payment).

Sources: the State-Owned Assets Law (2008) art. 54 (one qualified buyer is no competition),
SASAC/MoF Order 32 (2016) (disclosure periods, payment terms), and the Open Contracting
Partnership's red-flags guide (2024): its procurement flags of competition (single bidder, all
but the winner disqualified, late bid accepted, identical bids, award to a lower-ranked bidder,
contract amended after award, late payment) read for sales.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from panhuo.disposal.channel_models import ListingRound
from panhuo.flags import figures as f
from panhuo.flags.models import Severity
from panhuo.flags.registry import PROCESS, Hit, Param, Scope, rule, same

ART54 = _("State-Owned Assets Law (2008) art. 54; OCP red flags: single bidder")


@rule(
    "single_bidder", Severity.MEDIUM, category=PROCESS,
    label=_("Single qualified bidder"),
    source=ART54,
    explanation=_("Round %(round)s was sold to %(buyer)s with %(bidders)s qualified bidder(s) "
                  "(flagged at %(threshold)s or fewer): no competition, the sale counts as "
                  "negotiated."),
    subject="disposal.listinground",
    params=[Param("max_bidders", 1, _("Flag sales with at most this many qualified bidders"),
                  _("State-Owned Assets Law art. 54: two or more bidders compete"),
                  low=1, high=10)],
    watches={"disposal.listinground": same, "disposal.disposalproject": f.rounds_of_projects},
)  # fmt: skip
def single_bidder(scope: Scope) -> Iterator[Hit]:
    """A round sold with no more qualified bidders than the threshold (one by default)."""
    rounds = ListingRound.objects.filter(result="sold", bidders__isnull=False).select_related(
        "project__package__jurisdiction"
    )
    for rnd in scope.filter(rounds, "project__package__jurisdiction__path"):
        project = rnd.project
        p = scope.params(project.package.jurisdiction)
        if rnd.bidders <= p["max_bidders"]:
            yield Hit(
                rnd, project.package.jurisdiction, f.unit_of(project.package),
                evidence={"round": rnd.number, "bidders": rnd.bidders, "buyer": rnd.buyer,
                          "deal": rnd.deal_price, "threshold": p["max_bidders"]},
                links=[project, project.package],
            )  # fmt: skip
