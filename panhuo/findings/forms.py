"""Forms of the auditor's workspace: the findings list's filters, raising a finding, and a step
or comment with its text."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.core.forms import PlaceFilterForm, choice_filter, search_field
from panhuo.findings.models import FindingStatus, RecordKind, Severity
from panhuo.findings.services import TEXT_MAX, TITLE_MAX
from panhuo.findings.workflow import STEP_NAMES

#: "confirmed": resolved as rectified or referred (not justified); the scorecards' compliance
#: figure of confirmed findings links here with it.
STATES = [("open", _("Open")), ("resolved", _("Resolved")),
          ("confirmed", _("Resolved: rectified or referred"))]  # fmt: skip


def _record_ref(label, *, hidden: bool = True, **kwargs) -> forms.IntegerField:
    """A record's id: a list's hidden filter (the links from a record's page carry it), or
    the raising form's field."""
    widget = forms.HiddenInput if hidden else None
    return forms.IntegerField(label=label, min_value=1, max_value=2**63 - 1, widget=widget,
                              required=not hidden, **kwargs)  # fmt: skip


def _comment() -> forms.CharField:
    return forms.CharField(
        label=_("Comment"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class FindingFilterForm(PlaceFilterForm):
    places_of = "finding"
    q = search_field(_("Code, title or record"))
    state = choice_filter(_("Open or resolved"), STATES, _("Open and resolved"))
    status = choice_filter(_("Status"), FindingStatus.choices, _("All statuses"))
    severity = choice_filter(_("Severity"), Severity.choices, _("All severities"))
    record_kind = choice_filter(_("Record kind"), RecordKind.choices, _("All kinds"))
    record_id = _record_ref(_("Record id"))
    flag_id = _record_ref(_("Red flag"))
    # A holding unit's findings (the scorecards' compliance figures link here with it).
    unit = _record_ref(_("Holding unit"))


class FindingForm(forms.Form):
    record_kind = forms.ChoiceField(label=_("Record kind"), choices=RecordKind.choices)
    record_id = _record_ref(
        _("Record id"), hidden=False, help_text=_("The number in the address of the record's page.")
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM
    )
    description = forms.CharField(
        label=_("What was found"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )
    flag_id = _record_ref(_("Red flag"))


class CommentForm(forms.Form):
    comment = _comment()


class StepForm(CommentForm):
    step = forms.ChoiceField(choices=[(s, s) for s in STEP_NAMES], widget=forms.HiddenInput)
