"""Forms of the asset register pages. They validate input; the services decide and write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from panhuo.core.api import UNIT_CODE_MAX
from panhuo.core.forms import (
    AMOUNT_UNIT_HELP,
    AmountFormField,
    DateInput,
    FieldsetsMixin,
    MoneyFormField,
    blank_choice,
    date_field,
    search_field,
)
from panhuo.core.ui import add_service_errors
from panhuo.organisation import policy
from panhuo.register.attributes import KIND_ATTRIBUTES
from panhuo.register.models import Asset, AssetKind, AssetStatus, Criticality, Encumbrance
from panhuo.register.services import EDITABLE_FIELDS


def _model_field(name: str, **kwargs):
    """The form field Django derives from the model (label, length, choices), adjusted."""
    return Asset._meta.get_field(name).formfield(**kwargs)


class UnitFilterField(forms.ModelChoiceField):
    """A unit filter that also takes the unit's code (``?unit=U1``, as a newcomer writes a
    link by hand), like the API's ``unit`` filter: digits are the id, anything else the code
    among the choices; an unknown code is a field error naming it. The select shows the unit
    the code named."""

    def _by_code(self, value):
        text = str(value).strip()
        if text in self.empty_values or text.isdigit() or self.queryset is None:
            return None
        if len(text) > UNIT_CODE_MAX or "\x00" in text:
            return None  # no unit has such a code (and PostgreSQL refuses NUL in a query)
        return self.queryset.filter(code=text).first()

    def to_python(self, value):
        if value in self.empty_values or str(value).strip().isdigit():
            return super().to_python(value)
        unit = self._by_code(value)
        if unit is None:
            raise ValidationError(
                _("No holding unit you may see has the code “%(code)s”."),
                code="invalid_choice",
                params={"code": str(value).strip()},
            )
        return unit

    def bound_data(self, data, initial):
        unit = self._by_code(data)
        return unit.pk if unit is not None else super().bound_data(data, initial)


class AssetFilterForm(forms.Form):
    """The filters above the asset list (a GET form: invalid values are just ignored)."""

    q = search_field(_("Code, name, address"))
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    criticality = forms.ChoiceField(label=_("Criticality"), required=False)
    unit = UnitFilterField(
        label=_("Holding unit"), required=False, queryset=None, empty_label=_("All units")
    )
    min_value = MoneyFormField(label=_("Book value ≥ (yuan)"), required=False, min_value=0)
    max_value = MoneyFormField(label=_("Book value ≤ (yuan)"), required=False, min_value=0)
    min_appraised = MoneyFormField(label=_("Appraised ≥ (yuan)"), required=False, min_value=0)
    max_appraised = MoneyFormField(label=_("Appraised ≤ (yuan)"), required=False, min_value=0)
    min_idle_months = forms.IntegerField(
        label=_("Idle ≥ (months)"), required=False, min_value=0, max_value=1200
    )
    encumbered = forms.ChoiceField(
        label=_("Encumbered"),
        required=False,
        choices=[("", _("Either")), ("yes", _("Encumbered")), ("no", _("Unencumbered"))],
    )
    classification = forms.CharField(
        label=_("Classification code"),
        required=False,
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("e.g. 1010000"),
                "class": "mono",
                "title": _("This code and the codes below it"),
            }
        ),
    )

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
        if "encumbered" in data:
            data["encumbered"] = data["encumbered"] == "yes"
        if "classification" in data:
            data["classification"] = data["classification"].strip()
        return data


#: How each per-kind attribute is called on the forms and pages (KIND_ATTRIBUTES has the types).
ATTRIBUTE_LABELS = {
    "land_use": _("Land use"),
    "tenure_end": _("Tenure ends on"),
    "plot_ratio": _("Plot ratio"),
    "floors": _("Floors"),
    "built_year": _("Year built"),
    "structure": _("Structure"),
    "plate": _("Number plate"),
    "mileage_km": _("Mileage (km)"),
    "model": _("Model"),
    "registered_year": _("Year registered"),
    "serial_number": _("Serial number"),
    "company": _("Company"),
    "percentage": _("Share held (%)"),
    "registered_capital": _("Registered capital (yuan)"),
    "right_type": _("Type of right"),
    "term_start": _("Term starts on"),
    "term_end": _("Term ends on"),
    "resource_type": _("Type of resource"),
    "quantity": _("Quantity"),
    "licence_number": _("Licence number"),
    "dataset": _("Dataset"),
    "records": _("Records"),
    "debtor": _("Debtor"),
    "due_on": _("Due on"),
}


def attribute_label(key: str):
    return ATTRIBUTE_LABELS.get(key) or key.replace("_", " ").capitalize()


def attribute_field_name(kind: str, key: str) -> str:
    return f"attr_{kind}_{key}"


def _attribute_formfield(kind_of_value: str, label) -> forms.Field:
    """A proper input for one attribute: whole numbers, numbers, dates or text."""
    if kind_of_value == "int":
        return forms.IntegerField(
            label=label, required=False, min_value=-(10**12), max_value=10**12
        )
    if kind_of_value == "decimal":
        return forms.DecimalField(
            label=label, required=False, max_digits=24, decimal_places=6, widget=forms.TextInput
        )
    if kind_of_value == "date":
        return date_field(label, required=False)
    return forms.CharField(label=label, required=False, max_length=200)


class AssetForm(FieldsetsMixin, forms.Form):
    """Create or edit an asset. Only units the user may write to are offered.

    Each kind's attributes (KIND_ATTRIBUTES) get typed fields of their own, grouped by kind;
    the page script shows only the group of the chosen kind. Without the script every group
    shows, and a value typed into another kind's group is refused rather than lost.
    """

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
    # Amounts are typed in 元, 万元 or 亿元, the unit chosen beside each box (the reader's own unit
    # first) and converted to yuan exactly; a form posted without a unit reads yuan.
    book_value = AmountFormField(label=_("Book value, cost"), help_text=AMOUNT_UNIT_HELP)
    accumulated_depreciation = AmountFormField(
        label=_("Accumulated depreciation"), required=False, help_text=AMOUNT_UNIT_HELP
    )
    appraised_value = AmountFormField(
        label=_("Appraised value"), required=False, help_text=AMOUNT_UNIT_HELP
    )
    annual_income = AmountFormField(
        label=_("Annual income"), required=False, help_text=AMOUNT_UNIT_HELP
    )
    annual_holding_cost = AmountFormField(
        label=_("Annual holding cost"), required=False, help_text=AMOUNT_UNIT_HELP
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
        #: (kind, attribute) of every attribute field, by field name.
        self.attribute_fields: dict[str, tuple[str, str]] = {}
        for kind, spec in KIND_ATTRIBUTES.items():
            for key, value_type in spec.items():
                name = attribute_field_name(kind, key)
                self.fields[name] = _attribute_formfield(value_type, attribute_label(key))
                self.attribute_fields[name] = (kind, key)

    def attribute_groups(self) -> list[dict]:
        """One group of bound fields per kind, in the order of the kinds."""
        labels = dict(AssetKind.choices)
        groups = []
        for kind in KIND_ATTRIBUTES:
            fields = [self[n] for n, (k, _key) in self.attribute_fields.items() if k == kind]
            groups.append({"kind": kind, "label": labels.get(kind, kind), "fields": fields})
        return groups

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        labels = dict(AssetKind.choices)
        attributes = {}
        for name, (attr_kind, key) in self.attribute_fields.items():
            value = cleaned.get(name)
            if value in (None, ""):
                continue
            if attr_kind == kind:
                attributes[key] = value.isoformat() if hasattr(value, "isoformat") else value
            elif kind:
                self.add_error(
                    name,
                    forms.ValidationError(
                        _("This is an attribute of %(other)s, not of %(kind)s; clear it."),
                        params={"other": labels[attr_kind], "kind": labels.get(kind, kind)},
                        code="other_kind",
                    ),
                )
        cleaned["attributes"] = attributes
        return cleaned

    def add_service_errors(self, exc) -> None:
        """A service's errors under their fields; ``attributes.<key>`` under the kind's input."""
        if hasattr(exc, "error_dict"):
            kind = self.cleaned_data.get("kind")
            remapped = {}
            for field, errors in exc.error_dict.items():
                parent, _dot, key = field.partition(".")
                name = attribute_field_name(kind, key) if parent == "attributes" else None
                remapped[name if name in self.fields else field] = errors
            exc = ValidationError(remapped)
        add_service_errors(self, exc)

    def data_for_service(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.fields if name in EDITABLE_FIELDS}
        for name in self.ZERO_IF_EMPTY:
            if data[name] is None:
                data[name] = Decimal("0.00")
        data["attributes"] = self.cleaned_data["attributes"]
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
        for key, value in (asset.attributes or {}).items():
            initial[attribute_field_name(asset.kind, key)] = value
        initial["version"] = asset.version
        return initial


class EncumbranceForm(forms.Form):
    """A charge on an asset: mortgage, pledge, seizure, lawsuit, lease."""

    kind = forms.ChoiceField(label=_("Type"), choices=Encumbrance.Kind.choices)
    holder = forms.CharField(label=_("Holder"), max_length=200)
    amount = AmountFormField(
        label=_("Amount"), required=False, min_value=0, help_text=AMOUNT_UNIT_HELP
    )
    until = date_field(_("Until"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def data_for_service(self) -> dict:
        return dict(self.cleaned_data)
