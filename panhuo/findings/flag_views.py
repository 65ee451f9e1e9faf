"""The auditor's queue of open red flags (by severity, holding unit and age; filters, search,
sort, pages, CSV/XLSX), a flag with its evidence, and its resolution, written by the flags
app's own service (``flags.services.flag_resolve``): this app never writes the flags' table."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from panhuo.core.forms import PlaceFilterForm, choice_filter, search_field
from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import fetch_or_404, form_post, section_required
from panhuo.findings import records
from panhuo.findings.selectors import finding_list
from panhuo.flags.models import Resolution, Severity
from panhuo.flags.registry import RULES
from panhuo.flags.selectors import FLAG_ORDERINGS, get_flag_for, open_flags
from panhuo.flags.services import MAX_COMMENT, flag_resolve
from panhuo.organisation import policy

AGES = [
    ("7", gettext_lazy("a week")),
    ("30", gettext_lazy("a month")),
    ("90", gettext_lazy("three months")),
]


def _rule_choices():
    return sorted(((code, str(r.label)) for code, r in RULES.items()), key=lambda c: c[1])


class FlagQueueFilterForm(PlaceFilterForm):
    places_of = "flag"
    q = search_field(gettext_lazy("Record or rule"))
    severity = choice_filter(
        gettext_lazy("Severity"), Severity.choices, gettext_lazy("All severities")
    )
    rule = forms.ChoiceField(label=gettext_lazy("Rule"), required=False)
    older_than_days = forms.TypedChoiceField(
        label=gettext_lazy("Waiting for more than"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", gettext_lazy("Any time")), *AGES],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["rule"].choices = [("", _("All rules")), *_rule_choices()]

    def filters(self) -> dict:
        """The flags' selector takes the place as its id."""
        data = super().filters()
        if data.get("jurisdiction") is not None:
            data["jurisdiction"] = data["jurisdiction"].pk
        return data


def _age(flag) -> int:
    return (timezone.now() - flag.first_seen).days


class FlagQueue(ObjectList):
    target, resource, filter_form = "flag-queue", "flag", FlagQueueFilterForm
    url_name, template = "flag-queue", "findings/flag_queue.html"
    rows, orderings, default_sort = open_flags, FLAG_ORDERINGS, "-severity"
    columns = [
        Column("severity", gettext_lazy("Severity"), "get_severity_display"),
        Column("rule", gettext_lazy("Rule"), "title"),
        Column("subject", gettext_lazy("Record"), "subject_label"),
        Column("unit", gettext_lazy("Holding unit"), "unit.name"),
        Column("jurisdiction", gettext_lazy("Jurisdiction"), "jurisdiction.name"),
        Column("first_seen", gettext_lazy("First seen")),
        Column("age", gettext_lazy("Age (days)"), _age, numeric=True),
        Column("explanation", gettext_lazy("Evidence"), "explanation", show=False),
    ]

    def decorate(self, rows):
        for flag in rows:
            flag.age_days = _age(flag)


flag_queue_view = FlagQueue.as_view()


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=gettext_lazy("Resolution"), choices=Resolution.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _raise_url(flag) -> str:
    """The "raise a finding" form for the flag's record (when findings name its kind)."""
    found = records.record_of_flag(flag)
    if found is None:
        return ""
    query = urlencode({"record_kind": found[0], "record_id": found[1], "flag_id": flag.pk})
    return f"{reverse('finding-create')}?{query}"


def _flag_page(request, flag, form=None, status: int = 200):
    user = request.user
    may_resolve = policy.allowed(user, "flag", "resolve", jurisdiction=flag.jurisdiction)
    may_raise = policy.allowed(user, "finding", "raise", jurisdiction=flag.jurisdiction)
    findings = (
        finding_list(user, flag_id=flag.pk) if policy.can_any(user, "finding", "view") else []
    )
    return render(
        request,
        "findings/flag_detail.html",
        {
            "flag": flag,
            "form": form or (ResolveForm(auto_id="resolve_%s") if may_resolve else None),
            "may_resolve": may_resolve and flag.status == "open",
            "raise_url": _raise_url(flag) if may_raise else "",
            "findings": findings,
            "age_days": _age(flag),
        },
        status=status,
    )


@require_safe
@section_required("flag")
def flag_detail_view(request, pk):
    return _flag_page(request, fetch_or_404(get_flag_for, request.user, pk))


@require_POST
@section_required("flag")
def flag_resolve_view(request, pk):
    flag = fetch_or_404(get_flag_for, request.user, pk)
    return form_post(
        request,
        ResolveForm(request.POST, auto_id="resolve_%s"),
        lambda d: flag_resolve(
            actor=request.user, flag=flag, resolution=d["resolution"], comment=d["comment"]
        ),
        lambda f: (
            _("Red flag resolved: %(resolution)s.") % {"resolution": f.get_resolution_display()}
        ),
        to=lambda f: reverse("flag-queue"),
        page=lambda form: _flag_page(request, flag, form=form, status=400),
    )
