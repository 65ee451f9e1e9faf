"""Districts side by side over years (issue 15: "the city and province view shows each
district's ratio and tier side by side and its own when its figures exist; a supervisor can
compare districts over years").

Each cell is ``indicators_for`` of that place as of the end of that year (today for the
current year), so a place's figures there are exactly those of its own risk page on that date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.finance.debts.indicators import Indicators, indicators_for
from panhuo.organisation import policy

#: At most this many years in one comparison (each cell is one set of indicators).
MAX_YEARS = 10


@dataclass
class ComparedPlace:
    jurisdiction: object
    own: bool  # the place asked about (its own figures), not one below it
    cells: list[Indicators] = field(default_factory=list)


def year_end(year: int) -> dt.date:
    """The date a year's cell is taken on: 31 December, or today for the year under way."""
    today = timezone.localdate()
    return min(dt.date(year, 12, 31), today)


def compare(user, jurisdiction, first_year: int, last_year: int) -> list[ComparedPlace]:
    """``jurisdiction`` and each place directly below it that the user may see, with their
    indicators at the end of each year from ``first_year`` to ``last_year``."""
    for name, year in (("from_year", first_year), ("to_year", last_year)):
        if not 1990 <= year <= 2100:
            raise ValidationError({name: [_("A year from 1990 to 2100.")]})
    if last_year < first_year:
        raise ValidationError({"to_year": [_("Must not be before the first year.")]})
    if last_year - first_year + 1 > MAX_YEARS:
        raise ValidationError({"to_year": [_("At most %(n)s years at once.") % {"n": MAX_YEARS}]})
    visible = policy.jurisdictions_for(user, "debt", "view")
    below = visible.filter(parent=jurisdiction).order_by("code")
    places = [ComparedPlace(jurisdiction, True)] + [ComparedPlace(j, False) for j in below]
    years = range(first_year, last_year + 1)
    for place in places:
        place.cells = [indicators_for(user, place.jurisdiction, year_end(y)) for y in years]
    return places
