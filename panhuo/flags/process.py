"""Process flags: how the sale was run (disclosure, competition, bids, awards, payment).

Sources: the State-Owned Assets Law (2008) art. 54 (one qualified buyer is no competition),
SASAC/MoF Order 32 (2016) (disclosure periods, payment terms), and the Open Contracting
Partnership's red-flags guide (2024): its procurement flags of competition (single bidder, all
but the winner disqualified, late bid accepted, identical bids, award to a lower-ranked bidder,
contract amended after award, late payment) read for sales.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from panhuo.core import workdays
from panhuo.disposal.channel_models import ListingRound
from panhuo.disposal.models import DisposalProject
from panhuo.finance.expected_models import ExpectedReceipt
from panhuo.flags import batch
from panhuo.flags import figures as f
from panhuo.flags.models import Severity
from panhuo.flags.registry import PROCESS, Hit, Param, Scope, rule, same
from panhuo.pricing.rules import PHYSICAL_KINDS

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
def single_bidder(scope: Scope) -> list[Hit]:
    """A round sold with no more qualified bidders than the threshold (one by default)."""
    rounds = ListingRound.objects.filter(result="sold", bidders__isnull=False).select_related(
        "project__package__jurisdiction"
    )
    pending = []
    for rnd in scope.filter(rounds, "project__package__jurisdiction__path").iterator(
        chunk_size=batch.CHUNK
    ):
        project = rnd.project
        p = scope.params(project.package.jurisdiction)
        if rnd.bidders <= p["max_bidders"]:
            hit = Hit(
                rnd, project.package.jurisdiction, None,
                evidence={"round": rnd.number, "bidders": rnd.bidders, "buyer": rnd.buyer,
                          "deal": rnd.deal_price, "threshold": p["max_bidders"]},
                links=[project, project.package],
            )  # fmt: skip
            pending.append((hit, project.package_id))
    return batch.with_units(pending)


@rule(
    "disclosure_short", Severity.HIGH, category=PROCESS,
    label=_("Disclosure shorter than the rule"),
    source=_("SASAC/MoF Order 32 (2016) arts. 13 and 50: 20 working days; physical assets of "
             "1–10 million yuan 10"),
    explanation=_("Round %(round)s was listed on %(listed)s and disclosed until %(ends)s: "
                  "%(days)s working days, fewer than the %(need)s the rule asks (the earliest "
                  "end was %(earliest)s)."),
    subject="disposal.listinground",
    params=[Param("min_days", 20, _("Working days of disclosure"), _("Order 32 art. 13"),
                  low=Decimal(1), high=Decimal(100)),
            Param("min_days_physical_mid", 10,
                  _("Working days for physical assets of 1–10 million yuan"),
                  _("Order 32 art. 50"), low=Decimal(1), high=Decimal(100))],
    watches={"disposal.listinground": same, "disposal.disposalproject": f.rounds_of_projects},
)  # fmt: skip
def disclosure_short(scope: Scope) -> list[Hit]:
    """A listing whose disclosure ended before Order 32's period (judged on its own defaults,
    whatever a place's price rules let through the gate)."""
    rounds = ListingRound.objects.filter(disclosure_ends__isnull=False).select_related(
        "project__package__jurisdiction"
    )
    pending = []
    for found in batch.chunks(scope.filter(rounds, "project__package__jurisdiction__path")):
        kinds = batch.kinds_of_packages(r.project.package_id for r in found)
        for rnd in found:
            hit = _short(scope, rnd, kinds[rnd.project.package_id], workdays)
            if hit is not None:
                pending.append((hit, rnd.project.package_id))
    return batch.with_units(pending)


def _short(scope: Scope, rnd: ListingRound, kinds: set[str], workdays) -> Hit | None:
    """The hit of one round whose disclosure ended early (None when it did not)."""
    project = rnd.project
    place = project.package.jurisdiction
    p = scope.params(place)
    physical = bool(kinds) and kinds <= PHYSICAL_KINDS
    mid = physical and MID_FROM <= rnd.reserve <= MID_TO
    need = p["min_days_physical_mid"] if mid else p["min_days"]
    earliest = workdays.add_working_days(rnd.listed_on, need, jurisdiction=place)
    if rnd.disclosure_ends < earliest:
        days = workdays.working_days_between(rnd.listed_on, rnd.disclosure_ends,
                                             jurisdiction=place)  # fmt: skip
        return Hit(
                rnd, place, None,
                evidence={"round": rnd.number, "listed": rnd.listed_on.isoformat(),
                          "ends": rnd.disclosure_ends.isoformat(), "days": days, "need": need,
                          "earliest": earliest.isoformat()},
                links=[project, project.package],
            )  # fmt: skip
    return None


MID_FROM, MID_TO = Decimal(1_000_000), Decimal(10_000_000)


@rule(
    "instalments_overdue", Severity.MEDIUM, category=PROCESS,
    label=_("Instalments overdue"),
    source=_("SASAC/MoF Order 32 (2016) art. 28: the rest paid within a year, secured; OCP red "
             "flags: late payment"),
    explanation=_("%(amount)s yuan due from %(buyer)s has been unpaid since %(since)s "
                  "(flagged after %(threshold)s days overdue)."),
    subject="disposal.disposalproject",
    params=[Param("grace_days", 0, _("Days overdue before the flag"),
                  _("This design: any overdue amount"), high=Decimal(365))],
    watches={"disposal.disposalproject": same, "finance.receipt": f.projects_of_receipts,
             "finance.expectedreceipt": f.projects_of_expected},
)  # fmt: skip
def instalments_overdue(scope: Scope) -> list[Hit]:
    """A deal whose scheduled payments (price instalments, rent) are unpaid past their day."""

    late = ExpectedReceipt.objects.filter(cancelled=False, due_date__lt=scope.today)
    projects = DisposalProject.objects.filter(pk__in=late.values("project_id"))
    scoped = scope.filter(projects, "package__jurisdiction__path").values("pk")
    owing = batch.arrears(scoped, today=scope.today)  # the projects in arrears, matched in SQL
    pending = []
    projects = projects.select_related("package__jurisdiction")
    rows = [p for found in batch.chunks(sorted(owing))
            for p in projects.filter(pk__in=found)]  # fmt: skip
    for project in rows:
        amount, since = owing[project.pk]
        p = scope.params(project.package.jurisdiction)
        if since and (scope.today - since).days > p["grace_days"]:
            hit = Hit(
                project, project.package.jurisdiction, None,
                evidence={"amount": amount, "since": since.isoformat(),
                          "buyer": project.buyer, "threshold": p["grace_days"]},
                links=[project],
            )  # fmt: skip
            pending.append((hit, project.package_id))
    return batch.with_units(pending)
