"""Forms of the money reports: filters of the overdue list and the reconciliation's period."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.core.forms import PlaceFilterForm, choice_filter, date_field, search_field
from panhuo.finance.expected_models import ExpectedKind
from panhuo.organisation import policy


class OverdueFilterForm(PlaceFilterForm):
    places_of = "receipt"
    q = search_field(_("Project, buyer or label"))
    kind = choice_filter(_("Kind"), ExpectedKind.choices, _("All kinds"))
    min_days = forms.IntegerField(
        label=_("At least working days overdue"), required=False, min_value=0, max_value=100000
    )


GRANULARITY_CHOICES = [
    ("month", _("Month")),
    ("quarter", _("Quarter")),
    ("year", _("Year")),
]


class ReconciliationForm(forms.Form):
    granularity = forms.ChoiceField(label=_("Period"), choices=GRANULARITY_CHOICES)
    start = date_field(_("From"))
    end = date_field(_("To"))
    jurisdiction = forms.ModelChoiceField(
        label=_("Jurisdiction"), queryset=None, required=False, empty_label=_("All")
    )

    def __init__(self, data=None, *, user, **kwargs):
        today = timezone.localdate()
        initial = {"granularity": "month", "start": dt.date(today.year, 1, 1), "end": today}
        if data is not None and not any(k in data for k in initial):
            data = None
        super().__init__(data, initial=initial, **kwargs)
        self.fields["jurisdiction"].queryset = policy.jurisdictions_for(user, "receipt", "view")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end is before the start."))
        return data

    def values(self) -> dict:
        """The chosen period (the defaults while unbound or invalid)."""
        if self.is_bound and self.is_valid():
            return dict(self.cleaned_data)
        return {**self.initial, "jurisdiction": None}
