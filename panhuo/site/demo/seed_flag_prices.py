"""Demo: the price and disclosure red flags the gates cannot stop (issue 17), each made through
the services by the role that would, after the rest of the seed:

- **a token rent, approved**: a building of the district leased for three years to a community
  elder-care centre at 40 % of its appraised rent. The head approved the price exception in
  writing (the reason: public-welfare use), so the gates let the lease be signed; the flag
  ``token_price`` shows it anyway — below 70 % of the market rent is a give-away in law (SPC,
  2023), and whether the policy justifies it is the auditor's call;
- **a sale far below comparable deals**: a building (else a plot of land) appraised by a firm
  at well under half of what the district's deals of its kind fetched per square metre, and
  sold at that appraisal. Every gate passed (the reserve was the appraisal, the deal above it);
  the flag ``deal_below_comparables`` puts its price per square metre under the lower quartile
  fence of the district's deals of that kind — the appraisal is what deserves a look. The
  district's deals being few and widely spread, the head sets its fence at one interquartile
  range instead of Tukey's 1.5 (at 1.5 the fence is below zero);
- **a disclosure cut short by a holiday declared later** (``holiday_declared``, the seed's
  last write): the district declared a local day off
  (a calendar day, with its notice) that falls inside the disclosure periods of listings
  published before it; counted by today's calendar they now run a working day short of Order
  32's twenty (``disclosure_short``) until the office extends them.

Only on a district with candidates to spare (the small test demo keeps them for the package
suggestions).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from panhuo.core import workdays
from panhuo.core.calendars import calendar_day_set
from panhuo.disposal import price_exceptions
from panhuo.disposal import services as disposal
from panhuo.disposal.candidates import confirmed_candidates
from panhuo.disposal.models import Channel, ListingRound, ProjectStatus
from panhuo.flags.price import _dealt
from panhuo.flags.price_market import _unit_prices, quartiles
from panhuo.flags.registry import RULES, Scope, params_for
from panhuo.flags.services import thresholds_set
from panhuo.integrity.document_services import document_upload
from panhuo.pricing.services import valuation_create
from panhuo.register.models import AssetKind, AssetStatus
from panhuo.site.demo import catalogue as c
from panhuo.site.demo import seed_money
from panhuo.site.demo.seed_approvals import _decide_all
from panhuo.site.demo.seed_clock import working_days_before
from panhuo.site.demo.seed_documents import minimal_pdf
from panhuo.site.demo.seed_flag_lots import NEEDED

CENT = Decimal("0.01")
APPRAISER = ("清河永信房地产评估有限公司", "33020118")


def seed(seeder) -> None:
    if _candidates(seeder).count() < NEEDED:
        return
    seeder.say("Red-flag cases of price: a token rent approved, a sale below comparables…")
    _token_rent(seeder)
    _below_comparables(seeder)
    seeder.clock.back_to_today()


def _candidates(seeder):
    return confirmed_candidates(
        seeder.users["office"], jurisdiction=seeder.places[c.DISTRICT[0]]
    ).filter(status=AssetStatus.IDLE)


def _appraise(seeder, asset, kind: str, value: Decimal, base: dt.date, n: int) -> None:
    valuation_create(
        actor=seeder.users["office"], asset=asset, kind=kind, value=value, base_date=base,
        valid_until=base + dt.timedelta(days=364), method="market", appraiser=APPRAISER[0],
        licence_number=APPRAISER[1], report_number=f"QH-YX-{base.year}-{n:03d}",
    )  # fmt: skip


def _token_rent(seeder) -> None:
    """Appraised rent 60,000 yuan a year; leased at 24,000 under the head's approval."""
    asset = _candidates(seeder).filter(kind=AssetKind.BUILDING).order_by("code").first()
    if asset is None:
        return
    office = seeder.users["office"]
    seeder.clock.on(working_days_before(seeder.today, 12))
    _appraise(seeder, asset, "rent", Decimal("60000.00"), seeder.clock.day, 1)
    package = disposal.package_create(
        actor=office, jurisdiction=seeder.places[c.DISTRICT[0]], channel=Channel.LEASE,
        name=f"{asset.name}出租（社区居家养老服务中心）", asset_ids=[asset.pk],
    )  # fmt: skip
    project = disposal.project_create(
        actor=office, package=package, reserve_price=Decimal("24000.00"),
        note="租给清河市河西区社区居家养老服务中心，年租金按评估租金的 40% 优惠，三年。",
    )  # fmt: skip
    project = seeder.move(project, "submit", office, comment="公益用途，申请租金优惠。")
    project = seeder.move(project, "approve", seeder.users["deputy"],
                          comment="经专班会议审议，同意出租。")  # fmt: skip
    request = price_exceptions.price_exception_request(
        actor=office, project=project, amount=Decimal("24000.00"),
        reason="养老服务公益用途，依区养老服务设施扶持政策按评估租金的 40% 收取租金。",
    )  # fmt: skip
    number = f"河西区资产盘活专班批复〔{seeder.clock.day.year}〕{project.pk:03d}号"
    document_upload(
        actor=office, target=project, kind="approval", title="租金优惠的书面批复", number=number,
        file=SimpleUploadedFile(f"approval-{project.code}.pdf", minimal_pdf(
            [number, f"Project {project.code}", "Yearly rent approved: 24,000.00 yuan"])),
    )  # fmt: skip
    _decide_all(request, [seeder.users["head"]])
    seeder.clock.after(seeder.clock.day, 3)
    start = seeder.clock.day
    seeder.move(project, "sign", office, counterparty="清河市河西区社区居家养老服务中心",
                term_start=start, term_end=start.replace(year=start.year + 3),
                period_amount=Decimal("6000.00"), frequency="quarterly",
                deposit=Decimal("6000.00"))  # fmt: skip
    for due in project.expected_receipts.filter(due_date__lte=seeder.today).order_by("due_date"):
        seed_money.receive(seeder, project, due.amount, due.due_date, "HX-ZJ")  # paid on time


