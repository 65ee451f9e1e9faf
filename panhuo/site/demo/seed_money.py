"""The demo's money: receipts for concluded sales (in full, by instalments or a down payment)
and their allocation to the debts falling due first, never more than either has — except every
third receipt, which repays running debts ahead of their maturity, the dearest first (an early
repayment, as a debt office makes when proceeds come in before anything falls due: it saves the
interest still to run, which the value-destroying sales and the accountability page show)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from panhuo.core.money import CENT
from panhuo.disposal.models import DisposalProject
from panhuo.finance import services as finance
from panhuo.finance.models import BudgetClass, Debt, Receipt
from panhuo.register.models import AssetKind
from panhuo.site.demo.seed_assets import money

#: Every this many receipts, one repays running debts ahead of maturity.
EARLY_EVERY = 3


def not_after_today(day: dt.date) -> dt.date:
    # The data lives on or before the seed's day; a receipt may not be dated in the future.
    return min(day, timezone.localdate())


def budget_class_of(project: DisposalProject) -> str:
    """Where a sale's proceeds go: land-use rights and natural resources to the
    government-fund budget (gate ``land_proceeds_not_fund``), the rest to non-tax revenue."""
    kind = project.package.items.first().asset.kind
    if kind in {AssetKind.LAND, AssetKind.NATURAL_RESOURCE}:
        return BudgetClass.GOVERNMENT_FUND
    return BudgetClass.NON_TAX


def collect(seeder, project: DisposalProject, *, full: bool) -> None:
    """Receipts for a concluded project (in full if it is to be closed), then allocations."""
    deal = int(project.deal_price)
    budget = budget_class_of(project)
    if full:
        parts = seeder.rng.choice([1, 1, 2, 3])
        down = deal * seeder.rng.randint(30, 60) // 100 if parts > 1 else deal
        amounts = [down]
        rest = deal - down
        for k in range(parts - 1, 0, -1):
            piece = rest if k == 1 else rest // k
            amounts.append(piece)
            rest -= piece
    elif seeder.rng.random() < 0.75:
        # A down payment of at least 30 %; the rest is due within the year.
        amounts = [deal * seeder.rng.randint(30, 50) // 100]
    else:
        amounts = []
    day = seeder.today - dt.timedelta(days=seeder.rng.randint(40, 330))
    sold = project.rounds.filter(result="sold").order_by("-number").first()
    if sold is not None and sold.ended_on is not None:
        # Paid from the day of the deal on (the buyer's first payment within days of it).
        day = min(seeder.today, sold.ended_on + dt.timedelta(days=seeder.rng.randint(0, 3)))
    for amount in amounts:
        seeder.voucher_seq += 1
        receipt = finance.receipt_create(
            actor=seeder.users["finance"],
            project=project,
            amount=money(amount),
            received_on=not_after_today(day),
            voucher=f"HX-FZ-{day.year}-{seeder.voucher_seq:05d}",
            budget_class=budget,
        )
        allocate(seeder, receipt, day)
        day = min(seeder.today, day + dt.timedelta(days=seeder.rng.randint(10, 45)))


def allocate(seeder, receipt: Receipt, day: dt.date) -> None:
    """Apply most of a receipt to the debts falling due first; never more than either has."""
    if seeder.rng.random() < 0.15:
        return  # some proceeds wait in the treasury, unallocated
    left = (receipt.amount * Decimal(seeder.rng.randint(60, 100)) / 100).quantize(CENT)
    on = min(seeder.today, day + dt.timedelta(days=seeder.rng.randint(0, 20)))
    on = not_after_today(on)
    # What the debts owe now, from the ledger: other seeds (repayments, settlements, the
    # auctions seeded last) change it too, so a running tally would go stale.
    seeder.outstanding.update(
        Debt.objects.filter(pk__in=[d.pk for d in seeder.debts]).values_list("pk", "outstanding")
    )
    open_debts = sorted(
        (d for d in seeder.debts if seeder.outstanding[d.pk] > 0),
        key=lambda d: (d.maturity_date, d.code),
    )
    running = [d for d in open_debts if d.issue_date <= on < d.maturity_date and d.rate > 0]
    if running and seeder.voucher_seq % EARLY_EVERY == 0:
        # Repaid early: the dearest running debts first (no draw of the seed's random numbers
        # more or less, so the rest of the demo stays as it was seeded).
        open_debts = sorted(running, key=lambda d: (-d.rate, d.maturity_date, d.code))
    for debt in open_debts[: seeder.rng.randint(1, 3)]:
        if left <= 0:
            break
        amount = min(left, seeder.outstanding[debt.pk])
        finance.allocation_create(
            actor=seeder.users["finance"],
            receipt=receipt,
            debt=debt,
            amount=amount,
            allocated_on=on,
        )
        seeder.outstanding[debt.pk] -= amount
        left -= amount


def receive(seeder, project: DisposalProject, amount, day: dt.date, prefix: str) -> Receipt:
    """Finance records ``amount`` of ``project``'s price received on ``day`` (voucher
    ``prefix-YEAR-nnnnn``) and allocates it."""
    seeder.voucher_seq += 1
    receipt = finance.receipt_create(
        actor=seeder.users["finance"], project=project, amount=amount, received_on=day,
        voucher=f"{prefix}-{day.year}-{seeder.voucher_seq:05d}",
        budget_class=budget_class_of(project),
    )  # fmt: skip
    allocate(seeder, receipt, day)
    return receipt
