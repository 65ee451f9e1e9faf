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
