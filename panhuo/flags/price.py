"""Price flags: deals and listings judged against the appraisal, and against comparable deals.

Sources: SASAC/MoF Order 32 (2016) and SASAC Order 12 (2005) art. 13 (a relisting or deal below
90 % of the appraisal waits for written approval; an appraisal is valid a year); the Open
Contracting Partnership's red-flags guide (2024), whose procurement flags of price (awards far
from the estimate, outliers among comparable contracts) are read inverted for sales: a sale is
suspect when it is cheap, not dear.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from panhuo.disposal.channel_models import ListingRound
from panhuo.disposal.models import ZERO_PRICE_CHANNELS, DisposalProject
from panhuo.flags import figures as f
from panhuo.flags.models import Severity
from panhuo.flags.registry import PRICE, Hit, Param, Scope, rule, same
from panhuo.pricing.rules import SELLING_CHANNELS

ORDER32 = _("SASAC/MoF Order 32 (2016); SASAC Order 12 (2005) art. 13")
DEALT = ["concluded", "paid", "published", "in_force", "in_arrears", "ended", "closed"]


def _dealt(scope: Scope):
    """The sales with a deal price in the scope (selling channels only: a lease's price is a
    rent, and a free transfer has none)."""
    qs = DisposalProject.objects.filter(
        status__in=DEALT, deal_price__gt=0, channel__in=sorted(SELLING_CHANNELS)
    ).select_related("package__jurisdiction")
    return scope.filter(qs, "package__jurisdiction__path")


def _below(scope: Scope, subject, project, price, day, param: str) -> Hit | None:
    """The hit when ``price`` is below the ``param`` share of the package's appraisal on
    ``day`` (None when it is not, or when an asset had no appraisal then)."""
    appraised = f.appraised_on(project.package, day)
    if not appraised:
        return None
    p = scope.params(project.package.jurisdiction)
    if not f.below(price, appraised, p[param]):
        return None
    return Hit(
        subject, project.package.jurisdiction, f.unit_of(project.package),
        evidence={"appraised": appraised, "ratio": f.pct(price, appraised),
                  "day": day.isoformat(), "threshold": p[param]},
        links=[project, project.package],
    )  # fmt: skip


@rule(
    "deal_below_appraisal", Severity.MEDIUM, category=PRICE,
    label=_("Deal below the appraisal"),
    source=ORDER32,
    explanation=_("The deal price %(deal)s yuan is %(ratio)s %% of the appraised value "
                  "%(appraised)s yuan on %(day)s (flagged below %(threshold)s %%)."),
    subject="disposal.disposalproject",
    params=[Param("ratio_pct", Decimal("100"),
                  _("Flag deals below this percentage of the appraisal"),
                  _("Order 32: the reserve is not set below the appraisal"),
                  high=Decimal(1000))],
    watches={"disposal.disposalproject": same, "pricing.valuation": f.projects_of_valuations,
             "disposal.listinground": f.projects_of_rounds},
)  # fmt: skip
def deal_below_appraisal(scope: Scope) -> Iterator[Hit]:
    """A sale whose deal price is below the appraisal it stood on (even when approved: the
    approval is shown beside the flag, it does not make the price any less below)."""
    for project in _dealt(scope):
        day = f.deal_day(project)
        hit = _below(scope, project, project, project.deal_price, day, "ratio_pct")
        if hit is not None:
            hit.evidence["deal"] = project.deal_price
            yield hit


@rule(
    "relist_below_floor", Severity.HIGH, category=PRICE,
    label=_("Relisted below 90 per cent of the appraisal"),
    source=ORDER32,
    explanation=_("Round %(round)s was listed on %(day)s at %(reserve)s yuan, %(ratio)s %% of "
                  "the appraised value %(appraised)s yuan (flagged below %(threshold)s %%, "
                  "even when approved)."),
    subject="disposal.listinground",
    params=[Param("floor_pct", Decimal("90"),
                  _("Flag relistings below this percentage of the appraisal"),
                  _("Order 32; Order 12 art. 13: below 90 % needs written approval"),
                  high=Decimal(100))],
    watches={"disposal.listinground": same,
             "disposal.disposalproject": f.rounds_of_projects},
)  # fmt: skip
def relist_below_floor(scope: Scope) -> Iterator[Hit]:
    """A relisting (round 2 or later) whose reserve is below the floor share of the appraisal:
    the written approval lets it through the gate, the flag keeps it in view."""
    rounds = ListingRound.objects.filter(number__gte=2).select_related(
        "project__package__jurisdiction"
    )
    for rnd in scope.filter(rounds, "project__package__jurisdiction__path"):
        project = rnd.project
        if project.channel in ZERO_PRICE_CHANNELS:
            continue
        hit = _below(scope, rnd, project, rnd.reserve, rnd.listed_on, "floor_pct")
        if hit is not None:
            hit.evidence.update(round=rnd.number, reserve=rnd.reserve)
            yield hit
