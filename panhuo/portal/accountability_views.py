"""The public accountability pages: the districts, and one district's figures as of a date
(``?as_of=``, today by default; a date that is no date or lies ahead is refused with a message
and today's figures are shown). Public: no sign-in, plain portal pages, both languages."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.flags.models import Resolution
from panhuo.portal.accountability import accountability, districts
from panhuo.portal.views import public


def _as_of(raw: str) -> tuple[dt.date, str]:
    """The as-of date asked for, or today with the reason the one asked for was refused."""
    today = timezone.localdate()
    if not raw:
        return today, ""
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        return today, _("“%(value)s” is not a date (YYYY-MM-DD); the figures are as of today.") % {
            "value": raw[:20]
        }
    if day > today:
        return today, _("%(value)s is in the future; the figures are as of today.") % {
            "value": day.isoformat()
        }
    return day, ""


@public
def accountability_index(request):
    """The districts whose accountability page there is."""
    return render(request, "portal/accountability_index.html", {"places": districts()})


@public
def accountability_page(request, code: str):
    """One district's figures: money raised from idle and income-producing assets, the debts
    it repaid, the red flags raised and how they were resolved."""
    place = districts().filter(code=code).first()
    if place is None:
        raise Http404(_("No such district."))
    as_of, refusal = _as_of(request.GET.get("as_of", ""))
    return render(
        request,
        "portal/accountability.html",
        {"a": accountability(place, as_of), "refusal": refusal, "resolutions": Resolution.choices},
    )
