"""Demo: disposal projects of every channel, each taken along its own state machine.

``seed.py`` asks this module which channel a project aims for (a contract state needs a lease or
a concession, a paid or published state a sale), and to walk each project to its target state
through the services, by the roles the tables name, with the records each step needs (listing
rounds with a relisting now and then, state-owned counterparties, contracts and their rents,
tranches, the debt a swap settles). Everything is decided by the seeder's random generator and
dated back from the seed's day, so two seeds on the same day are the same.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from panhuo.core.money import CENT
from panhuo.disposal import deadlines
from panhuo.disposal.channels import add_months
from panhuo.disposal.models import Channel, DisposalProject
from panhuo.disposal.models import ProjectStatus as S
from panhuo.disposal.workflow import reachable
from panhuo.finance import services as finance
from panhuo.finance.models import BudgetClass
from panhuo.organisation.models import Unit
from panhuo.pricing.services import valuation_create
from panhuo.site.demo import catalogue as c
from panhuo.site.demo import seed_money
from panhuo.site.demo.seed_clock import working_days_before

MARKET = {Channel.AUCTION, Channel.EXCHANGE}
CONTRACT = {Channel.LEASE, Channel.CONCESSION}
#: Channels that can reach each channel-specific state, in order of preference.
FOR_STATE = {
    S.LISTED: [Channel.AUCTION, Channel.EXCHANGE],
    S.PAID: [Channel.AUCTION, Channel.EXCHANGE, Channel.NEGOTIATED, Channel.SECURITISATION],
    S.PUBLISHED: [Channel.AUCTION, Channel.EXCHANGE],
    S.IN_FORCE: [Channel.LEASE, Channel.CONCESSION],
    S.IN_ARREARS: [Channel.LEASE, Channel.CONCESSION],
    S.ENDED: [Channel.LEASE, Channel.CONCESSION],
}
#: Targets the full demo adds to the legacy ones, so every channel shows its own states.
FULL_EXTRA = {S.PAID: 3, S.PUBLISHED: 3, S.IN_FORCE: 5, S.IN_ARREARS: 2, S.ENDED: 2}


def channel_for(seeder, target: str, kind: str, n: int) -> str | None:
    """The channel a project aiming at ``target`` must use (None: any the kind allows)."""
    allowed = c.KIND_CHANNELS[kind]
    wanted = FOR_STATE.get(target)
    if target == S.CONCLUDED and not getattr(seeder, "market_concluded", False):
        # The first concluded sale is a market one: the bidders' deposits and the sale paid
        # by instalments (seed_deposits) need one, whatever the draws (the small demo).
        seeder.market_concluded = True
        wanted = FOR_STATE[S.LISTED]
    if wanted:
        fitting = [ch for ch in wanted if ch in allowed]
        return seeder.rng.choice(fitting or wanted[:1])
    if n % 9 == 0:
        return Channel.NEGOTIATED  # restructurings between state-owned parties
    return None


def _money(yuan) -> Decimal:
    return Decimal(yuan).quantize(CENT)


def _soe(seeder) -> Unit:
    return Unit.objects.filter(kind=Unit.Kind.SOE).order_by("code").first()


def _stop_for(channel: str, target: str) -> str:
    """The nearest state of the channel's table to a target it cannot reach."""
    if target in reachable(channel):
        return target
    if target == S.LISTED:
        return S.APPROVED
    if channel in CONTRACT:
        return S.IN_FORCE
    return S.CONCLUDED


