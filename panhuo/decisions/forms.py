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
    """An input set for one asset, with the reason (a blank value: back to the default)."""

    name = forms.ChoiceField(
        label=_("Input"),
        choices=[
            (n, f.label) for n, f in DecisionForm.base_fields.items() if n not in ("on", "debt")
        ],
    )
    value = forms.DecimalField(label=_("Value"), required=False, max_digits=9, decimal_places=3)
    reason = forms.CharField(label=_("Reason"), max_length=300)
