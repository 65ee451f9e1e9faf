"""Forms of scorecards: the list's filters, a plan's weights, issuing a period, proposing a
reward or punishment. The services check everything again (the API calls them too)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.core.lists import ListFilterForm
from panhuo.scorecards.models import PARTS, DecisionKind, DecisionStatus, Period, ScoreWeights, Tier
from panhuo.scorecards.selectors import scored_plans

ALL = _("All")


def _choices(choices, empty=ALL):
    return [("", empty), *choices]


class ScorecardFilterForm(ListFilterForm):
    plan = forms.ModelChoiceField(label=_("Work plan"), queryset=None, required=False,
                                  empty_label=_("The plan in force"))  # fmt: skip
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices, required=False)
    tier = forms.ChoiceField(label=_("Tier"), choices=_choices(Tier.choices), required=False)
    q = forms.CharField(label=_("Unit"), required=False, max_length=200)
    on = forms.DateField(label=_("Computed as of"), required=False,
                         widget=forms.DateInput(attrs={"type": "date"}),
                         help_text=_("Empty: the issued scorecards, else today's."))  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = scored_plans(user)


class DecisionFilterForm(ListFilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=_choices(DecisionKind.choices),
                             required=False)  # fmt: skip
    status = forms.ChoiceField(label=_("Status"), choices=_choices(DecisionStatus.choices),
                               required=False)  # fmt: skip


class WeightsForm(forms.Form):
    """Five whole percentages; the service checks that they add up to 100."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in PARTS:
            label = ScoreWeights._meta.get_field(name).verbose_name
            self.fields[name] = forms.IntegerField(label=label, min_value=0, max_value=100)


class IssueForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices)


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DecisionKind.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=4000)  # fmt: skip
    amount = forms.DecimalField(label=_("Amount (yuan, budget reward only)"), required=False,
                                min_value=0, max_digits=20, decimal_places=2)  # fmt: skip