def walk(seeder, project: DisposalProject, target: str, proposer, reserve: int):
    """Take a draft along its channel's path up to ``target`` (or the nearest state)."""
    stop = _stop_for(project.channel, target)
    office, finance_user = seeder.users["office"], seeder.users["finance"]
    move = seeder.move
    if stop == S.DRAFT:
        return project
    submit = {}
    if project.channel == Channel.NEGOTIATED:
        submit = {
            "counterparty_unit": _soe(seeder).pk,
            "art31_case": "state_restructuring",
            "comment": "按第3号方案实施区属国有资产重组。",
        }
    project = move(project, "submit", proposer, **submit)
    if stop == S.SUBMITTED:
        return project
    comment = f"经专班第{seeder.rng.randint(3, 40)}次会议审议通过。"
    project = move(project, "approve", seeder._approver(), comment=comment)
    if stop == S.APPROVED:
        return project
    if project.channel in CONTRACT:
        return _contract(seeder, project, stop)
    deal = _round(reserve * seeder.rng.randint(100, 135) // 100, 100)
    if project.channel in MARKET:
        back = seeder.rng.randint(60, 200)
        relisted = seeder.rng.random() < 0.35
        listed_on = _listed_on(seeder, stop, back, relisted)
        platform = "清河市公共资源交易中心"
        project = move(
            project,
            "list",
            office,
            platform=platform,
            listed_on=listed_on,
            comment="挂牌公告20个工作日。",
        )
        if relisted:
            reserve = _round(reserve * 95 // 100, 1_000)
            project = move(
                project,
                "relist",
                office,
                reserve_price=_money(reserve),
                platform=platform,
                # The day after the first round's disclosure ended without a buyer.
                listed_on=project.rounds.get(result="open").disclosure_ends + dt.timedelta(days=1),
                comment="无合格意向受让方报名，按底价的95%重新挂牌。",
            )
            deal = _round(reserve * seeder.rng.randint(100, 125) // 100, 100)
        if stop == S.LISTED:
            return project
        # The deal the day after the disclosure ended, recorded now with its date (the
        # periods gates: no deal before the disclosure ends; a late record says why).
        deal_on = project.rounds.get(result="open").disclosure_ends + dt.timedelta(days=1)
        project = move(
            project,
            "conclude",
            office,
            deal_price=_money(deal),
            buyer=seeder._buyer(project),
            bidders=_bidders(seeder),
            concluded_on=deal_on,
            comment="交易所成交，依据成交确认书登记。",
        )
        if stop != S.CONCLUDED:
            # The result notice goes up the day the contract takes effect.
            project = move(
                project,
                "publish_result",
                office,
                published_on=deal_on,
                comment="公示交易结果（含评估值、底价和成交价）。",
            )
    elif project.channel == Channel.NEGOTIATED:
        project = move(
            project,
            "conclude",
            office,
            deal_price=_money(deal),
            approval_body="supervisor",
            approval_ref=f"HX-GZW-{seeder.today.year}-{project.pk:04d}",
        )
    elif project.channel == Channel.SOE_TRANSFER:
        project = move(
            project,
            "transfer",
            office,
            counterparty_unit=_soe(seeder).pk,
            deal_price=_money(deal),
            comment="作为资本金注入集团。",
        )
    elif project.channel == Channel.DEBT_SWAP:
        debt = max(seeder.debts, key=lambda d: (seeder.outstanding[d.pk], d.code))
        value = min(_money(deal), seeder.outstanding[debt.pk])
        project = move(
            project,
            "agree_swap",
            office,
            debt=debt.pk,
            deal_price=value,
            comment=f"债权人以资抵债，受让资产抵偿债务 {debt.code}。",
        )
        if stop == S.CLOSED:
            project = move(project, "execute_swap", finance_user)
            seeder.outstanding[debt.pk] -= value
        return project
    elif project.channel == Channel.SECURITISATION:
        senior = _round(deal * 80 // 100, 100)
        tranches = [
            {"name": "优先A级", "size": _money(senior), "rate": "3.150"},
            {"name": "次级", "size": _money(deal - senior), "rate": "6.800"},
        ]
        project = move(project, "issue", office, tranches=tranches, buyer="河西基础设施REIT一号")
    if stop == S.CONCLUDED:
        if project.channel != Channel.SOE_TRANSFER:
            seed_money.collect(seeder, project, full=False)
        return project
    if project.channel == Channel.SOE_TRANSFER:
        return move(project, "close", office, comment="划转已办理登记。")
    seed_money.collect(seeder, project, full=True)
    if stop == S.PUBLISHED:
        return project  # the notice is up and the money in; finance has yet to confirm it
    project = move(project, "confirm_payment", finance_user)
    if stop == S.PAID:
        return project
    closer = seeder.users["finance" if seeder.rng.random() < 0.5 else "office"]
    return move(project, "close", closer, comment="价款已全额收讫。")


def _listed_on(seeder, stop: str, back: int, relisted: bool) -> dt.date:
    """When a sale was first listed, so that on the seed's day it stands where a live market
    would have it: a listing still in its disclosure period, a deal of the last few working days
    whose payment term is running (none weeks past it), or an older sale that is paid."""
    rounds = 2 if relisted else 1
    disclosure = deadlines.DISCLOSURE_DAYS
    if stop == S.LISTED:
        # Within the (last) round's disclosure period; the first listed sale's disclosure ended
        # days ago without a buyer (the price exception relists it: ``seed_approvals``).
        first = not seeder.unsold_listing and not seeder.withdrawing
        seeder.unsold_listing = seeder.unsold_listing or first
        wait = seeder.rng.randint(1, disclosure - 2)
        if first:
            wait = disclosure + seeder.rng.randint(2, 4)
        return working_days_before(seeder.today, wait + (rounds - 1) * (disclosure + 1))
    if stop in {S.CONCLUDED, S.PUBLISHED}:
        # The deal a working day after the disclosure, 1–4 working days before the seed's day.
        since_deal = seeder.rng.randint(1, 4)
        return working_days_before(seeder.today, since_deal + rounds * (disclosure + 1))
    # Paid and done: two to seven months back, and a round more for a relisting (each round
    # takes up to 45 calendar days over a festival; then the result notice runs its period).
    return seeder.today - dt.timedelta(days=back + 50 * (rounds - 1))


def _round(yuan: int, step: int) -> int:
    return max(step, yuan // step * step)


def _rent_appraisal(seeder, project: DisposalProject, yearly: Decimal) -> None:
    """The rent appraisal a lease is judged by (issue 12): the agreed yearly rent, split over
    the package's assets (no random draw, so the rest of the seed is unchanged)."""
    from django.utils import timezone

    assets = [i.asset for i in project.package.items.select_related("asset").order_by("pk")]
    share = (yearly / len(assets)).quantize(CENT, rounding="ROUND_FLOOR")
    for n, asset in enumerate(assets, start=1):
        valuation_create(
            actor=seeder.users["office"], asset=asset, kind="rent",
            value=share if n < len(assets) else yearly - share * (len(assets) - 1),
            base_date=timezone.localdate() - dt.timedelta(days=25), method="market",
            appraiser="清河正信资产评估有限公司", licence_number="11020045",
            report_number=f"QH-ZJ-{project.code}-{n}",
        )  # fmt: skip


def _contract(seeder, project: DisposalProject, stop: str):
    """Sign a lease or concession that started months before the seed's day, collect what
    fell due (all of it, or all but the last periods when in arrears), and go on to ``stop``."""
    office, fin = seeder.users["office"], seeder.users["finance"]
    rng = seeder.rng
    lease = project.channel == Channel.LEASE
    months_ago = rng.randint(10, 30) if stop in {S.ENDED, S.CLOSED} else rng.randint(4, 14)
    start = add_months(seeder.today.replace(day=1), -months_ago)
    if stop == S.IN_ARREARS:
        # In arrears by one rent that fell due days ago, not by months of them.
        start = add_months(seeder.today - dt.timedelta(days=rng.randint(3, 12)), -months_ago)
    years = rng.choice([2, 3, 5]) if lease else rng.choice([5, 8, 10])
    if stop in {S.ENDED, S.CLOSED}:
        years = 1
    yearly = max(12_000, int(project.reserve_price) * rng.randint(4, 8) // 100)
    frequency = rng.choice(["monthly", "quarterly"]) if lease else "yearly"
    if stop == S.IN_ARREARS:
        frequency = "monthly"
    per = {"monthly": 12, "quarterly": 4, "yearly": 1}[frequency]
    if lease:
        _rent_appraisal(seeder, project, Decimal(yearly // per * per))
    project = seeder.move(
        project,
        "sign",
        office,
        counterparty=rng.choice(c.BUYERS),
        term_start=start,
        term_end=add_months(start, 12 * years),
        period_amount=_money(yearly // per),
        frequency=frequency,
        deposit=_money(yearly // per) if lease else None,
        tender_ref=f"QH-ZZ-{start.year}-{project.pk:04d}",
        comment="经公开招租后签订合同。",
    )
    due = list(project.expected_receipts.filter(due_date__lte=seeder.today).order_by("due_date"))
    unpaid = 1 if stop == S.IN_ARREARS else 0
    for e in due[: len(due) - unpaid] if unpaid else due:
        seeder.voucher_seq += 1
        receipt = finance.receipt_create(
            actor=fin,
            project=project,
            amount=e.amount,
            received_on=e.due_date,
            voucher=f"HX-ZJ-{e.due_date.year}-{seeder.voucher_seq:05d}",
            budget_class=BudgetClass.NON_TAX,
        )
        seed_money.allocate(seeder, receipt, e.due_date)
    if stop == S.IN_FORCE:
        return project
    if stop == S.IN_ARREARS:
        return seeder.move(project, "flag_arrears", fin, comment="租金逾期，已发催缴通知。")
    project = seeder.move(project, "end", office, comment="合同期满，房屋已交回。")
    if stop == S.ENDED:
        return project
    return seeder.move(project, "close", fin, comment="租金已全部收讫。")


def _bidders(seeder) -> int:
    """Qualified bidders of an exchange sale: two to nine, but one at the first sale (the
    single-bidder red flag's case; the draw is made either way, so the seed stays the same)."""
    drawn = seeder.rng.randint(2, 9)
    if getattr(seeder, "single_bidder_seeded", False):
        return drawn
    seeder.single_bidder_seeded = True
    return 1
