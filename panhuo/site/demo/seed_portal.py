"""The public portal's demo: the notices themselves come from the disposal steps (the portal's
hook puts up a listing notice when a sale is listed and the result notice when it is published);
here the office completes the terms of the listings still open (increment, deposit, viewing,
priority-purchase-right holders) and publishes two of the task force's announcements, in
Chinese, as the office of Hexi would."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from panhuo.portal import services
from panhuo.portal.models import Notice, NoticeKind, NoticeState
from panhuo.site.demo import catalogue as c

VIEWING = "工作日上午 9:00–11:30 现场看样，请提前一个工作日与专班办公室预约。"
NO_HOLDERS = "无。"
TERMS_REASON = "补充加价幅度、保证金和看样安排。"

POLICY = (
    "河西区盘活闲置国有资产公开处置工作方案",
    "为盘活闲置低效国有资产、化解政府债务风险，区专班对纳入处置范围的资产，经集体决策和评估后，"
    "一律通过公开拍卖或产权交易机构公开挂牌处置。\n\n"
    "挂牌公告披露期不少于 20 个工作日；首次挂牌底价不低于评估价，降价重新挂牌低于评估价 90% "
    "的，须经书面批准。成交结果公示不少于 5 个工作日，公示评估价、底价和成交价。\n\n"
    "处置收入全额缴入国库，优先用于偿还到期政府债务。",
)
PROGRESS = (
    "专班工作进展：第一批闲置资产处置情况",
    "截至目前，专班已完成全区资产清查，第一批闲置房产、车辆和设备经公开挂牌后陆续成交。"
    "各项目的结果公示见本网站“公告”栏目。\n\n下一批资产的挂牌公告将陆续发布，欢迎社会各界参与竞买。",
)


def _round(amount: Decimal, step: Decimal) -> Decimal:
    return max((amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step, step)


def seed(seeder) -> None:
    office = seeder.users["office"]
    district = seeder.places[c.DISTRICT[0]]
    open_listings = Notice.objects.filter(
        current=True, kind=NoticeKind.LISTING, state=NoticeState.PUBLISHED,
        jurisdiction=district, ends_on__gte=seeder.today,
    ).order_by("pk")  # fmt: skip
    for notice in open_listings:
        reserve = notice.price
        services.notice_correct(
            actor=office,
            notice=notice,
            terms={
                "increment": _round(reserve / 100, Decimal(1000)),
                "deposit": _round(reserve / 10, Decimal(10000)),
                "viewing": VIEWING,
                "priority_holders": NO_HOLDERS,
            },
            reason=TERMS_REASON,
        )
    for kind, (title, body) in (("policy", POLICY), ("progress", PROGRESS)):
        services.announcement_publish(
            actor=office, jurisdiction=district, kind=kind, title=title, body=body
        )
