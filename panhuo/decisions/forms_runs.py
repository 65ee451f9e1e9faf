"""The forms of stored scenario runs: saving the run asked on the scenarios page (its
parameters and a title), filtering the list of runs, and choosing the runs to compare."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.core.lists import ListFilterForm
from panhuo.decisions.forms import ScenarioForm
from panhuo.organisation import policy

DATE = forms.DateInput({"type": "date"})


class RunSaveForm(ScenarioForm):
    """The scenarios' question as the page asked it, and a title for the stored run."""

    title = forms.CharField(label=_("Title"), required=False, max_length=120)


class RunFilterForm(ListFilterForm):
    """The stored runs' filters; the places offered are those whose ``resource`` the reader
    may view."""

    resource = "debt"
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), required=False, queryset=None)
    on_from = forms.DateField(label=_("As of, from"), required=False, widget=DATE)
    on_to = forms.DateField(label=_("As of, to"), required=False, widget=DATE)
    mine = forms.BooleanField(label=_("Mine only"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        places = policy.jurisdictions_for(user, self.resource, "view").order_by("path")
        self.fields["jurisdiction"].queryset = places
