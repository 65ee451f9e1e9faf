"""Demo: registered bidders and Panhuo's own online auctions (issue 16).

Five bidders register through the bidders' services, three people (resident ID numbers,
GB 11643) and two companies (unified social credit codes, GB 32100), each number made with its
check character and checked by the same code as the registration form; one declares that she is
related to an official of the housing bureau; the office verifies four and leaves one waiting.

Three lots, each on the open round of a listed public auction:

- an auction of vehicles (or equipment) that closed some days ago: three bidders, a late bid
  that extended the end (soft close), the office's award (the deal on the project), the
  winner's signature (their deposit applied to the price, the runners-up's refunded), the rest
  paid, and the result notice on the portal;
- another in progress: bids from three bidders today, ending in a few working days;
- a scheduled lot on a sale whose disclosure still runs, with the related bidder registered
  (her deposit due) and a company whose deposit is paid and awaits finance's confirmation.

The two auctioned sales are packaged, approved and listed here (after the other projects, so the
earlier codes do not move), listed long enough ago that their disclosure has run. Every step is
a service call by the role that takes it, dated by the seed's clock.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Exists, OuterRef

from panhuo.auctions import bidding
from panhuo.auctions import services as auctions
from panhuo.auctions.award_models import AwardStatus
from panhuo.auctions.awards import award_sign
from panhuo.auctions.models import Lot
from panhuo.bidders import services as bidders
from panhuo.bidders.identity import id_check_char
from panhuo.core import workdays
from panhuo.disposal import services as disposal
from panhuo.disposal.candidates import with_scope
from panhuo.disposal.models import Channel, DisposalProject, ProjectStatus
from panhuo.finance.deposits.parties import deposit_declare_paid
from panhuo.finance.deposits.services import deposit_transition
from panhuo.finance.expected import received_total
from panhuo.organisation.credit_code import credit_code_check_char
from panhuo.organisation.models import Unit
from panhuo.pricing.models import Valuation, ValuationKind
from panhuo.register.models import Asset, AssetKind, AssetStatus, Criticality
from panhuo.site.demo import catalogue as c
from panhuo.site.demo import seed_money
from panhuo.site.demo.seed_clock import working_days_before

D = Decimal
PLATFORM = "盘活网络竞价平台"
#: Assets no longer there to sell (sold, written off) or let out.
GONE = (AssetStatus.DISPOSED, AssetStatus.WRITTEN_OFF, AssetStatus.LEASED_OUT)


def _id(first17: str) -> str:
    return first17 + id_check_char(first17)


def _credit(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


#: username → (kind, name, number, phone, address, bank, account, verified)
BIDDERS = {
    "bidder": ("person", "周勇", _id("33010619780512003"), "13905710318",
               "清河市河西区滨江路 18 号 2 幢 301 室", "中国工商银行清河河西支行",
               "6222021202003456789", True),
    "bidder_wu": ("person", "吴娜", _id("33010219850923004"), "13757120466",
                  "清河市河西区文一路 77 号 5 单元 602 室", "中国建设银行清河分行",
                  "6217001540012345678", True),
    "bidder_jiaye": ("company", "清河嘉业置业有限公司", _credit("91330106MA2KX4P7L"),
                     "0571-87061234", "清河市河西区学院路 128 号嘉业大厦 12 楼",
                     "中国银行清河河西支行", "356758923410", True),
    # 中南物流 gives 清河嘉业's switchboard number: two bidders of the same sales behind one
    # office (the shared-contact red flag, issue 17).
    "bidder_zhongnan": ("company", "中南物流控股有限公司", _credit("91330100MA28Y6T3Q"),
                        "0571-87061234", "清河市东城区物流大道 9 号", "招商银行清河分行",
                        "571908765410201", True),
    "bidder_zheng": ("person", "郑凯", _id("33010419900304001"), "18667102235",
                     "清河市东城区庆春路 45 号 1 幢 1103 室", "", "", False),
}  # fmt: skip
#: Who bids where: the closed lot's three and the running lot's three.
CLOSED_BIDDERS = ("bidder_zhongnan", "bidder", "bidder_jiaye")
RUNNING_BIDDERS = ("bidder_jiaye", "bidder", "bidder_zhongnan")
#: What the auctioned sales offer: vehicles (what online auctions mostly sell), else equipment.
KINDS = (AssetKind.VEHICLE, AssetKind.EQUIPMENT)


def _at(seeder, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=seeder.clock.zone)


def _free_hour(seeder, day: dt.date) -> int:
    """The first whole hour on ``day`` after everything the seed already dated that day (so
    the auction's bids come after its opening by the seed's clock, which never runs back)."""
    reached = seeder.clock.reached.get(day, 0)
    return min(10 + reached // 3600, 15)


def seed(seeder) -> None:
    district = seeder.places[c.DISTRICT[0]]
    office = seeder.users["office"]
    today = seeder.today
    registered_on = seeder.clock.on(working_days_before(today, 60))
    people = {}
    for username, (kind, name, number, phone, address, bank, account, _ok) in BIDDERS.items():
        user = seeder.users[username]
        people[username] = bidders.register_bidder(
            actor=user, user=user, jurisdiction=district, kind=kind, name=name,
            id_number=number if kind == "person" else "",
            credit_code=number if kind == "company" else "", phone=phone, address=address,
            bank_name=bank, bank_account=account,
        )  # fmt: skip
    # 吴娜 declares that her cousin is a deputy director of the housing bureau (the unit holding
    # the sale she registers for): the insider red flag reads it.
    bureau = Unit.objects.get(code=c.OFFICER_UNIT)
    bidders.relation_add(
        actor=seeder.users["bidder_wu"], bidder=people["bidder_wu"], kind="relative",
        who=f"表兄陈磊，{bureau.name}副局长", unit=bureau,
    )  # fmt: skip
    seeder.clock.after(registered_on, 2)
    for username, spec in BIDDERS.items():
        if spec[-1]:
            people[username] = bidders.bidder_transition(office, people[username], "verified")

    closed_day = working_days_before(today, 8)
    sold = _listed_sale(seeder, KINDS, working_days_before(closed_day, 30), 1)
    running = _listed_sale(seeder, KINDS, working_days_before(today, 26), 2)
    if sold is not None:
        _closed_auction(seeder, sold, closed_day)
    if running is not None:
        _running_auction(seeder, running)
    _scheduled_lot(seeder)
    seeder.clock.back_to_today()


def _listed_sale(
    seeder, kinds, listed_on: dt.date, n: int, channel: str = Channel.AUCTION
) -> DisposalProject | None:
    """A public auction (or exchange listing) of one or two in-scope idle assets of the first
    of ``kinds`` that has any, approved and listed on ``listed_on`` (None when the district has
    none left)."""
    district = seeder.places[c.DISTRICT[0]]
    earliest = working_days_before(listed_on, 6)
    # Appraised within the last ten months (still valid through the sale), before the package.
    current = Valuation.objects.filter(
        asset=OuterRef("pk"), kind=ValuationKind.APPRAISAL,
        base_date__gte=listed_on - dt.timedelta(days=300), base_date__lte=earliest,
    )  # fmt: skip
    for kind in kinds:
        assets = list(
            with_scope(Asset.objects.filter(unit__jurisdiction=district, kind=kind))
            .filter(scope_included=True)
            .filter(Exists(current))
            .exclude(criticality=Criticality.ESSENTIAL)
            .exclude(status__in=GONE)
            .exclude(package_items__live=True)
            .order_by("code")[:2]
        )
        if assets:
            break
    else:
        return None
    appraised = [
        Valuation.objects.filter(asset=a, kind=ValuationKind.APPRAISAL, base_date__lte=earliest)
        .order_by("-base_date", "-pk")
        .first()
        .value
        for a in assets
    ]
    office = seeder.users["office"]
    seeder.clock.on(earliest)
    unit_name = assets[0].unit.name.removeprefix(c.DISTRICT[1]).removeprefix("河西")
    exchange = channel == Channel.EXCHANGE
    how = "挂牌转让" if exchange else "网络竞价"
    package = disposal.package_create(
        actor=office, jurisdiction=district, channel=channel,
        name=f"{unit_name}{c.KIND_PLURAL[kind]}{how}包（第{n}场）",
        asset_ids=[a.pk for a in assets],
    )  # fmt: skip
    reserve = int(sum(appraised)) // 1000 * 1000 + 1000
    project = disposal.project_create(
        actor=office, package=package, reserve_price=D(reserve),
        note=f"评估报告 QH-PG-{listed_on.year}-W{n:02d}，网络竞价处置。",
    )  # fmt: skip
    project = seeder.move(project, "submit", office)
    seeder.clock.on(working_days_before(listed_on, 3))
    project = seeder.move(
        project, "approve", seeder._approver(), comment="经专班会议审议通过，网络公开竞价。"
    )
    seeder.clock.on(listed_on)
    if exchange:
        return seeder.move(project, "list", office, platform="清河市公共资源交易中心",
                           comment="产权交易所挂牌公告 20 个工作日。")  # fmt: skip
    return seeder.move(
        project, "list", office, platform=PLATFORM, comment="网络竞价公告 20 个工作日。"
    )


def _terms(project: DisposalProject) -> dict:
    reserve = project.reserve_price
    step = max((reserve / 50 / 100).quantize(D(1)) * 100, D(100))
    deposit = max((reserve / 10 / 1000).quantize(D(1)) * 1000, D(1000))
    return {"start_price": reserve, "increment": step, "deposit_amount": deposit}


def _join(seeder, lot: Lot, username: str, day: dt.date, *, pay: bool, confirm: bool):
    """``username`` registers for ``lot``; pays the deposit and finance confirms it."""
    user = seeder.users[username]
    seeder.clock.on(day)
    registration = auctions.lot_register(actor=user, lot_id=lot.pk, accept_conditions=True)
    if registration.deposit is None or not pay:
        return registration
    seeder.voucher_seq += 1
    deposit = deposit_declare_paid(
        actor=user, deposit=registration.deposit, paid_on=day,
        voucher=f"BZJ-{day:%Y%m%d}-{seeder.voucher_seq:05d}",
    )  # fmt: skip
    if confirm:
        seeder.clock.after(day, 1)
        deposit_transition(actor=seeder.users["finance"], deposit=deposit, action="confirm")
    return registration


def _bids(seeder, lot: Lot, usernames, steps: list[int]) -> None:
    """The bidders in turn, each raising the price by the given number of increments."""
    for k, increments in enumerate(steps):
        lot.refresh_from_db()
        amount = lot.minimum_bid + lot.increment * (increments - 1)
        user = seeder.users[usernames[k % len(usernames)]]
        bidding.bid_place(actor=user, lot_id=lot.pk, amount=amount)


def hour_lot(
    seeder, project: DisposalProject, day: dt.date, usernames, *, first: int, soft_close: int
) -> tuple[Lot, int]:
    """A lot of the project's open round auctioned for an hour on ``day`` (the first free
    one), set up ten working days before, with a soft close of ``soft_close`` minutes (0: none);
    ``usernames`` register in turn from ``first`` working days before, deposits paid and
    confirmed. Returns the lot and its hour, the clock on ``day``."""
    seeder.clock.on(working_days_before(day, 10))
    hour = _free_hour(seeder, day)
    lot = auctions.lot_create(
        actor=seeder.users["office"], round=project.rounds.get(result="open"), **_terms(project),
        start_at=_at(seeder, day, hour), end_at=_at(seeder, day, hour + 1),
        window_minutes=soft_close, extension_minutes=soft_close,
    )  # fmt: skip
    for k, username in enumerate(usernames):
        _join(seeder, lot, username, working_days_before(day, first - k), pay=True, confirm=True)
    seeder.clock.on(day)
    return lot, hour


def close_and_award(seeder, lot: Lot, comment: str) -> Lot:
    """The ended lot closed and awarded by the office (the clock past its end)."""
    auctions.lot_close_if_due(lot.pk)
    return auctions.lot_award(
        actor=seeder.users["office"], lot=Lot.objects.get(pk=lot.pk), comment=comment
    )


def _closed_auction(seeder, project: DisposalProject, day: dt.date) -> None:
    office = seeder.users["office"]
    lot, hour = hour_lot(seeder, project, day, CLOSED_BIDDERS, first=5, soft_close=5)
    seeder.clock.at(hour, 2)
    _bids(seeder, lot, CLOSED_BIDDERS, [1, 1, 2, 1, 1])
    seeder.clock.at(hour, 57)  # a late bid: the soft close moves the end 5 minutes later
    _bids(seeder, lot, CLOSED_BIDDERS[1:], [1, 1])
    seeder.clock.at(hour + 1, 6)
    lot = close_and_award(seeder, lot, "竞价结束，确认最高应价者竞得。")
    project.refresh_from_db()
    # The winner signs the next working day: their deposit is applied to the price and the
    # runners-up's refunded (the award queue's rule); the rest of the price comes in days later.
    signed_on = seeder.clock.after(day, 1)
    award_sign(
        actor=office, award=lot.awards.get(status=AwardStatus.OFFERED),
        contract_no=f"HX-JJHT-{signed_on.year}-001", signed_on=signed_on,
    )  # fmt: skip
    paid_on = seeder.clock.after(day, 3)
    rest = project.deal_price - received_total(project)
    seed_money.receive(seeder, project, rest, paid_on, "HX-JJ")
    seeder.move(project, "publish_result", office, comment="成交结果公示 5 个工作日。")


def _running_auction(seeder, project: DisposalProject) -> None:
    office = seeder.users["office"]
    today = seeder.today
    seeder.clock.on(working_days_before(today, 4))
    ends = workdays.add_working_days(today, 3, jurisdiction=project.jurisdiction)
    lot = auctions.lot_create(
        actor=office, round=project.rounds.get(result="open"), **_terms(project),
        start_at=_at(seeder, today, 9), end_at=_at(seeder, ends, 15), window_minutes=5,
        extension_minutes=5,
    )  # fmt: skip
    for k, username in enumerate(RUNNING_BIDDERS):
        _join(seeder, lot, username, working_days_before(today, 3 - k), pay=True, confirm=True)
    seeder.clock.on(today)
    seeder.clock.at(9, 30)
    _bids(seeder, lot, RUNNING_BIDDERS, [1, 2, 1, 1])


def _scheduled_lot(seeder) -> None:
    """A lot on a listed sale whose disclosure still runs: bidding opens the working day after
    it ends. 吴娜 (who declared a relation) registered, her deposit due; 清河嘉业 paid."""
    project = (
        DisposalProject.objects.filter(
            package__jurisdiction__code=c.DISTRICT[0],
            channel=Channel.AUCTION,
            status=ProjectStatus.LISTED,
            rounds__result="open",
            rounds__disclosure_ends__gte=seeder.today,
            rounds__lot__isnull=True,
        )
        .exclude(package__name__startswith="Gate")
        .order_by("code")
        .first()
    )
    if project is None:
        return
    office = seeder.users["office"]
    round_ = project.rounds.get(result="open")
    # Never on a day off, even in a year whose holiday notice is not out (New Year's Day 2027).
    opens = workdays.surely_working_day_after(
        round_.disclosure_ends, jurisdiction=project.jurisdiction
    )
    seeder.clock.on(working_days_before(seeder.today, 2))
    lot = auctions.lot_create(
        actor=office, round=round_, **_terms(project), start_at=_at(seeder, opens, 10),
        end_at=_at(seeder, opens, 16), window_minutes=5, extension_minutes=5,
    )  # fmt: skip
    _join(seeder, lot, "bidder_wu", working_days_before(seeder.today, 1), pay=False, confirm=False)
    _join(seeder, lot, "bidder_jiaye", seeder.today, pay=True, confirm=False)
