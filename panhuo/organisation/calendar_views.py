"""The working-day calendar page: a year's days set over the national calendar library, the
loaded notices, whether the year's deadlines are final, and (for the head and the office) the
forms that load a notice, set a day and take either back (core/calendars.py)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from panhuo.core import calendars
from panhuo.core.ui import button_write, form_write, section_required
from panhuo.organisation import policy
from panhuo.organisation.calendar_forms import CalendarDayForm, CalendarNoticeForm
from panhuo.organisation.models import Jurisdiction


def _year(request) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    try:
        year = int(raw) if raw else timezone.localdate().year
    except ValueError:
        raise Http404(_("No such year.")) from None
    if not 1900 <= year <= 2100:
        raise Http404(_("No such year."))
    return year


def _managed(user):
    """The jurisdictions whose days ``user`` may set (none: the forms are not shown)."""
    return policy.jurisdictions_for(user, "calendar", "manage").order_by("path")


def _page(request, year: int, *, notice_form=None, day_form=None, status=200):
    user = request.user
    managed = _managed(user)
    may_manage = managed.exists()
    national = may_manage and all(
        policy.allowed(user, "calendar", "manage", jurisdiction=j)
        for j in Jurisdiction.objects.filter(parent__isnull=True)
    )
    if may_manage:
        notice_form = notice_form or CalendarNoticeForm(
            initial={"year": year}, jurisdictions=managed, national=national
        )
        day_form = day_form or CalendarDayForm(jurisdictions=managed, national=national)
    context = {
        "section": "calendar",
        "year": year,
        "years": range(year - 1, year + 3),
        "status": calendars.year_status(year),
        "next_status": calendars.year_status(year + 1),
        "days": calendars.calendar_days(user, year=year),
        "notices": calendars.calendar_notices(user, year=year),
        "may_manage": may_manage,
        "notice_form": notice_form,
        "day_form": day_form,
    }
    return render(request, "organisation/calendar.html", context, status=status)


def _back(year: int):
    return redirect(reverse("calendar") + f"?year={year}")


@section_required("calendar")
def calendar_view(request):
    """The year's calendar (GET); POST loads a notice (``load``) or sets a day (``set_day``)."""
    year = _year(request)
    if request.method != "POST":
        return _page(request, year)
    user = request.user
    managed = _managed(user)
    if not managed.exists():
        raise policy.NotPermitted(policy.refusal("calendar", "manage"))
    if "set_day" in request.POST:
        form = CalendarDayForm(request.POST, jurisdictions=managed, national=True)
        if form.is_valid():
            d = form.cleaned_data
            day = form_write(
                request,
                form,
                lambda: calendars.calendar_day_set(
                    actor=user, date=d["date"], working=d["working"] == "1", note=d["note"],
                    jurisdiction=d["jurisdiction"],
                ),
                lambda day: _("%(day)s set.") % {"day": day},
                denied=("jurisdiction", policy.refusal("calendar", "manage")),
            )  # fmt: skip
            if day is not None:
                return _back(day.date.year)
        return _page(request, year, day_form=form, status=400)
    form = CalendarNoticeForm(request.POST, request.FILES, jurisdictions=managed, national=True)
    if form.is_valid():
        d = form.cleaned_data
        notice = form_write(
            request,
            form,
            lambda: calendars.calendar_notice_load(
                actor=user, year=d["year"], source=d["source"], text=form.text(),
                jurisdiction=d["jurisdiction"], replace=d["replace"],
            ),
            lambda n: _("The notice for %(year)d is loaded: %(count)d days.")
            % {"year": n.year, "count": n.days.count()},
            denied=("jurisdiction", policy.refusal("calendar", "manage")),
        )  # fmt: skip
        if notice is not None:
            return _back(notice.year)
    return _page(request, year, notice_form=form, status=400)


@require_POST
@section_required("calendar", "manage")
def calendar_day_delete_view(request, pk: int):
    day = calendars.calendar_days(request.user).filter(pk=pk).first()
    if day is None:
        raise Http404(_("No such record, or it is not visible to you."))
    button_write(
        request,
        lambda: calendars.calendar_day_delete(actor=request.user, day=day),
        _("%(day)s removed: the date follows the notice or the national calendar again.")
        % {"day": day.date.isoformat()},
    )
    return _back(day.date.year)


@require_POST
@section_required("calendar", "manage")
def calendar_notice_delete_view(request, pk: int):
    notice = calendars.calendar_notices(request.user).filter(pk=pk).first()
    if notice is None:
        raise Http404(_("No such record, or it is not visible to you."))
    year = notice.year
    button_write(
        request,
        lambda: calendars.calendar_notice_delete(actor=request.user, notice=notice),
        _("The notice for %(year)d and its days are taken back.") % {"year": year},
    )
    return _back(year)
