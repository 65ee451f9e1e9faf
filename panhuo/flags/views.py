"""Pages of red flags: the list (filters, sort, export), one flag with its evidence, the records
behind it and its history, the auditor's resolution, and the thresholds of a place. Thin:
selectors read, services write."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST, require_safe

from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import fetch_allowed, fetch_or_404, form_post, section_required
from panhuo.flags.forms import FlagFilterForm, ResolveForm, ThresholdsForm
from panhuo.flags.models import FlagStatus, FlagThreshold
from panhuo.flags.registry import RULES, ancestors, params_for
from panhuo.flags.selectors import FLAG_ORDERINGS, flag_list, get_flag_for
from panhuo.flags.services import flag_resolve, thresholds_set
from panhuo.organisation import policy


class FlagList(ObjectList):
    target, resource, filter_form = "flags", "flag", FlagFilterForm
    rows, orderings = flag_list, FLAG_ORDERINGS  # searches q itself
    columns = [
        Column("severity", _l("Severity"), "get_severity_display"),
        Column("rule", _l("Flag"), "title"),
        Column("rule_code", _l("Rule code"), "rule", show=False),
        Column("subject", _l("Record"), "record_label"),
        Column("explanation", _l("Evidence"), "explanation", show=False),
        Column("jurisdiction", _l("Jurisdiction"), "jurisdiction.name"),
        Column("unit", _l("Holding unit"), "unit.name"),
        Column("status", _l("Status"), "get_status_display"),
        Column("first_seen", _l("First seen"), lambda f: f.first_seen.date()),
        Column("last_seen", _l("Last seen"), lambda f: f.last_seen.date(), show=False),
    ]


flag_list_view = require_safe(FlagList.as_view())


def _detail(request, flag, form=None, status=200):
    can_resolve = flag.status == FlagStatus.OPEN and policy.allowed(
        request.user, "flag", "resolve", jurisdiction=flag.jurisdiction
    )
    if can_resolve and form is None:
        form = ResolveForm()
    rule = flag.rule_def
    return render(
        request,
        "flags/flag_detail.html",
        {
            "flag": flag,
            "rule": rule,
            "params": [(p, flag.thresholds.get(p.name)) for p in (rule.params if rule else ())],
            "form": form if can_resolve else None,
        },
        status=status,
    )


@require_safe
@section_required("flag")
def flag_detail(request, pk):
    return _detail(request, fetch_or_404(get_flag_for, request.user, pk))


@require_POST
@section_required("flag", "resolve")
def flag_resolve_view(request, pk):
    flag = fetch_allowed(get_flag_for, request.user, pk, "flag", "resolve",
                         _("Your roles do not allow resolving flags in this place."))  # fmt: skip
    form = ResolveForm(request.POST)
    return form_post(
        request, form,
        lambda d: flag_resolve(actor=request.user, flag=flag, resolution=d["resolution"],
                               comment=d["comment"]),
        lambda f: _("Flag resolved: %(resolution)s.") % {"resolution": f.get_resolution_display()},
        to=lambda f: f, page=lambda form: _detail(request, flag, form=form, status=400),
    )  # fmt: skip


def _rows_for(jurisdiction) -> list[dict]:
    """Each rule's parameters in force in ``jurisdiction``, and where each value comes from."""
    own = {t.rule: t for t in FlagThreshold.objects.filter(jurisdiction=jurisdiction)}
    above = FlagThreshold.objects.filter(jurisdiction__path__in=ancestors(jurisdiction))
    set_here = {t.rule for t in above}
    return [
        {"rule": r, "values": params_for(r, jurisdiction), "own": own.get(code),
         "inherited": code in set_here and code not in own}
        for code, r in RULES.items() if r.params
    ]  # fmt: skip


def _thresholds_page(request, form=None, status=200):
    places = policy.jurisdictions_for(request.user, "flag", "view").order_by("path")
    chosen = request.GET.get("jurisdiction") or (form.data.get("jurisdiction") if form else "")
    place = places.filter(pk=chosen).first() if str(chosen).isdigit() else places.first()
    can_set = place is not None and policy.allowed(
        request.user, "flag_thresholds", "set", jurisdiction=place
    )
    return render(
        request,
        "flags/flag_thresholds.html",
        {"places": places, "place": place, "rows": _rows_for(place) if place else [],
         "can_set": can_set, "form": form},
        status=status,
    )  # fmt: skip


def flag_thresholds_view(request):
    """GET: the thresholds in force in a place; POST (head, office): set one rule's."""
    if request.method == "GET" or request.method == "HEAD":
        return _thresholds_page(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    if not policy.can_any(request.user, "flag_thresholds", "set"):
        raise PermissionDenied(_("Your roles do not allow setting thresholds."))
    form = ThresholdsForm(request.POST, user=request.user)
    return form_post(
        request, form,
        lambda d: thresholds_set(actor=request.user, jurisdiction=d["jurisdiction"],
                                 rule=d["rule"], values=d["values"]),
        lambda t: _("Thresholds of %(rule)s in %(j)s saved.") % {"rule": t.rule,
                                                                  "j": t.jurisdiction},
        to=lambda t: f"{request.path}?jurisdiction={t.jurisdiction_id}",
        page=lambda form: _thresholds_page(request, form=form, status=400),
        denied=("jurisdiction", _("Your roles do not allow setting thresholds in this place.")),
    )  # fmt: skip


flag_thresholds_view = section_required("flag")(flag_thresholds_view)
