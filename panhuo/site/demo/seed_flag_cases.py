"""Demo: cases of the people, splitting and value red flags (issue 17), made through the
services after the rest of the seed, so that a recompute finds each of them:

- **a value-destroying sale** (the headline): the shop that brought in rent was sold and its
  proceeds repaid a cheap loan. The register now records the rent it earned (a correction by
  the office), so the sale's net yield stands three points above the rate of the debt its
  proceeds repaid, and those debts get their schedules — the flag shows the yield, the rate,
  the interest saved and the income given up, and decision support's value of holding, of
  selling and the value destroyed. The same correction makes it an income-producing asset
  sold while idle assets of its unit wait;
- **a site split just under the approval limit**: two lots of one yard, each offered a little
  under the finance bureau's approval limit and together over it;
- the bidders' flags come from the auctions' seed: 吴娜's declared relation to the housing
  bureau, and 中南物流 and 清河嘉业 giving the same switchboard number; the repeat buyer from
  the deals' buyers.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, F, Sum, When

from panhuo.decisions.selectors import Sale, sale_figures
from panhuo.disposal import services as disposal
from panhuo.disposal.candidates import with_scope
from panhuo.disposal.models import DisposalProject
from panhuo.disposal.workflow import AFTER_DEAL
from panhuo.finance.debts.schedules import debt_schedule_set
from panhuo.finance.models import Allocation, Debt
from panhuo.flags.batch import deal_days
from panhuo.flags.splitting import EVADED, evaded, price_rules
from panhuo.portal.models import Notice, NoticeKind
from panhuo.pricing.rules import SELLING_CHANNELS
from panhuo.register import services as register
from panhuo.register.models import Asset, AssetStatus, Criticality
from panhuo.site.demo import catalogue as c

CENT = Decimal("0.01")
GONE = (AssetStatus.DISPOSED, AssetStatus.WRITTEN_OFF, AssetStatus.LEASED_OUT)
#: The yard the split lots stand in.
YARD = "清河市河西区工业路 66 号物资仓库大院"


def seed(seeder) -> None:
    seeder.say("Red-flag cases: a value-destroying sale, a split site…")
    _value_destroying_sale(seeder)
    _split_site(seeder)


def _value_destroying_sale(seeder) -> None:
    """The sold lot whose proceeds repaid the cheapest debt, among those decision support can
    value (every asset appraised by the deal day) — one with a result notice up and a debt still
    running when there is one — gets the rent it earned recorded: net income three points of its
    price above that debt's rate; the debts its proceeds repaid get their repayment schedules
    (annual, as issued), so the flag shows decision support's hold and sell values and the value
    the sale destroyed, and the accountability page shows the sale with the interest saved."""
    signed = Case(When(reverses__isnull=True, then=F("amount")), default=-F("amount"))
    candidates = (
        Allocation.objects.filter(
            receipt__project__package__jurisdiction__code=c.DISTRICT[0],
            receipt__project__status__in=AFTER_DEAL,
            receipt__project__channel__in=SELLING_CHANNELS,
            receipt__project__deal_price__gt=0,
            debt__rate__gte=2,  # an ordinary loan, not an interest-free advance
        )
        .values("receipt__project", "debt__rate", "debt__maturity_date")
        .annotate(net=Sum(signed))
        .filter(net__gt=0)
        .order_by("debt__rate", "receipt__project", "debt__maturity_date")
    )
    # A sale the public knows of (a result notice up) whose money repaid a debt still running
    # first: the accountability page then shows it, with the interest its repayment saves.
    results = Notice.objects.filter(kind=NoticeKind.RESULT, current=True)
    published = set(results.values_list("project_id", flat=True))
    candidates = sorted(candidates, key=lambda r: (
        r["receipt__project"] not in published,
        r["debt__maturity_date"] <= seeder.today))  # fmt: skip
    repaid = next((r for r in candidates if _valued(r["receipt__project"])), None)
    if repaid is None:
        return
    project = DisposalProject.objects.get(pk=repaid["receipt__project"])
    assets = list(project.package.items.select_related("asset").order_by("asset__code"))
    income = sum((i.asset.annual_income for i in assets), Decimal(0))
    cost = sum((i.asset.annual_holding_cost for i in assets), Decimal(0))
    wanted = (project.deal_price * (repaid["debt__rate"] + 3) / 100).quantize(CENT)
    shop = assets[0].asset
    rent = shop.annual_income + wanted - (income - cost)
    register.asset_update(actor=seeder.users["office"], asset=shop,
                          data={"annual_income": rent.quantize(CENT)})  # fmt: skip
    debts = Debt.objects.filter(allocations__receipt__project=project, schedule__isnull=True)
    for debt in debts.distinct().order_by("code"):
        debt_schedule_set(actor=seeder.users["finance"], debt=debt, method="annuity")


def _valued(project_id: int) -> bool:
    """Whether decision support can value the sale's assets on its deal day."""
    project = DisposalProject.objects.get(pk=project_id)
    sale = Sale(project_id, project.package_id, project.package.jurisdiction_id,
                deal_days([project_id])[project_id], project.deal_price, ())  # fmt: skip
    return "missing" not in sale_figures([sale])[project_id]


def _split_site(seeder) -> None:
    """Two lots of one unit's yard, each offered at a reserve just under the approval limit
    (else under Order 32's disclosure band) and together over it."""
    district = seeder.places[c.DISTRICT[0]]
    free = (
        with_scope(Asset.objects.filter(unit__jurisdiction=district))
        .filter(scope_included=True, in_live_package=False, appraised_value__isnull=False)
        .exclude(status__in=GONE)
        .exclude(criticality=Criticality.ESSENTIAL)
        .order_by("unit__code", "-appraised_value", "code")
    )
    rules = price_rules()
    for name, rule_class in EVADED:
        limit = evaded(rules, district, rule_class, name)
        by_unit: dict[int, list[Asset]] = {}
        for a in free:
            if a.appraised_value <= limit * Decimal("0.95"):
                by_unit.setdefault(a.unit_id, []).append(a)
        pair = next((v[:2] for v in by_unit.values() if len(v) >= 2), None)
        if pair is not None:
            break
    else:
        return
    office = seeder.users["office"]
    for n, (a, share) in enumerate(zip(pair, ("0.95", "0.97"), strict=True), 1):
        register.asset_update(actor=office, asset=a, data={"address": YARD})
        package = disposal.package_create(actor=office, jurisdiction=district,
                                          name=f"工业路仓库大院 第{n}批", channel="auction",
                                          asset_ids=[a.pk])  # fmt: skip
        disposal.project_create(actor=office, package=package, confirm_amount=True,
                                reserve_price=(limit * Decimal(share)).quantize(CENT))  # fmt: skip
