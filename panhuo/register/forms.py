"""Forms of the asset register pages. They validate input; the services decide and write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.core.forms import DateInput, FieldsetsMixin, MoneyFormField, blank_choice
from panhuo.organisation import policy
from panhuo.register.models import Asset, AssetKind, AssetStatus, Criticality
from panhuo.register.services import EDITABLE_FIELDS


def _model_field(name: str, **kwargs):
    """The form field Django derives from the model (label, length, choices), adjusted."""
    return Asset._meta.get_field(name).formfield(**kwargs)


class AssetFilterForm(forms.Form):
    """The filters above the asset list (a GET form: invalid values are just ignored)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("Code, name, address")}),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    criticality = forms.ChoiceField(label=_("Criticality"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Holding unit"), required=False, queryset=None, empty_label=_("All units")
    )
    min_value = MoneyFormField(label=_("Book value ≥ (yuan)"), required=False, min_value=0)
    max_value = MoneyFormField(label=_("Book value ≤ (yuan)"), required=False, min_value=0)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = blank_choice(AssetKind.choices, _("All kinds"))
        self.fields["status"].choices = blank_choice(AssetStatus.choices, _("All statuses"))
        self.fields["criticality"].choices = blank_choice(Criticality.choices)
        self.fields["unit"].queryset = policy.units_for(user, "asset", "view").order_by("name")

    def filters(self) -> dict:
        """The selector's keyword arguments from the fields that are valid."""
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        if "unit" in data:
            data["unit"] = data["unit"].pk
        return data


def _attributes_text(attributes: dict | None) -> str:
    return "\n".join(f"{k}: {v}" for k, v in (attributes or {}).items())


class AttributesField(forms.CharField):
    """Per-kind attributes typed as "name: value" lines; the service checks names and types."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "class": "mono"})

    def to_python(self, value):
        text = super().to_python(value) or ""
        data = {}
        for n, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            name, sep, val = line.partition(":")
            if not sep:
                name, sep, val = line.partition("=")
            if not sep or not name.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: write name: value."), params={"n": n}, code="format"
                )
            data[name.strip()] = val.strip()
        return data


class AssetForm(FieldsetsMixin, forms.Form):
    """Create or edit an asset. Only units the user may write to are offered."""

    code = _model_field("code")
    name = _model_field("name")
    kind = _model_field("kind")
    classification = forms.CharField(
        label=_("Classification code"),
        required=False,
        max_length=32,
        help_text=_("A code of the asset classification, e.g. 1010000."),
    )
    unit = forms.ModelChoiceField(label=_("Holding unit"), queryset=None)
    address = _model_field("address")
    latitude = _model_field("latitude")
    longitude = _model_field("longitude")
    area = _model_field("area")
    certificate_number = _model_field("certificate_number")
    title_complete = _model_field("title_complete")
    status = _model_field("status")
    idle_since = _model_field("idle_since", widget=DateInput())
    criticality = _model_field("criticality")
    acquired_on = _model_field("acquired_on", widget=DateInput())
    book_value = MoneyFormField(label=_("Book value, cost (yuan)"))
    accumulated_depreciation = MoneyFormField(
        label=_("Accumulated depreciation (yuan)"), required=False
    )
    appraised_value = MoneyFormField(label=_("Appraised value (yuan)"), required=False)
    annual_income = MoneyFormField(label=_("Annual income (yuan)"), required=False)
    annual_holding_cost = MoneyFormField(label=_("Annual holding cost (yuan)"), required=False)
    attributes = AttributesField(
        label=_("Attributes of this kind"),
        required=False,
        help_text=_(
            "One per line as name: value, e.g. floors: 6 for a building, plate: 粤B12345 "
            "for a vehicle. The allowed names depend on the kind."
        ),
    )

    fieldsets = [
        (_("Identification"), ["code", "name", "kind", "classification", "unit"]),
        (_("Location"), ["address", "latitude", "longitude", "area"]),
        (
            _("Title and use"),
            [
                "certificate_number",
                "title_complete",
                "status",
                "idle_since",
                "criticality",
                "acquired_on",
            ],
        ),
        (
            _("Value"),
            [
                "book_value",
                "accumulated_depreciation",
                "appraised_value",
                "annual_income",
                "annual_holding_cost",
            ],
        ),
        (_("Kind-specific"), ["attributes"]),
    ]

    #: Money fields the model defaults to zero: left empty, they are zero.
    ZERO_IF_EMPTY = ("accumulated_depreciation", "annual_income", "annual_holding_cost")

    def __init__(self, *args, user, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        # The blank form offers the units the user may write to. A submitted form accepts any
        # unit the user can see, so that the service, not the form, decides what is permitted
        # (and a forged request is refused as such, with a 403, rather than as a bad choice).
        scope = "view" if self.is_bound else action
        units = policy.units_for(user, "asset", scope).order_by("name")
        self.fields["unit"].queryset = units
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk
        for name in ("kind", "status", "criticality"):
            # The model's default is a fine start; the "------" entry is not a choice.
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != ""]

    def data_for_service(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.fields if name in EDITABLE_FIELDS}
        for name in self.ZERO_IF_EMPTY:
            if data[name] is None:
                data[name] = Decimal("0.00")
        return data


class AssetEditForm(AssetForm):
    version = forms.IntegerField(widget=forms.HiddenInput, label=_("version"))

    @classmethod
    def initial_for(cls, asset: Asset) -> dict:
        initial = {
            name: getattr(asset, name) for name in cls.base_fields if name in EDITABLE_FIELDS
        }
        initial["unit"] = asset.unit_id
        initial["classification"] = asset.classification.code if asset.classification else ""
        initial["attributes"] = _attributes_text(asset.attributes)
        initial["version"] = asset.version
        return initial
