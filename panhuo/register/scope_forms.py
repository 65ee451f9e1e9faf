"""Forms of the scope pages: which jurisdiction, its rules, and the recorded decision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.core.forms import MoneyFormField, ViewablePlaces, date_field, text_field
from panhuo.core.lists import ListFilterForm
from panhuo.register.scope import RULE_FIELDS
from panhuo.register.scope_models import ScopeRuleSet


class JurisdictionChoiceForm(forms.Form):
    """The jurisdiction a scope page is about (a GET form above the page)."""

    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=None, required=False)

    def __init__(self, *args, jurisdictions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions
        self.fields["jurisdiction"].empty_label = None


def _rule_field(name: str, **kwargs):
    return ScopeRuleSet._meta.get_field(name).formfield(**kwargs)


class ScopeRulesForm(forms.Form):
    """A jurisdiction's scope rules (the defaults of DESIGN.md §2.2 until someone sets them)."""

    min_idle_months = _rule_field("min_idle_months", min_value=0, max_value=1200)
    include_under_used = _rule_field("include_under_used")
    exclude_supporting = _rule_field("exclude_supporting")
    require_clear_title = _rule_field("require_clear_title")
    require_unencumbered = _rule_field("require_unencumbered")
    min_value = MoneyFormField(label=_("Minimum book value (yuan)"), min_value=0)

    @staticmethod
    def initial_for(rules: ScopeRuleSet) -> dict:
        return {name: getattr(rules, name) for name in RULE_FIELDS}

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in RULE_FIELDS}


class IdListField(forms.Field):
    """Asset ids from ticked boxes (which ones may be included is the service's to say)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        try:
            return sorted({int(v) for v in value})
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Tick assets from the list."), code="invalid") from None


class ScopeDecisionForm(forms.Form):
    include = IdListField(label=_("Assets in scope"), required=False)
    note = text_field(
        _("Note"),
        required=False,
        max_length=2000,
        help_text=_("E.g. the meeting that decided, and why any candidate was left out."),
    )


class ScopeDecisionFilterForm(ViewablePlaces, ListFilterForm):
    places_of = "scope"
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    jurisdiction = forms.ModelChoiceField(
        label=_("Jurisdiction"), queryset=None, required=False, empty_label=_("All")
    )
    date_from = date_field(_("Decided from"), required=False)
    date_to = date_field(_("Decided until"), required=False)
