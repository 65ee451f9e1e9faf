"""The working-day calendar page: a year's days set over the national calendar library, the
loaded notices, whether the year's deadlines are final, and (for the head and the office) the
forms that load a notice, set a day and take either back (core/calendars.py)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
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
        kind, write, done = "day_form", _set_day, _day_set
    else:
        form = CalendarNoticeForm(request.POST, request.FILES, jurisdictions=managed, national=True)
        kind, write, done = "notice_form", _load_notice, _notice_loaded
    if form.is_valid():
        row = form_write(
            request, form, lambda: write(user, form), done,
            denied=("jurisdiction", policy.refusal("calendar", "manage")),
        )  # fmt: skip
        if row is not None:
            return redirect(row.get_absolute_url())
    return _page(request, year, status=400, **{kind: form})


def _day_set(day) -> str:
    return _("%(day)s set.") % {"day": day}


def _notice_loaded(notice) -> str:
    return _("The notice for %(year)d is loaded: %(count)d days.") % {
        "year": notice.year,
        "count": notice.days.count(),
    }


def _set_day(user, form):
    d = form.cleaned_data
    return calendars.calendar_day_set(
        actor=user, date=d["date"], working=d["working"] == "1", note=d["note"],
        jurisdiction=d["jurisdiction"],
    )  # fmt: skip


def _load_notice(user, form):
    d = form.cleaned_data
    return calendars.calendar_notice_load(
        actor=user, year=d["year"], source=d["source"], text=form.text(),
        jurisdiction=d["jurisdiction"], replace=d["replace"],
    )  # fmt: skip


def _take_back_view(rows, delete, message: str):
    """A POST-only page that deletes the row ``pk`` of ``rows(user)`` (what the caller sees;
    else 404) with ``delete(user, row)`` and goes back to its year's calendar."""

    @require_POST
    @section_required("calendar", "manage")
    def view(request, pk: int):
        row = rows(request.user).filter(pk=pk).first()
        if row is None:
            raise Http404(_("No such record, or it is not visible to you."))
        year = row.calendar_year
        button_write(
            request, lambda: delete(request.user, row), message % {"row": row, "year": year}
        )
        return _back(year)

    return view


calendar_day_delete_view = _take_back_view(
    calendars.calendar_days,
    lambda user, day: calendars.calendar_day_delete(actor=user, day=day),
    _l("%(row)s removed: the date follows the notice or the national calendar again."),
)
calendar_notice_delete_view = _take_back_view(
    calendars.calendar_notices,
    lambda user, notice: calendars.calendar_notice_delete(actor=user, notice=notice),
    _l("The notice for %(year)d and its days are taken back."),
)
