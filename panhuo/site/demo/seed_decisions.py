"""Demo: decision support (issue 20), after the rest of the seed and before the flags are
raised:

- **repayment schedules**: the finance bureau sets each of the district's debts that has none
  to its contract's terms (interest yearly, the principal at maturity), so the interest a sale
  saves and each quarter's debt service can be read from the schedules;
- **a value-destroying package**: an income-producing asset of the district in the task force's
  scope (a building, else an operating right, an equity stake, land) put up for auction whole.
  Its income (a correction by the office to the register) nets, a year, three points of
  its appraised value more than the rate of the dearest running debt its proceeds would repay;
  so holding it is worth clearly more than selling it (by about a fifth of its value), and its
  decision page shows the arithmetic (the three values, the inputs with their sources, the
  sensitivity table);
- **stored scenario runs** of the district's pipeline: the base case at the page's defaults, and
  a stressed one (rougher prices, more delay), so the stored runs list and the side-by-side page
  have something to show.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, Exists, OuterRef, Value, When

from panhuo.decisions.inputs import own_figures
from panhuo.decisions.report import package_decision_for
from panhuo.decisions.runs import scenario_run_save
from panhuo.disposal import services as disposal
from panhuo.disposal.candidates import with_scope
from panhuo.finance.debts.schedules import debt_schedule_set
from panhuo.finance.models import Debt
from panhuo.pricing.models import Valuation, ValuationKind
from panhuo.register import services as register
from panhuo.register.models import Asset, AssetKind, AssetStatus, Criticality
from panhuo.site.demo import catalogue as c

CENT = Decimal("0.01")
#: Net income above the dearest debt's rate, in points of the appraised value.
MARGIN = Decimal(3)
#: What can earn an income, in the order one is looked for among the assets in scope.
EARNERS = [AssetKind.BUILDING, AssetKind.OPERATING_RIGHT, AssetKind.EQUITY, AssetKind.LAND]
PACKAGE_NAME = "经营性资产整体出售（拟）"
RUNS = [
    ("基准情景（默认参数）", {}),
    ("压力情景：价格波动 30%、延误 40%", {"price_sd_pct": 30.0, "delay_pct": 40.0}),
]


def seed(seeder) -> None:
    seeder.say("Decision support: a value-destroying package, stored scenario runs…")
    _schedules(seeder)
    _value_destroying_package(seeder)


def seed_runs(seeder) -> None:
    """The stored scenario runs, seeded after every other record (the optimiser's adopted plan
    included): a run reads the open packages as they are, so a run stored before a later seed
    step changed them would not reproduce when the office re-runs it."""
    office, district = seeder.users["office"], seeder.places[c.DISTRICT[0]]
    for title, params in RUNS:
        scenario_run_save(actor=office, place=district, on=seeder.today, params=params,
                          title=title)  # fmt: skip


def _schedules(seeder) -> None:
    finance = seeder.users["finance"]
    debts = Debt.objects.filter(jurisdiction__code=c.DISTRICT[0], voided_at=None,
                                schedule_kind="").order_by("code")  # fmt: skip
    for debt in debts:
        debt_schedule_set(actor=finance, debt=debt, method="bullet", frequency="annual")


def _value_destroying_package(seeder) -> None:
    district = seeder.places[c.DISTRICT[0]]
    office = seeder.users["office"]
    appraised = Valuation.objects.filter(asset=OuterRef("pk"), kind=ValuationKind.APPRAISAL,
                                         base_date__lte=seeder.today)  # fmt: skip
    rank = Case(*[When(kind=k, then=Value(i)) for i, k in enumerate(EARNERS)])
    shop = (
        with_scope(Asset.objects.filter(unit__jurisdiction=district, kind__in=EARNERS))
        .filter(
            Exists(appraised),
            scope_included=True,
            in_live_package=False,
            status__in=(AssetStatus.IN_USE, AssetStatus.UNDER_USED, AssetStatus.IDLE),
        )
        .exclude(criticality=Criticality.ESSENTIAL)
        .order_by(rank, "-annual_income", "code")
        .first()
    )
    if shop is None:
        raise RuntimeError("the demo has no asset in scope that could earn an income")
    dearest = (
        Debt.objects.filter(
            jurisdiction=district, voided_at=None, outstanding__gt=0, maturity_date__gt=seeder.today
        )
        .order_by("-rate")
        .values_list("rate", flat=True)
        .first()
    ) or Decimal(4)
    net = own_figures(shop, seeder.today).value.value * (dearest + MARGIN) / 100
    income = (net + shop.annual_holding_cost).quantize(CENT)
    register.asset_update(actor=office, asset=shop, data={"annual_income": income})
    package = disposal.package_create(actor=office, jurisdiction=district, name=PACKAGE_NAME,
                                      channel="auction", asset_ids=[shop.pk])  # fmt: skip
    decision = package_decision_for(office, package, on=seeder.today)
    if not decision["value_destroying"]:
        raise RuntimeError(f"the demo's value-destroying package {package.code} is not: {decision}")
    seeder.say(f"  {package.code}: hold {decision['hold']}, sell {decision['sell']}, "
               f"value destroyed {decision['value_destroyed']}")  # fmt: skip