def _fence(prices: list[Decimal], k: Decimal) -> Decimal:
    q1, q3 = quartiles(prices)
    return (q1 - k * (q3 - q1)).quantize(CENT, ROUND_HALF_UP)


def _below_comparables(seeder) -> None:
    """A building (else a plot of land) appraised and sold at a price per square metre under
    the lower fence of the district's deals of its kind, the fence counted with it among them
    (a kind whose deals spread so widely that the fence is below zero has no such outlier)."""
    district = seeder.places[c.DISTRICT[0]]
    # The district's deals are few and widely spread: at Tukey's 1.5 interquartile ranges the
    # lower fence falls below zero and catches nothing, so the head sets the place's own fence
    # at one (the rule's threshold per place).
    thresholds_set(actor=seeder.users["head"], jurisdiction=district,
                   rule="deal_below_comparables", values={"fence_k": "1.0"})  # fmt: skip
    p = params_for(RULES["deal_below_comparables"], district)
    # Each deal's price per square metre as the rule reads it, per (place, kind).
    groups = _unit_prices(_dealt(Scope(path=district.path)).filter(package__jurisdiction=district))
    for kind in (AssetKind.BUILDING, AssetKind.LAND):
        prices = [unit for _project, unit in groups.get((district.pk, kind), [])]
        if len(prices) + 1 < p["min_deals"] or _fence(prices, p["fence_k"]) <= 0:
            continue
        asset = _candidates(seeder).filter(kind=kind, area__gte=200).order_by("-code").first()
        if asset is not None:
            break
    else:
        return
    target = _fence(prices, p["fence_k"]) / 2
    for _attempt in range(6):
        value = (target * asset.area / 1000).quantize(Decimal(1)) * 1000
        deal = value + 5000
        per_m2 = (deal / asset.area).quantize(CENT, ROUND_HALF_UP)  # as the rule reads it
        if value > 0 and per_m2 < _fence([*prices, per_m2], p["fence_k"]):
            break
        target /= 2
    else:
        return
    channel = Channel.AUCTION if kind == AssetKind.LAND else Channel.EXCHANGE
    office = seeder.users["office"]
    listed_on = working_days_before(seeder.today, 30)
    seeder.clock.on(working_days_before(listed_on, 8))
    _appraise(seeder, asset, "appraisal", value, seeder.clock.day, 2)
    package = disposal.package_create(
        actor=office, jurisdiction=district, channel=channel,
        name=f"{asset.name}挂牌转让", asset_ids=[asset.pk],
    )  # fmt: skip
    project = disposal.project_create(
        actor=office, package=package, reserve_price=value,
        note=f"评估报告 QH-YX-{seeder.clock.day.year}-002（{APPRAISER[0]}），按评估值挂牌。",
    )  # fmt: skip
    project = seeder.move(project, "submit", office)
    seeder.clock.on(working_days_before(listed_on, 4))
    project = seeder.move(project, "approve", seeder._approver(),
                          comment="经专班会议审议，按评估值挂牌转让。")  # fmt: skip
    seeder.clock.on(listed_on)
    project = seeder.move(project, "list", office, platform="清河市公共资源交易中心",
                          listed_on=listed_on, comment="挂牌公告20个工作日。")  # fmt: skip
    deal_on = project.rounds.get(result="open").disclosure_ends + dt.timedelta(days=1)
    seeder.clock.after(deal_on)
    project = seeder.move(
        project, "conclude", office, deal_price=deal, buyer="清河港口物流有限公司", bidders=2,
        concluded_on=seeder.clock.day, comment="交易所成交，依据成交确认书登记。",
    )  # fmt: skip
    seed_money.receive(seeder, project, deal, seeder.clock.after(seeder.clock.day, 2), "HX-CJ")


def holiday_declared(seeder) -> None:
    """A local day off, declared today, on a working day inside the disclosure of the listing
    that ends soonest after today: every running listing across it ends a working day short.
    The last write of the seed (every date counted before it stands as counted then)."""
    if _candidates(seeder).count() < NEEDED:
        return
    district = seeder.places[c.DISTRICT[0]]
    running = ListingRound.objects.filter(
        project__package__jurisdiction=district, project__status=ProjectStatus.LISTED,
        result="open", disclosure_ends__gt=seeder.today,
    )  # fmt: skip
    ends = running.order_by("disclosure_ends").values_list("disclosure_ends", flat=True).first()
    if ends is None:
        return
    day = ends
    while not workdays.is_working_day(day, jurisdiction=district) and day > seeder.today:
        day -= dt.timedelta(days=1)
    if day <= seeder.today:
        return
    seeder.clock.on(seeder.today)
    calendar_day_set(
        actor=seeder.users["office"], jurisdiction=district, date=day, working=False,
        note=f"河西区人民政府通知（区政府办〔{day.year}〕31号）：本区调休一天",
    )  # fmt: skip
