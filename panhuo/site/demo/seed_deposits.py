"""Demo: bidders' deposits and a sale paid by instalments.

Listed auctions and exchange listings hold the deposits of their registered bidders; concluded
sales show the three ways out of "held": the losers' deposits refunded, a bidder who won and
then walked away forfeiting theirs (a forfeited-deposit receipt), and the winner's applied to
the price. One concluded sale is paid by instalments (30 % down, three instalments with
interest) with the down payment and the first instalment received and the second overdue.
Everything goes through the services, by the roles that may take each step, dated from the
seed's day.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from panhuo.core import workdays
from panhuo.core.money import CENT
from panhuo.disposal.channels import add_months
from panhuo.disposal.models import Channel, DisposalProject
from panhuo.disposal.models import ProjectStatus as S
from panhuo.finance.deposits.services import deposit_receive, deposit_transition
from panhuo.finance.expected import received_total
from panhuo.finance.instalments import instalment_plan_set
from panhuo.integrity.services import audit_record
from panhuo.site.demo import catalogue as c
from panhuo.site.demo import seed_money

MARKET = [Channel.AUCTION, Channel.EXCHANGE]
SALES = [*MARKET, Channel.NEGOTIATED]


def _split(project: DisposalProject) -> list[Decimal]:
    """30 % down and three instalments (the cents left over on the last)."""
    price = project.deal_price
    down = (price * Decimal("0.30")).quantize(CENT)
    each = ((price - down) / 3).quantize(CENT)
    return [down, each, each, price - down - 2 * each]


def _amount(project: DisposalProject, pct: int) -> Decimal:
    return (project.reserve_price * pct / 100).quantize(Decimal("1000"))


def seed(seeder) -> None:
    fin, head = seeder.users["finance"], seeder.users["head"]
    rng = seeder.rng
    n = 0

    def receive(project, bidder, day):
        nonlocal n
        n += 1
        return deposit_receive(
            actor=fin, project=project, bidder=bidder, amount=_amount(project, 10),
            received_on=day, voucher=f"HX-BZJ-{day.year}-{n:04d}",
        )  # fmt: skip

    base = seeder.today
    projects = DisposalProject.objects.filter(
        package__jurisdiction__code=c.DISTRICT[0], channel__in=MARKET
    ).order_by("code")
    for project in projects.filter(status=S.LISTED)[:4]:
        for bidder in rng.sample(c.BUYERS, 2):
            receive(project, bidder, base - dt.timedelta(days=rng.randint(2, 15)))
    concluded = [p for p in projects.filter(status=S.CONCLUDED) if received_total(p) < p.deal_price]
    sales = DisposalProject.objects.filter(
        package__jurisdiction__code=c.DISTRICT[0], channel__in=SALES, status=S.CONCLUDED
    ).order_by("code")
    plan_project = next((p for p in sales if received_total(p) <= sum(_split(p)[:2])), None)
    for k, project in enumerate(concluded[:3]):
        day = base - dt.timedelta(days=rng.randint(20, 40))
        losers = [b for b in c.BUYERS if b != project.buyer]
        loser = receive(project, rng.choice(losers), day)
        deposit_transition(actor=fin, deposit=loser, action="refund", on=day + dt.timedelta(days=3))
        if k == 0:
            # The bidder who won the first round and walked away: the deposit is forfeited.
            walked = receive(project, rng.choice(losers), day)
            deposit_transition(
                actor=head, deposit=walked, action="forfeit", on=day + dt.timedelta(days=5),
                reason="Won the first round, then refused to sign the transaction confirmation.",
            )  # fmt: skip
        winner = receive(project, project.buyer, day)
        due = project.deal_price - received_total(project)
        if winner.amount <= due and project != plan_project:
            deposit_transition(
                actor=fin, deposit=winner, action="apply", on=day + dt.timedelta(days=4)
            )
    if plan_project is not None:
        _instalment_sale(seeder, plan_project)


def _instalment_sale(seeder, project: DisposalProject) -> None:
    """30 % down within the payment term, three instalments with interest within the year;
    the down payment and the first instalment received, the second overdue."""
    fin = seeder.users["finance"]
    # The deal was struck about half a year ago: the down payment and the first instalment
    # came in on time, the second fell due a few weeks ago and is awaited (the project's due
    # date), the last is months ahead.
    deal_day = seeder.today - dt.timedelta(days=170)
    down_by = workdays.add_working_days(deal_day, 5, jurisdiction=project.jurisdiction)
    days = [down_by, add_months(deal_day, 2), add_months(deal_day, 5),
            add_months(deal_day, 12) - dt.timedelta(days=1)]  # fmt: skip
    DisposalProject.objects.filter(pk=project.pk).update(state_since=deal_day, due_on=days[2])
    before = {"state_since": str(project.state_since), "due_on": str(project.due_on)}
    project.refresh_from_db()
    # Audited like any write, so that `panhuo audit reconcile` finds the demo consistent.
    audit_record(
        actor=None,
        action="project.backdate",
        obj=project,
        before=before,
        after={"state_since": str(deal_day), "due_on": str(days[2]), "why": "demo history"},
        jurisdiction_path=project.jurisdiction.path,
    )
    amounts = _split(project)
    rows = [{"due_date": d, "amount": a} for d, a in zip(days, amounts, strict=True)]
    instalment_plan_set(
        actor=fin, project=project, rows=rows, interest_rate="4.350",
        security_kind="guarantee", security_reference="BG-DEMO-2026-017",
    )  # fmt: skip
    # Received: the down payment and the first instalment (what came before counts).
    for row in rows[:2]:
        short = sum(amounts[: rows.index(row) + 1]) - received_total(project)
        if short <= 0:
            continue
        seed_money.receive(seeder, project, short, row["due_date"], "HX-FQ")
