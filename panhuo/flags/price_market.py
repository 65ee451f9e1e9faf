"""Price flags against the market: a deal far below comparable deals of the same kind in the
same place (quartile fences), and a token price or rent (far below the appraisal, even when
approved).

Sources: the Open Contracting Partnership's red-flags guide (2024), outliers among comparable
contracts (Tukey's fences on the unit price), read inverted for sales; the Supreme People's
Court's interpretation of the Civil Code's contract part (法释〔2023〕13号) art. 42, which calls
a price below 70 % of the market or guide price obviously unreasonable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from panhuo.disposal.channel_models import MONTHS, Contract
from panhuo.disposal.models import DisposalProject, PackageItem
from panhuo.flags import batch
from panhuo.flags import figures as f
from panhuo.flags.models import Severity
from panhuo.flags.price import DEALT, _dealt, dealt_appraised
from panhuo.flags.registry import PRICE, Hit, Param, Scope, rule, same
from panhuo.organisation.models import Jurisdiction
from panhuo.pricing.selectors import package_rent_appraisal
from panhuo.register.models import AssetKind

CENT = Decimal("0.01")


def quartiles(values: list[Decimal]) -> tuple[Decimal, Decimal]:
    """The first and third quartiles of ``values`` (linear interpolation between order
    statistics, as Excel's QUARTILE.INC: what an auditor checks the fence with)."""
    xs = sorted(values)

    def at(q: Decimal) -> Decimal:
        pos = q * (len(xs) - 1)
        low = int(pos)
        frac = pos - low
        high = min(low + 1, len(xs) - 1)
        return xs[low] + (xs[high] - xs[low]) * frac

    return at(Decimal("0.25")), at(Decimal("0.75"))


def _unit_price(price: Decimal, assets: list[tuple[str, Decimal | None]]):
    """(kind, yuan per square metre) of a sale at ``price`` of ``assets`` ((kind, area) each),
    when they are of one kind and each has an area; else None."""
    kinds = {kind for kind, _area in assets}
    area = sum((a or Decimal(0) for _kind, a in assets), Decimal(0))
    if len(kinds) != 1 or not assets or area <= 0 or any(not a for _kind, a in assets):
        return None
    return kinds.pop(), (price / area).quantize(CENT, ROUND_HALF_UP)


def _unit_prices(dealt) -> dict[tuple[int, str], list[tuple[int, Decimal]]]:
    """Per (place, kind): each deal's (project id, price per square metre), its assets' kinds
    and areas read for a batch of deals at a time."""
    groups: dict[tuple[int, str], list[tuple[int, Decimal]]] = defaultdict(list)
    rows = dealt.values_list("pk", "package_id", "package__jurisdiction_id", "deal_price")
    for found in batch.chunks(rows):
        assets: dict[int, list] = defaultdict(list)
        items = PackageItem.objects.filter(package__in=[r[1] for r in found])
        for package_id, kind, area in items.values_list("package_id", "asset__kind",
                                                        "asset__area"):  # fmt: skip
            assets[package_id].append((kind, area))
        for pk, package_id, place, price in found:
            if (unit := _unit_price(price, assets[package_id])) is not None:
                groups[place, unit[0]].append((pk, unit[1]))
    return groups


@rule(
    "deal_below_comparables", Severity.MEDIUM, category=PRICE,
    label=_("Deal far below comparable deals"),
    source=_("OCP red flags: outliers among comparable contracts (Tukey's fences), inverted"),
    explanation=_("%(price)s yuan per square metre, below the lower fence %(fence)s of %(n)s "
                  "comparable %(kind)s deals in this place (quartiles %(q1)s and %(q3)s, fence "
                  "= Q1 − %(threshold)s × (Q3 − Q1))."),
    subject="disposal.disposalproject",
    params=[Param("fence_k", Decimal("1.5"), _("Fence: Q1 minus this many interquartile ranges"),
                  _("Tukey's fences (1.5)"), high=Decimal(10)),
            Param("min_deals", 5, _("Fewest comparable deals to judge by"),
                  _("This design: five deals make a quartile"), low=Decimal(4),
                  high=Decimal(1000))],
    watches={"disposal.disposalproject": same},
    words=dict(AssetKind.choices),
)  # fmt: skip
def deal_below_comparables(scope: Scope) -> list[Hit]:
    """A sale whose price per square metre is below the lower quartile fence of the sales of
    the same kind in the same place (judged among all of them, whatever the scope)."""
    wanted = scope.ids
    dealt = _dealt(Scope(path=scope.path if wanted is None else "/", today=scope.today))
    if wanted is not None:  # the fences are per place: the places of the deals wanted
        ids = [int(i) for i in wanted if str(i).isdigit()]
        places = DisposalProject.objects.filter(pk__in=ids).values("package__jurisdiction_id")
        dealt = dealt.filter(package__jurisdiction__in=places)
    groups = _unit_prices(dealt)
    places = Jurisdiction.objects.in_bulk({place for place, _kind in groups})
    below = []
    for (place, kind), deals in groups.items():
        p = scope.params(places[place])
        if len(deals) < p["min_deals"]:
            continue
        q1, q3 = quartiles([price for _p, price in deals])
        fence = (q1 - p["fence_k"] * (q3 - q1)).quantize(CENT, ROUND_HALF_UP)
        evidence = {"fence": fence, "q1": q1.quantize(CENT), "q3": q3.quantize(CENT),
                    "n": len(deals), "kind": kind, "threshold": p["fence_k"]}  # fmt: skip
        below += [(pk, places[place], {"price": price, **evidence}) for pk, price in deals
                  if price < fence and (wanted is None or str(pk) in wanted)]  # fmt: skip
    projects = DisposalProject.objects.select_related("package").in_bulk([pk for pk, *_ in below])
    pending = []
    for pk, place, evidence in below:
        project = projects[pk]
        hit = Hit(project, place, None, evidence=evidence, links=[project, project.package])
        pending.append((hit, project.package_id))
    return batch.with_units(pending)


def _yearly_rent(contract: Contract) -> Decimal:
    return (contract.period_amount * 12 / MONTHS[contract.frequency]).quantize(CENT)


@rule(
    "token_price", Severity.HIGH, category=PRICE,
    label=_("Token price or rent"),
    source=_("SPC interpretation of the Civil Code's contract part (2023) art. 42: below 70 per "
             "cent of the market price is obviously unreasonable"),
    explanation=_("The %(what)s of %(price)s yuan is %(ratio)s %% of the appraised %(base)s "
                  "yuan (a give-away below %(threshold)s %%, even when approved)."),
    subject="disposal.disposalproject",
    params=[Param("token_pct", Decimal("70"), _("Flag prices or rents below this percentage of "
                                                 "the appraisal"),
                  _("SPC interpretation (2023) art. 42: 70 per cent"), high=Decimal(100))],
    watches={"disposal.disposalproject": same, "pricing.valuation": f.projects_of_valuations,
             "disposal.contract": f.projects_of_contracts},
    words={"deal": _("deal price"), "rent": _("yearly rent")},
)  # fmt: skip
def token_price(scope: Scope) -> list[Hit]:
    """A sale far below its appraisal, or a lease whose yearly rent is far below the appraised
    rent: the written approval that let it through does not stop it being a give-away."""
    pending = []
    for project, _day, appraisal in dealt_appraised(scope):
        appraised = appraisal.total
        p = scope.params(project.package.jurisdiction)
        if appraised and f.below(project.deal_price, appraised, p["token_pct"]):
            pending.append((_token_hit(project, p, "deal", project.deal_price, appraised),
                            project.package_id))  # fmt: skip
    pending.extend(_token_rents(scope))
    return batch.with_units(pending)


def _token_rents(scope: Scope) -> Iterator[tuple[Hit, int]]:
    """The leases' hits with their packages (the rent appraisal is read per lease: its
    validity follows each package's price rules)."""

    leases = Contract.objects.filter(project__status__in=DEALT).select_related(
        "project__package__jurisdiction"
    )
    for contract in scope.filter(leases, "project__package__jurisdiction__path", "project_id"):
        project = contract.project
        rent = package_rent_appraisal(project.package, on=contract.term_start)
        p = scope.params(project.package.jurisdiction)
        yearly = _yearly_rent(contract)
        if rent.yearly and f.below(yearly, rent.yearly, p["token_pct"]):
            yield _token_hit(project, p, "rent", yearly, rent.yearly), project.package_id


def _token_hit(project, p, what, price, base) -> Hit:
    return Hit(
        project, project.package.jurisdiction, None,
        evidence={"what": what, "price": price, "base": base, "ratio": f.pct(price, base),
                  "threshold": p["token_pct"]},
        links=[project, project.package],
    )  # fmt: skip
