"""Records for the people, splitting and value rules' tests, made directly (the rules read;
the services that write these records have their own tests)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal as D

from django.utils import timezone

from panhuo.auctions.models import Lot, LotRegistration
from panhuo.bidders.models import Bidder, DeclaredRelation
from panhuo.core.testing import AssetFactory, World, make_user
from panhuo.disposal.models import DisposalProject, ListingRound, Package, PackageItem
from panhuo.finance.models import Allocation, Debt, Receipt

_n = itertools.count(1)


def asset(w: World, unit=None, **kw):
    """An asset of ``unit`` (the world's first unit), without scope decision or appraisal."""
    return AssetFactory(unit=unit or w.unit, scope=False, appraisal=False, **kw)


def project(
    w: World,
    assets,
    *,
    status="concluded",
    deal=D("1000000.00"),
    buyer=None,
    reserve=None,
    channel="auction",
    jurisdiction=None,
):
    """A package of ``assets`` and its project in ``status`` (a deal at ``deal`` when past it)."""
    n = next(_n)
    dealt = status not in ("draft", "submitted", "approved", "listed", "withdrawn")
    pkg = Package.objects.create(
        code=f"FK{n:05d}",
        name=f"Lot {n}",
        jurisdiction=jurisdiction or w.district,
        channel=channel,
        status="disposed" if dealt else "open",
        created_by=w.user("office"),
    )
    for a in assets:
        PackageItem.objects.create(package=pkg, asset=a, live=not dealt)
    return DisposalProject.objects.create(
        code=f"FP{n:05d}",
        package=pkg,
        channel=channel,
        reserve_price=reserve or deal,
        deal_price=deal if dealt else None,
        status=status,
        created_by=w.user("office"),
        buyer=(buyer.name if buyer else "Buyer Ltd") if dealt else "",
        buyer_party=buyer,
    )


def debt(w: World, rate, principal=D("50000000.00")):
    return Debt.objects.create(
        code=f"FD{next(_n):05d}",
        jurisdiction=w.district,
        creditor="Bank",
        debt_type="bank_loan",
        principal=principal,
        outstanding=principal,
        rate=D(rate),
        rate_type="fixed",
        issue_date=dt.date(2022, 1, 1),
        maturity_date=dt.date(2030, 1, 1),
    )


def repay(w: World, p, d, amount, *, reversed_=False):
    """A receipt of ``p`` of ``amount`` allocated to ``d`` (and reversed with ``reversed_``)."""
    r = Receipt.objects.create(
        project=p,
        amount=amount,
        received_on=dt.date(2026, 3, 1),
        voucher=f"V{next(_n)}",
        budget_class="non_tax",
        recorded_by=w.user("finance"),
    )
    a = Allocation.objects.create(
        receipt=r,
        debt=d,
        amount=amount,
        allocated_on=dt.date(2026, 3, 2),
        allocated_by=w.user("finance"),
    )
    if reversed_:
        Allocation.objects.create(
            receipt=r,
            debt=d,
            amount=amount,
            reverses=a,
            allocated_on=dt.date(2026, 3, 3),
            allocated_by=w.user("finance"),
        )
    return r


def bidder(w: World, *, phone=None, address=None, account=""):
    n = next(_n)
    return Bidder.objects.create(
        user=make_user(f"fb_{n}", None, w.district),
        kind="person",
        name=f"Bidder {n}",
        id_number=f"110105194912{n:05d}"[:17] + "X",
        phone=phone or f"1390000{n:04d}",
        address=address or f"{n} Road",
        bank_account=account,
        jurisdiction=w.district,
        status="verified",
    )


def relate(b: Bidder, unit, kind="relative"):
    return DeclaredRelation.objects.create(
        bidder=b, kind=kind, who="Zhang San, deputy director", unit=unit
    )


def register(p, *bidders):
    """``bidders`` registered for a lot of ``p``'s first round."""
    rnd = ListingRound.objects.create(
        project=p,
        number=1,
        listed_on=dt.date(2026, 1, 5),
        recorded_by=p.created_by,
        reserve=p.reserve_price,
    )
    now = timezone.now()
    lot = Lot.objects.create(
        round=rnd,
        start_price=p.reserve_price,
        increment=D("1000.00"),
        reserve=p.reserve_price,
        start_at=now,
        planned_end_at=now + dt.timedelta(hours=1),
        end_at=now + dt.timedelta(hours=1),
        created_by=p.created_by,
    )
    for b in bidders:
        LotRegistration.objects.create(lot=lot, bidder=b)
    return lot
