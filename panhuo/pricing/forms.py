"""Forms of the price pages. They validate input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.core.forms import (
    AMOUNT_UNIT_HELP,
    AmountFormField,
    ViewablePlaces,
    choice_filter,
    date_field,
    search_field,
    text_field,
)
from panhuo.core.lists import ListFilterForm
from panhuo.pricing.law import RuleClass
from panhuo.pricing.models import AppraisalMethod, PriceRuleSet, ValuationKind
from panhuo.pricing.rules import Thresholds
from panhuo.register.models import Asset


class ValuationFilterForm(ListFilterForm):
    q = search_field(_("Asset, report or appraiser"))
    kind = choice_filter(_("Kind"), ValuationKind.choices)
    current_only = forms.BooleanField(label=_("Still valid only"), required=False)


class ValuationForm(forms.Form):
    asset = forms.CharField(
        label=_("Asset"), max_length=64, help_text=_("The asset's code (or its id).")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ValuationKind.choices)
    value = AmountFormField(label=_("Value"), help_text=AMOUNT_UNIT_HELP)
    base_date = date_field(_("Base date"))
    valid_until = date_field(
        _("Valid until"),
        required=False,
        help_text=_("Leave empty for the jurisdiction's validity (12 months by default)."),
    )
    method = choice_filter(_("Method"), AppraisalMethod.choices, "—")
    appraiser = forms.CharField(label=_("Appraiser"), max_length=200, required=False)
    licence_number = forms.CharField(label=_("Licence number"), max_length=64, required=False)
    report_number = forms.CharField(label=_("Report number"), max_length=64, required=False)
    stated_error = forms.DecimalField(
        label=_("Stated error (fraction, e.g. 0.12)"),
        max_digits=7,
        decimal_places=4,
        required=False,
        min_value=0,
    )
    note = text_field(_("Note"), rows=2, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not self.is_bound:
            self.fields["base_date"].initial = timezone.localdate()

    def clean_asset(self) -> Asset:
        raw = self.cleaned_data["asset"].strip()
        qs = Asset.objects.visible_to(self.user).select_related("unit__jurisdiction")
        found = list(qs.filter(code=raw)[:2])
        if not found and raw.isdigit():
            found = list(qs.filter(pk=int(raw))[:1])
        if not found:
            raise forms.ValidationError(_("No such asset, or it is not visible to you."))
        if len(found) > 1:
            raise forms.ValidationError(_("Several assets have this code; give the asset's id."))
        return found[0]

    def data_for_service(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        data.pop("asset", None)
        return data


class PriceRulesForm(forms.ModelForm):
    class Meta:
        model = PriceRuleSet
        fields = Thresholds.names()


class RulesJurisdictionForm(ViewablePlaces, forms.Form):
    places_of = "pricerules"
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=None, required=False)
    rule_class = forms.ChoiceField(
        label=_("Rule-set class"), choices=RuleClass.choices, required=False
    )
