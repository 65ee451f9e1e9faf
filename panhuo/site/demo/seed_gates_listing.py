"""Demo of the listing gates (issue 12): the land-use-rights announcement the demo's land sales
record (MLR Order 39 art. 11: at least 20 days before the listing starts).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from panhuo.disposal.listing_gates import LISTING_STEPS
from panhuo.pricing.law import RuleClass
from panhuo.pricing.selectors import package_rule_classes

#: How long before its listing the demo announces a land sale (the law's minimum is 20 days).
ANNOUNCED_AHEAD = dt.timedelta(days=21)


def with_land_announcement(project, transition: str, kw: dict) -> dict:
    """``kw`` with the day a land sale was announced, for a listing step of a package holding
    land-use rights that does not give one: three weeks before the listing date."""
    if transition not in LISTING_STEPS or "announced_on" in kw:
        return kw
    if RuleClass.LAND not in package_rule_classes(project.package):
        return kw
    listed_on = kw.get("listed_on") or timezone.localdate()
    if isinstance(listed_on, str):
        listed_on = dt.date.fromisoformat(listed_on)
    return {**kw, "announced_on": listed_on - ANNOUNCED_AHEAD}
