"""The land-use-rights gates of issue 12 (MLR Order 39), one named function each, pure like
``pricing.gates``:

- ``require_land_announcement`` and ``require_land_listing`` — the announcement at least 20
  days before the listing, the listing open at least 10 days (calendar days), at the listing
  steps and the deal (``disposal.listing_gates``; ``rules.disclosure_due`` counts them too);
- ``require_land_proceeds_to_fund`` — ``finance.services.receipt_create``.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panhuo.core.gates import GateRefused, rule
from panhuo.pricing import law
from panhuo.pricing.rules import Thresholds

LAND_ANNOUNCEMENT_SHORT = rule(
    "land_announcement_short",
    gettext_lazy("Land-use rights: announcement at least 20 days before the listing starts"),
    law.ORDER39_11,
    owner="pricing",
)
LAND_LISTING_SHORT = rule(
    "land_listing_short",
    gettext_lazy("Land-use rights: listing open at least 10 days"),
    law.ORDER39_19,
    owner="pricing",
)
LAND_PROCEEDS_NOT_FUND = rule(
    "land_proceeds_not_fund",
    gettext_lazy("Land-use-right sale proceeds go to the government-fund budget"),
    gettext_lazy(
        "MLR Order 39; Caizong [2006] No. 68: land-transfer revenue in the government-fund budget"
    ),
    owner="finance",
)


def require_land_announcement(
    *, announced_on: dt.date | None, listing_start: dt.date, t: Thresholds
) -> None:
    """Land-use rights: the announcement published at least ``land_announce_days`` (20)
    calendar days before the listing starts (MLR Order 39 art. 11); a listing with no
    announcement date recorded is refused too."""
    earliest_start = (
        announced_on + dt.timedelta(days=t.land_announce_days) if announced_on else None
    )
    if announced_on is None:
        raise GateRefused(
            LAND_ANNOUNCEMENT_SHORT,
            field="announced_on",
            message=_("No announcement date is recorded for this land-use-right listing."),
            unblock=_(
                "Give the day the announcement was published (announced_on), on or before "
                "%(day)s: at least %(need)s days before the listing starts."
            ),
            params={
                "need": t.land_announce_days,
                "day": listing_start - dt.timedelta(days=t.land_announce_days),
            },
        )
    ahead = (listing_start - announced_on).days
    if ahead < t.land_announce_days:
        raise GateRefused(
            LAND_ANNOUNCEMENT_SHORT,
            field="listed_on",
            message=_(
                "The listing starts %(ahead)s days after the announcement; at least %(need)s."
            ),
            unblock=_("Start the listing on or after %(day)s."),
            params={"ahead": ahead, "need": t.land_announce_days, "day": earliest_start},
        )


def require_land_listing(*, listing_start: dt.date, listing_end: dt.date, t: Thresholds) -> None:
    """Land-use rights: the listing open at least ``land_listing_days`` (10) calendar days
    before it ends in a deal (MLR Order 39 art. 19)."""
    open_days = (listing_end - listing_start).days
    if open_days < t.land_listing_days:
        raise GateRefused(
            LAND_LISTING_SHORT,
            field="listing_end",
            message=_("The listing was open %(days)s days; at least %(need)s."),
            unblock=_("Keep the listing open until %(day)s."),
            params={
                "days": open_days,
                "need": t.land_listing_days,
                "day": listing_start + dt.timedelta(days=t.land_listing_days),
            },
        )


def require_land_proceeds_to_fund(*, land_sale: bool, budget_class: str) -> None:
    """The price of a land-use right sold is government-fund revenue (政府性基金预算), never
    recorded as ordinary non-tax revenue."""
    if not land_sale or budget_class == "government_fund":
        return
    raise GateRefused(
        LAND_PROCEEDS_NOT_FUND,
        field="budget_class",
        message=_("The price of a land-use right sold is government-fund revenue, not %(got)s."),
        unblock=_("Record it under the government-fund budget class."),
        params={"got": budget_class},
    )
