"""Pages of the auditor's workspace: the findings list (filters, search, sort, pages,
CSV/XLSX), a finding with its record, evidence, steps and comments, raising one, and the
statistics. Views stay thin: the selectors read, the services write."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import fetch_or_404, form_post, section_required
from panhuo.findings import records
from panhuo.findings.forms import CommentForm, FindingFilterForm, FindingForm, StepForm
from panhuo.findings.models import FindingStatus, RecordKind, Severity
from panhuo.findings.selectors import (
    FINDING_ORDERINGS,
    finding_list,
    finding_statistics,
    flag_statistics,
    get_finding_for,
)
from panhuo.findings.services import (
    finding_comment,
    finding_raise,
    finding_transition,
    steps_for,
)
from panhuo.flags.models import Resolution
from panhuo.organisation import policy


def _age_days(f) -> int:
    end = f.resolved_at or timezone.now()
    return (end - f.raised_at).days


class FindingList(ObjectList):
    target, resource, filter_form = "findings", "finding", FindingFilterForm
    rows, orderings = finding_list, FINDING_ORDERINGS  # searches q itself
    columns = [
        Column("code", gettext_lazy("Code")),
        Column("title", gettext_lazy("Title")),
        Column("record_kind", gettext_lazy("Record kind"), "get_record_kind_display"),
        Column("record", gettext_lazy("Record"), "record_label"),
        Column("unit", gettext_lazy("Unit"), "unit.name"),
        Column("jurisdiction", gettext_lazy("Jurisdiction"), "jurisdiction.name", show=False),
        Column("severity", gettext_lazy("Severity"), "get_severity_display"),
        Column("status", gettext_lazy("Status"), "get_status_display"),
        Column("raised_at", gettext_lazy("Raised at")),
        Column("age", gettext_lazy("Age (days)"), _age_days, numeric=True),
        Column("raised_by", gettext_lazy("Raised by"), "raised_by.username", show=False),
        Column("description", gettext_lazy("What was found"), show=False),
    ]


finding_list_view = FindingList.as_view()


def _finding_page(request, finding, *, step_form=None, comment_form=None, status: int = 200):
    record = records.record_or_none(finding)
    return render(
        request,
        "findings/finding_detail.html",
        {
            "finding": finding,
            "record": record,
            "events": finding.events.select_related("actor"),
            "steps": steps_for(request.user, finding),
            "step_form": step_form,
            "comment_form": comment_form,
            "may_comment": _may(request.user, finding, "comment"),
        },
        status=status,
    )


def _may(user, finding, action: str) -> bool:

    return policy.allowed(user, "finding", action, jurisdiction=finding.jurisdiction)


@require_safe
@section_required("finding")
def finding_detail(request, pk):
    return _finding_page(request, fetch_or_404(get_finding_for, request.user, pk))


@section_required("finding", "raise")
def finding_create_view(request):
    initial = {
        k: request.GET.get(k) for k in ("record_kind", "record_id", "flag_id") if request.GET.get(k)
    }
    form = FindingForm(request.POST if request.method == "POST" else None, initial=initial)
    record = None
    if request.method != "POST" and initial.get("record_kind") in RecordKind.values:
        try:
            record = records.record_for(
                request.user, initial["record_kind"], initial.get("record_id")
            )
        except Exception:
            record = None
    return form_post(
        request,
        form,
        lambda data: finding_raise(actor=request.user, **data),
        lambda f: _("Finding %(code)s raised.") % {"code": f.code},
        to=lambda f: f,
        page=lambda form: render(
            request,
            "findings/finding_form.html",
            {"form": form, "record": record},
            status=400 if form.is_bound else 200,
        ),
    )


def _finding_post(request, pk, form_class, write, message, form_key: str):
    """A finding's step or comment as posted: written by ``write(actor, finding, data)``, or
    the finding's page again with the form's errors (``form_key`` names where it shows)."""
    finding = fetch_or_404(get_finding_for, request.user, pk)
    return form_post(
        request, form_class(request.POST), lambda d: write(request.user, finding, d), message,
        to=lambda _done: reverse("finding-detail", args=[finding.pk]),
        page=lambda form: _finding_page(request, finding, status=400, **{form_key: form}),
    )  # fmt: skip


@require_POST
@section_required("finding")
def finding_step_view(request, pk):
    def write(actor, finding, d):
        return finding_transition(
            actor=actor, finding=finding, step=d["step"], comment=d["comment"]
        )

    def said(f):
        return _("Finding %(code)s: %(status)s.") % {
            "code": f.code,
            "status": f.get_status_display(),
        }

    return _finding_post(request, pk, StepForm, write, said, "step_form")


@require_POST
@section_required("finding")
def finding_comment_view(request, pk):
    def write(actor, finding, d):
        return finding_comment(actor=actor, finding=finding, comment=d["comment"])

    return _finding_post(request, pk, CommentForm, write, _("Comment added."), "comment_form")


def _table(rows, field: str, names: dict | None = None) -> list[dict]:
    """Rows of a statistics table: the value's name, all, open and one count per status."""
    return [
        {
            "name": (names or {}).get(r[field], r[field]) or _("(none)"),
            "total": r["total"],
            "open": r["open"],
            "counts": [r[s.value] for s in FindingStatus],
        }
        for r in rows
    ]


@require_safe
@section_required("finding")
def finding_stats_view(request):
    form = FindingFilterForm(request.GET or None, user=request.user)
    place = form.filters().get("jurisdiction") if form.is_bound else None
    stats = finding_statistics(request.user, jurisdiction=place)
    tables = [
        (_("By holding unit"), _table(stats["by_unit"], "unit__name"), "unit"),
        (
            _("By record kind"),
            _table(stats["by_kind"], "record_kind", dict(RecordKind.choices)),
            "kind",
        ),
        (
            _("By severity"),
            _table(stats["by_severity"], "severity", dict(Severity.choices)),
            "severity",
        ),
    ]
    return render(
        request,
        "findings/finding_stats.html",
        {
            "form": form,
            "stats": stats,
            "statuses": FindingStatus.choices,
            "tables": tables,
            "flag_rows": flag_statistics(request.user, jurisdiction=place),
            "resolutions": Resolution.choices,
        },
    )
