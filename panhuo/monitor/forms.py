"""Forms of the monitor pages. They read input; the services decide what may be written."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.core.forms import (
    AMOUNT_UNIT_HELP,
    AmountFormField,
    blank_choice,
    offer_jurisdictions,
    search_field,
)
from panhuo.core.lists import ListFilterForm
from panhuo.monitor.models import RevenueCategory
from panhuo.monitor.selectors import leaf_categories, monitor_jurisdictions


def _category_choices(leaves_only: bool = False) -> list[tuple[str, str]]:
    qs = leaf_categories() if leaves_only else RevenueCategory.objects.order_by("position")
    return [(c.code, ("— " if c.parent_id else "") + c.label) for c in qs.select_related("parent")]


class MonitorFilterForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=None, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1991, max_value=2100, required=False)
    through = forms.IntegerField(
        label=_("Through month"),
        min_value=1,
        max_value=12,
        required=False,
        help_text=_("Empty: the last month with figures."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = monitor_jurisdictions(user)

    def chosen(self):
        """(jurisdiction, year, through) with defaults for what is missing or invalid."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        jurisdiction = data.get("jurisdiction") or self.fields["jurisdiction"].queryset.first()
        return jurisdiction, data.get("year"), data.get("through")


class RevenueFilterForm(ListFilterForm):
    q = search_field(_("Jurisdiction or category"))
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=None, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = monitor_jurisdictions(user)
        self.fields["category"].choices = blank_choice(_category_choices(), _("All categories"))


class RevenueSetForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=None)
    month = forms.CharField(
        label=_("Month"),
        max_length=10,
        widget=forms.TextInput(attrs={"placeholder": "2024-03", "type": "month"}),
    )
    category = forms.ChoiceField(label=_("Category"))
    amount = AmountFormField(label=_("Amount"), help_text=AMOUNT_UNIT_HELP)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offer_jurisdictions(self, user, "revenue")
        self.fields["category"].choices = _category_choices(leaves_only=True)


class ThresholdsForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=None)
    land_dependence_pct = forms.DecimalField(
        label=_("Land dependence threshold (%)"), max_digits=5, decimal_places=2
    )
    growth_margin_pct = forms.DecimalField(
        label=_("Growth margin (percentage points)"), max_digits=6, decimal_places=2
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offer_jurisdictions(self, user, "revenue", "revenue_thresholds")


MODES = [
    ("dry_run", _("Check only (dry run)")),
    ("commit", _("Write if every row is valid")),
    ("valid_only", _("Write the valid rows, skip the rejected")),
]
UNITS = [
    ("yuan", _("yuan")),
    ("wan", _("10,000 yuan (万元)")),
    ("yi", _("100 million yuan (亿元)")),
]


class RevenueImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV or XLSX. Either one figure a row (jurisdiction, month, category, amount) or "
            "jurisdiction, month and one column per category."
        ),
    )
    sheet = forms.CharField(
        label=_("Sheet"), max_length=100, required=False, help_text=_("XLSX only; default first.")
    )
    amount_unit = forms.ChoiceField(label=_("Unit of bare numbers"), choices=UNITS, initial="yuan")
    mode = forms.ChoiceField(label=_("Mode"), choices=MODES, initial="dry_run")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.PANHUO["IMPORT_MAX_BYTES"]
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
            )
        return upload


def current_year() -> int:
    return timezone.localdate().year
