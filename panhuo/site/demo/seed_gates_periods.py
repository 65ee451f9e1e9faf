"""Demo: two sales held back by the period gates (``disposal.periods``), so the project page
shows each step disabled with its rule, its article and what unblocks it.

- a lot listed today: "Record the deal" waits until the disclosure has run its 20 working days
  (Order 32 art. 13);
- a lot whose deal and payment are in: "Close" waits until the result notice published today
  has been up 5 working days (art. 29).

Unlike the rest of the demo these are dated from the machine's today (a period is running
*now*), and they draw nothing from the seeder's random generator, so the rest of the demo stays
the same. Called last by the seeder.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_UP, Decimal

from django.utils import timezone

from panhuo.disposal import services as disposal
from panhuo.disposal.candidates import confirmed_candidates
from panhuo.finance import services as finance
from panhuo.pricing.selectors import package_appraisal
from panhuo.register.models import Asset, AssetStatus
from panhuo.site.demo import catalogue as c
from panhuo.site.demo.seed_money import budget_class_of

LATE = "Recorded from the exchange's confirmation after the fact."


def _free_asset(seeder, district) -> Asset | None:
    """The first (by code) of the confirmed scope's idle candidates that is unencumbered and
    secures no debt, so that only the period gates hold its sale back (no random draw)."""
    return (
        confirmed_candidates(seeder.users["office"], jurisdiction=district)
        .filter(status=AssetStatus.IDLE)
        .filter(encumbrances__isnull=True, debt_securities__isnull=True)
        .filter(valuations__kind="appraisal")
        .distinct()
        .order_by("code")
        .first()
    )


def _approved(seeder, name: str):
    district = seeder.places[c.DISTRICT[0]]
    office = seeder.users["office"]
    asset = _free_asset(seeder, district)
    if asset is None:  # a demo size too small for these two: nothing to show
        return None
    package = disposal.package_create(
        actor=office, jurisdiction=district, name=name, channel="auction", asset_ids=[asset.pk]
    )
    appraised = package_appraisal(package).total or Decimal("1.00")
    reserve = appraised.quantize(Decimal("1000"), rounding=ROUND_UP)
    project = disposal.project_create(actor=office, package=package, reserve_price=reserve)
    project = seeder.move(project, "submit", office)
    return seeder.move(project, "approve", seeder.users["head"], comment="Task-force meeting.")


def seed(seeder) -> None:
    office, fin = seeder.users["office"], seeder.users["finance"]
    today = timezone.localdate()
    listed = _approved(seeder, "Gate demo: disclosure still running")
    if listed is not None:
        seeder.move(listed, "list", office, platform="清河市公共资源交易中心",
                    comment="Listed today: the deal waits for the disclosure to end.")  # fmt: skip
    paid = _approved(seeder, "Gate demo: result notice still up")
    if paid is None:
        return
    paid = seeder.move(paid, "list", office, listed_on=today - dt.timedelta(days=60),
                       platform="清河市公共资源交易中心", comment=LATE)  # fmt: skip
    deal = paid.reserve_price
    paid = seeder.move(paid, "conclude", office, deal_price=deal, buyer=c.BUYERS[0], bidders=3,
                       concluded_on=today - dt.timedelta(days=1), comment=LATE)  # fmt: skip
    paid = seeder.move(paid, "publish_result", office, comment="Result notice published today.")
    # The buyer's deposit, paid when it registered, was applied to the price in full (the
    # demo's money is dated at or before its seed's day).
    on = min(seeder.today, today)
    finance.receipt_create(actor=fin, project=paid, amount=deal, received_on=on,
                           voucher="HX-FZ-GATE-00001",
                           budget_class=budget_class_of(paid))  # fmt: skip
    seeder.move(paid, "confirm_payment", fin)
