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
from panhuo.flags import batch
from panhuo.flags import figures as f
from panhuo.flags.models import Severity
from panhuo.flags.registry import PRICE, Hit, Param, Scope, rule, same
from panhuo.organisation.models import Unit
from panhuo.pricing.models import Valuation
from panhuo.pricing.rules import SELLING_CHANNELS, add_months

ORDER32 = _("SASAC/MoF Order 32 (2016); SASAC Order 12 (2005) art. 13")
DEALT = ["concluded", "paid", "published", "in_force", "in_arrears", "ended", "closed"]


def _dealt(scope: Scope):
    """The sales with a deal price in the scope (selling channels only: a lease's price is a
    rent, and a free transfer has none)."""
    qs = DisposalProject.objects.filter(
        status__in=DEALT, deal_price__gt=0, channel__in=sorted(SELLING_CHANNELS)
    ).select_related("package__jurisdiction")
    return scope.filter(qs, "package__jurisdiction__path")


def _below(scope: Scope, subject, project, price, day, appraised, param: str) -> Hit | None:
    """The hit when ``price`` is below the ``param`` share of the package's appraisal on
    ``day`` (None when it is not, or when an asset had no appraisal then); its unit is set by
    ``batch.with_units``."""
    if not appraised:
        return None
    p = scope.params(project.package.jurisdiction)
    if not f.below(price, appraised, p[param]):
        return None
    return Hit(
        subject, project.package.jurisdiction, None,
        evidence={"appraised": appraised, "ratio": f.pct(price, appraised),
                  "day": day.isoformat(), "threshold": p[param]},
        links=[project, project.package],
    )  # fmt: skip


def dealt_appraised(scope: Scope):
    """Each dealt project of the scope with its deal day and the package's appraisal that day,
    streamed in batches (``batch``: a few queries per batch, not per project)."""
    for found in batch.chunks(_dealt(scope)):
        days = batch.deal_days([p.pk for p in found])
        appraised = batch.appraisals([(p.pk, p.package_id, days[p.pk]) for p in found])
        for project in found:
            yield project, days[project.pk], appraised[project.pk]


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
def deal_below_appraisal(scope: Scope) -> list[Hit]:
    """A sale whose deal price is below the appraisal it stood on (even when approved: the
    approval is shown beside the flag, it does not make the price any less below)."""
    pending = []
    for project, day, appraisal in dealt_appraised(scope):
        price = project.deal_price
        hit = _below(scope, project, project, price, day, appraisal.total, "ratio_pct")
        if hit is not None:
            hit.evidence["deal"] = project.deal_price
            pending.append((hit, project.package_id))
    return batch.with_units(pending)


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
def relist_below_floor(scope: Scope) -> list[Hit]:
    """A relisting (round 2 or later) whose reserve is below the floor share of the appraisal:
    the written approval lets it through the gate, the flag keeps it in view."""
    rounds = ListingRound.objects.filter(number__gte=2).select_related(
        "project__package__jurisdiction"
    )
    rounds = scope.filter(rounds, "project__package__jurisdiction__path").exclude(
        project__channel__in=sorted(ZERO_PRICE_CHANNELS)
    )
    pending = []
    for found in batch.chunks(rounds):
        appraised = batch.appraisals([(r.pk, r.project.package_id, r.listed_on) for r in found])
        for rnd in found:
            project = rnd.project
            total = appraised[rnd.pk].total
            hit = _below(scope, rnd, project, rnd.reserve, rnd.listed_on, total, "floor_pct")
            if hit is not None:
                hit.evidence.update(round=rnd.number, reserve=rnd.reserve)
                pending.append((hit, project.package_id))
    return batch.with_units(pending)


@rule(
    "appraisal_stale", Severity.MEDIUM, category=PRICE,
    label=_("Deal on a stale appraisal"),
    source=_("SASAC Order 12 (2005): an appraisal is valid one year from its base date"),
    explanation=_("Asset %(asset)s was sold on %(day)s on an appraisal of %(base_date)s by "
                  "%(appraiser)s, %(months)s months old (flagged beyond %(threshold)s months)."),
    subject="disposal.disposalproject",
    params=[Param("max_age_months", 12, _("Flag deals on appraisals older than this (months)"),
                  _("SASAC Order 12: valid for one year"), low=Decimal(1), high=Decimal(120))],
    watches={"disposal.disposalproject": same, "pricing.valuation": f.projects_of_valuations,
             "disposal.listinground": f.projects_of_rounds},
)  # fmt: skip
def appraisal_stale(scope: Scope) -> list[Hit]:
    """A sale concluded when an asset's latest appraisal was past its validity (the listing
    gate checks the appraisal when the sale is listed, not when months later it is dealt)."""
    pending = []
    for project, day, appraisal in dealt_appraised(scope):
        p = scope.params(project.package.jurisdiction)
        found = appraisal.by_asset.values()
        stale = [
            v for v in found
            if v is not None and (add_months(v.base_date, p["max_age_months"]) < day
                                  or (v.valid_until is not None and v.valid_until < day))
        ]  # fmt: skip
        if stale:
            v = min(stale, key=lambda v: v.base_date)
            months = (day.year - v.base_date.year) * 12 + day.month - v.base_date.month
            hit = Hit(
                project, project.package.jurisdiction, None,
                evidence={"asset": v.asset.code, "base_date": v.base_date.isoformat(),
                          "appraiser": v.appraiser, "report": v.report_number,
                          "day": day.isoformat(), "months": months,
                          "threshold": p["max_age_months"]},
                links=[project, v],
            )  # fmt: skip
            pending.append((hit, project.package_id))
    return batch.with_units(pending)


_units_of_valuations = f.written_to(Valuation, "asset__unit_id")


@rule(
    "same_appraiser", Severity.LOW, category=PRICE,
    label=_("Same appraiser every time"),
    source=_("OCP red flags (the same supplier every time), for the appraisers a seller hires"),
    explanation=_("All %(count)s appraisals of this unit's assets (%(share)s %%) are by "
                  "%(appraiser)s (flagged from %(threshold)s appraisals by one firm)."),
    subject="organisation.unit",
    params=[Param("min_count", 3, _("Flag from this many appraisals, all by one firm"),
                  _("This design: three reports are a pattern"), low=Decimal(2),
                  high=Decimal(1000))],
    watches={"pricing.valuation": _units_of_valuations},
)  # fmt: skip
def same_appraiser(scope: Scope) -> Iterator[Hit]:
    """A holding unit whose third-party appraisals (at least the threshold's number) were all
    made by one appraiser: the choice of appraiser deserves a look."""
    from django.db.models import Count

    units = scope.filter(Unit.objects.select_related("jurisdiction"), "jurisdiction__path")
    rows = (
        Valuation.objects.filter(kind="appraisal", asset__unit__in=units)
        .values("asset__unit_id", "appraiser")
        .annotate(n=Count("pk"))
    )
    by_unit: dict[int, dict[str, int]] = {}
    for row in rows:
        by_unit.setdefault(row["asset__unit_id"], {})[row["appraiser"]] = row["n"]
    for unit in units.filter(pk__in=list(by_unit)):
        counts = by_unit[unit.pk]
        p = scope.params(unit.jurisdiction)
        total = sum(counts.values())
        if len(counts) == 1 and total >= p["min_count"]:
            (appraiser,) = counts
            yield Hit(
                unit, unit.jurisdiction, unit,
                evidence={"appraiser": appraiser, "count": total, "share": "100.0",
                          "threshold": p["min_count"]},
                links=[unit],
            )  # fmt: skip
