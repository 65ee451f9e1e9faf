"""The question a reader asks of the decision page: the day, the debt, the rates and price."""

from django import forms
from django.utils.translation import gettext_lazy as _


def _pct(label):
    return forms.DecimalField(label=label, required=False, max_digits=8, decimal_places=3)


class DecisionForm(forms.Form):
    on = forms.DateField(label=_("As of"), required=False, widget=forms.DateInput({"type": "date"}))
    debt = forms.IntegerField(label=_("Debt repaid (id)"), required=False, min_value=1)
    discount_rate_pct = _pct(_("Discount rate (per cent)"))
    horizon_years = forms.IntegerField(label=_("Horizon (years)"), required=False)
    vacancy_pct = _pct(_("Vacancy (per cent)"))
    lease_cost_pct = _pct(_("Letting costs (per cent of rent)"))
    forced_sale_discount_pct = _pct(_("Forced-sale discount (per cent)"))
    sale_cost_pct = _pct(_("Sale fees and taxes (per cent)"))
    price_factor = _pct(_("Price factor (1 = appraised)"))


class AssetInputForm(forms.Form):
    """An input set for one asset or its place, with the reason (a blank value: back to the
    default above it)."""

    scope = forms.ChoiceField(
        label=_("For"),
        choices=[("asset", _("This asset")), ("place", _("Every asset of this place"))],
    )
    name = forms.ChoiceField(
        label=_("Input"),
        choices=[
            (n, f.label) for n, f in DecisionForm.base_fields.items() if n not in ("on", "debt")
        ],
    )
    value = forms.DecimalField(label=_("Value"), required=False, max_digits=9, decimal_places=3)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ScenarioForm(forms.Form):
    """The scenarios' question: the day and the parameters (blank: the default)."""

    on = forms.DateField(label=_("As of"), required=False, widget=forms.DateInput({"type": "date"}))
    seed = forms.IntegerField(label=_("Seed"), required=False)
    scenarios = forms.IntegerField(label=_("Scenarios"), required=False)
    horizon = forms.IntegerField(label=_("Horizon (quarters)"), required=False)
    price_sd_pct = forms.FloatField(label=_("Price shock (standard deviation, per cent)"),
                                    required=False)  # fmt: skip
    failure_pct = forms.FloatField(label=_("Auction failure (per cent of rounds)"), required=False)
    delay_pct = forms.FloatField(label=_("Delay (per cent chance per quarter)"), required=False)
    rate_sd_pp = forms.FloatField(label=_("Floating-rate change (points per quarter)"),
                                  required=False)  # fmt: skip
