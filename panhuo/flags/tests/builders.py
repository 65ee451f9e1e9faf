"""Records for the rules to judge, made directly (no services, no audit entries): fixtures for
the flags' tests, which test the rules, not the writes of the apps below."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from panhuo.core.testing import AssetFactory, World, appraise
from panhuo.disposal.channel_models import ListingRound
from panhuo.disposal.models import DisposalProject, Package, PackageItem

_seq = itertools.count(1)


def sale(
    w: World,
    *,
    appraised: Decimal = Decimal("1000000.00"),
    deal: Decimal | None = Decimal("1000000.00"),
    status: str = "concluded",
    channel: str = "auction",
    jurisdiction=None,
    unit=None,
    rounds: list[dict] | None = None,
) -> DisposalProject:
    """A project of one asset appraised at ``appraised`` 200 days ago, dealt at ``deal``
    (``status`` concluded) with the listing rounds given (each a dict of round fields)."""
    n = next(_seq)
    unit = unit or w.unit
    asset = AssetFactory(unit=unit, appraisal=False)
    appraise(asset, appraised, timezone.localdate() - dt.timedelta(days=200))
    package = Package.objects.create(
        code=f"FLAGPKG{n:04d}", name=f"Flag test lot {n}", channel=channel,
        jurisdiction=jurisdiction or unit.jurisdiction, created_by=w.user("office"),
    )  # fmt: skip
    PackageItem.objects.create(package=package, asset=asset, live=status != "concluded")
    project = DisposalProject.objects.create(
        code=f"FLAGPRJ{n:04d}", package=package, channel=channel,
        reserve_price=appraised, deal_price=deal, buyer="Buyer Ltd" if deal else "",
        status=status, created_by=w.user("office"),
    )  # fmt: skip
    for i, fields in enumerate(rounds or [], start=1):
        values = {
            "number": i, "listed_on": timezone.localdate() - dt.timedelta(days=100 - 30 * i),
            "reserve": appraised, "result": "no_sale", "recorded_by": w.user("office"),
        }  # fmt: skip
        values.update(fields)
        ListingRound.objects.create(project=project, **values)
    return project


def closed_lot(w: World, bids: list[Decimal], *, registered: int | None = None):
    """A closed English lot on a sold round, with one registered bidder per bid (each bid the
    bidder's best) plus ``registered`` in all; the highest bid leads."""
    from panhuo.auctions.models import Bid, Lot, LotRegistration
    from panhuo.bidders.tests.factories import make_bidder
    from panhuo.core.testing import make_user

    n = next(_seq)
    top = max(bids) if bids else Decimal("1000000.00")
    project = sale(w, deal=top, rounds=[{"result": "sold", "deal_price": top, "bidders": 1,
                                         "buyer": "Buyer Ltd"}])  # fmt: skip
    now = timezone.now()
    lot = Lot.objects.create(
        round=project.rounds.get(), start_price=Decimal("100000.00"), increment=Decimal("1000.00"),
        reserve=Decimal("100000.00"), start_at=now - dt.timedelta(days=2),
        planned_end_at=now - dt.timedelta(days=1), end_at=now - dt.timedelta(days=1),
        closed_at=now - dt.timedelta(days=1), status="closed", created_by=w.user("office"),
        bidders=len(bids),
    )  # fmt: skip
    regs = []
    for i in range(max(registered or 0, len(bids))):
        user = make_user(f"flagbidder{n}_{i}", "bidder", w.district)
        bidder = make_bidder(user, w.district, status="verified", office=w.user("office"))
        regs.append(LotRegistration.objects.create(lot=lot, bidder=bidder))
    for i, (reg, amount) in enumerate(zip(regs, bids, strict=False), start=1):
        Bid.objects.create(lot=lot, registration=reg, seq=i, amount=amount, maximum=amount,
                           placed_at=now - dt.timedelta(days=1, minutes=10 - i),
                           end_at=lot.end_at)  # fmt: skip
    if bids:
        leader = regs[max(range(len(bids)), key=lambda i: (bids[i], -i))]
        Lot.objects.filter(pk=lot.pk).update(leader=leader, price=top)
    lot.refresh_from_db()
    return lot, regs
