"""Demo of the newest gates (issue 12): three sales, each held back by one of them, with its
note saying which and the refusal printed while seeding (a refusal stores nothing):

- "Gate demo: relisting before the disclosure ends" — an auction listed five days ago with no
  bidder yet; relisting it at a lower reserve now is refused (``relist_after_disclosure``,
  Order 32 art. 18), and the project page shows "relist" held until the disclosure's end;
- "Gate demo: conditions on buyers without a basis" — a state-owned company's equipment on the
  exchange; listing it with a local-registration condition on buyers, which no law requires, is
  refused (``buyer_conditions_not_allowed``, Order 32 art. 51), and it stays approved;
- "Gate demo: land listing running" — a plot registered after the first scope round and
  included by a second scope decision: listing it with no announcement is refused
  (``land_announcement_short``, MLR Order 39 art. 11); listed today after its announcement of
  three weeks ago, its deal waits for the 10-day listing (``land_listing_short``, art. 19).

The land sales of the rest of the demo record their announcement three weeks before the listing
(``with_land_announcement``, used by the seeder's ``move``). Like the other gate demos these
are dated from the machine's today and draw nothing from the seeder's random generator; called
before the scope gate's demo, whose building must stay outside every decision.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_UP, Decimal
from functools import partial

from django.utils import timezone

from panhuo.disposal import services as disposal
from panhuo.disposal.candidates import confirmed_candidates
from panhuo.disposal.listing_gates import LISTING_STEPS
from panhuo.pricing.law import RuleClass
from panhuo.pricing.selectors import package_appraisal, package_rule_classes
from panhuo.pricing.services import valuation_create
from panhuo.register import services as register
from panhuo.register.models import Asset, AssetKind, AssetStatus, Criticality
from panhuo.register.scope import propose, scope_decide
from panhuo.site.demo import catalogue as c
from panhuo.site.demo.refusals import refused

EXCHANGE = "清河市公共资源交易中心"
LATE = "Recorded from the exchange's confirmation after the fact."
#: A condition on buyers that no law requires (local protection): what art. 51 forbids.
LOCAL_ONLY = "竞买人须为河西区注册企业，注册资本不低于1000万元。"
#: The plot registered after the first scope round.
LAND_CODE = "HX-LND-90001"

#: How long before its listing the demo announces a land sale (the law's minimum is 20 days).
ANNOUNCED_AHEAD = dt.timedelta(days=21)


def with_land_announcement(project, transition: str, kw: dict) -> dict:
    """``kw`` with the day a land sale was announced, for a listing step of a package holding
    land-use rights that does not give one: three weeks before the listing date."""
    if transition not in LISTING_STEPS or "announced_on" in kw:
        return kw
    if RuleClass.LAND not in package_rule_classes(project.package):
        return kw
    listed_on = kw.get("listed_on") or timezone.localdate()
    if isinstance(listed_on, str):
        listed_on = dt.date.fromisoformat(listed_on)
    return {**kw, "announced_on": listed_on - ANNOUNCED_AHEAD}


def _candidate(seeder, *, soe: bool) -> Asset | None:
    """The first (by code) idle, appraised, unencumbered candidate of the confirmed scope that
    secures no debt, of a state-owned company (``soe``) or of a department or institution."""
    qs = (
        confirmed_candidates(seeder.users["office"], jurisdiction=seeder.places[c.DISTRICT[0]])
        .filter(status=AssetStatus.IDLE, valuations__kind="appraisal")
        .filter(encumbrances__isnull=True, debt_securities__isnull=True)
    )
    qs = qs.filter(unit__kind="soe") if soe else qs.exclude(unit__kind="soe")
    return qs.distinct().order_by("code").first()


def _approved(seeder, asset: Asset, name: str, channel: str, note: str):
    office = seeder.users["office"]
    package = disposal.package_create(
        actor=office, jurisdiction=seeder.places[c.DISTRICT[0]], name=name, channel=channel,
        asset_ids=[asset.pk],
    )  # fmt: skip
    appraised = package_appraisal(package).total or Decimal("1.00")
    reserve = appraised.quantize(Decimal("1000"), rounding=ROUND_UP)
    project = disposal.project_create(
        actor=office, package=package, reserve_price=reserve, note=note
    )
    project = seeder.move(project, "submit", office)
    return seeder.move(project, "approve", seeder.users["head"], comment="Task-force meeting.")


def _refused(seeder, project, transition: str, rule_code: str, **kw) -> str:
    step = partial(seeder.move, project, transition, seeder.users["office"], **kw)
    return refused(seeder, step, f"{project.code} {transition} refused", rule_code)


def seed(seeder) -> list[str]:
    """Seed the three sales; return the codes of the refusals (for the demo's tests)."""
    codes: list[str] = []
    today = timezone.localdate()
    asset = _candidate(seeder, soe=False)
    if asset is not None:
        p = _approved(
            seeder, asset, "Gate demo: relisting before the disclosure ends", "auction",
            "No bidder yet, but the disclosure runs 20 working days: relisting at a lower "
            "reserve waits for its end (gate relist_after_disclosure, Order 32 art. 18).",
        )  # fmt: skip
        p = seeder.move(p, "list", seeder.users["office"], platform=EXCHANGE, comment=LATE,
                        listed_on=today - dt.timedelta(days=5))  # fmt: skip
        lower = (p.reserve_price * Decimal("0.95")).quantize(Decimal("1000"), rounding=ROUND_UP)
        codes.append(_refused(seeder, p, "relist", "relist_after_disclosure",
                              reserve_price=lower, comment="No bidder yet."))  # fmt: skip
    asset = _candidate(seeder, soe=True)
    if asset is not None:
        p = _approved(
            seeder, asset, "Gate demo: conditions on buyers without a basis", "exchange",
            "The company asked to admit only buyers registered in the district: no law "
            "requires that, so the listing is refused (gate buyer_conditions_not_allowed, "
            "Order 32 art. 51). List it without conditions, or name the rule that requires "
            "them.",
        )  # fmt: skip
        codes.append(_refused(seeder, p, "list", "buyer_conditions_not_allowed",
                              platform=EXCHANGE, buyer_conditions=LOCAL_ONLY))  # fmt: skip
    codes += _land(seeder, today)
    return codes


def _land(seeder, today: dt.date) -> list[str]:
    district = seeder.places[c.DISTRICT[0]]
    office, head = seeder.users["office"], seeder.users["head"]
    plot = register.asset_create(
        actor=office,
        data={
            "code": LAND_CODE,
            "name": "和平路原公交场站地块（首轮范围界定后登记）",
            "unit": seeder.units["HX-NRP"],
            "kind": AssetKind.LAND,
            "classification": "1010000",
            "status": AssetStatus.IDLE,
            "criticality": Criticality.NON_ESSENTIAL,
            "idle_since": seeder.today - dt.timedelta(days=500),
            "title_complete": True,
            "area": Decimal("8600.00"),
            "book_value": Decimal("12500000.00"),
            "appraised_value": Decimal("15800000.00"),
            "address": "清河市河西区和平路66号",
        },
    )
    valuation_create(
        actor=office, asset=plot, kind="appraisal", value=Decimal("15800000.00"),
        base_date=today - dt.timedelta(days=40), method="residual",
        appraiser="Qinghe Zhengxin Land Appraisal Co.", licence_number="11020046",
        report_number=f"QH-TD-{today.year}-0090",
    )  # fmt: skip
    # A second scope round: what the task force already confirmed, and the new plot.
    candidates = {p.asset.pk for p in propose(head, district) if p.included}
    confirmed = set(
        confirmed_candidates(office, jurisdiction=district).values_list("pk", flat=True)
    )
    scope_decide(actor=head, jurisdiction=district, include=sorted(candidates & (confirmed |
                 {plot.pk})), note="Second round: the former bus depot plot added.")  # fmt: skip
    p = _approved(
        seeder, plot, "Gate demo: land listing running", "auction",
        "Land-use right: announced three weeks ago (at least 20 days before the listing, "
        "MLR Order 39 art. 11), listed today; the deal waits for the 10-day listing "
        "(gate land_listing_short, art. 19) and the disclosure.",
    )  # fmt: skip
    code = _refused(seeder, p, "list", "land_announcement_short", platform=EXCHANGE,
                    announced_on=None)  # fmt: skip
    seeder.move(p, "list", office, platform=EXCHANGE, announced_on=today - ANNOUNCED_AHEAD,
                comment="Listed today after the announcement of three weeks ago.")  # fmt: skip
    return [code]
