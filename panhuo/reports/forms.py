"""The reports' forms: the list's filters, and generating one (kind, place, date and, for a
dossier, the project's code)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.core.lists import ListFilterForm
from panhuo.disposal.models import DisposalProject
from panhuo.organisation import policy
from panhuo.organisation.models import Unit
from panhuo.reports.models import ReportKind
from panhuo.scorecards.models import Period


class ReportFilterForm(ListFilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", "—"), *ReportKind.choices]
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices)
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=None)
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))
    project = forms.CharField(
        label=_("Project code"), required=False, max_length=40,
        help_text=_("For a dossier: the disposal project's code."),
    )  # fmt: skip

    unit = forms.CharField(
        label=_("Unit code"), required=False, max_length=40,
        help_text=_("For a scorecard: the unit's code."),
    )  # fmt: skip
    period = forms.ChoiceField(
        label=_("Scorecard period"), required=False, choices=[("", "—"), *Period.choices]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["jurisdiction"].queryset = policy.jurisdictions_for(user, "report", "generate")
        self.fields["as_of"].initial = timezone.localdate()

    def clean_project(self):
        code = self.cleaned_data["project"].strip()
        if not code:
            return None
        project = (
            DisposalProject.objects.visible_to(self.user)
            .select_related("package__jurisdiction")
            .filter(code=code)
            .first()
        )
        if project is None:
            raise ValidationError(_("No project “%(code)s” is visible to you.") % {"code": code})
        return project

    def clean_unit(self):
        code = self.cleaned_data["unit"].strip()
        if not code:
            return None
        unit = Unit.objects.select_related("jurisdiction").filter(code=code).first()
        if unit is None:
            raise ValidationError(_("No unit “%(code)s”.") % {"code": code})
        return unit
