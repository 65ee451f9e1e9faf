"""Form pieces shared by every app's forms."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from panhuo.core.bounds import validate_amount
from panhuo.organisation import policy

#: Beside every amount box typed in 元, 万元 or 亿元 (``AmountFormField``).
AMOUNT_UNIT_HELP = _(
    "Choose 元, 万元 or 亿元 beside the amount; it is kept in yuan, converted exactly."
)


class MoneyFormField(forms.DecimalField):
    """An amount in yuan, as typed by people who live in spreadsheets.

    Thousands separators, spaces and a currency sign are accepted ("1,234,567.80", "¥ 500");
    more than two decimal places are refused rather than rounded away, and so is an amount
    beyond the one bound (``core.bounds``).
    """

    widget = forms.TextInput
    default_validators = [validate_amount]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 20)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            for junk in (",", "，", " ", "\u00a0", "¥", "￥", "元"):
                value = value.replace(junk, "")
        return super().to_python(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.update({"inputmode": "decimal", "autocomplete": "off", "class": "input-num"})
        return attrs


class AmountInput(forms.MultiWidget):
    """An amount box with its unit beside it (元 / 万元 / 亿元). The box keeps the field's name
    and the unit is sent as ``<name>_unit``, so a form posted without the unit (a script) reads
    yuan."""

    template_name = "core/widgets/amount.html"

    def __init__(self, attrs=None):
        from panhuo.core.money import INPUT_UNIT_LABELS

        box = forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "class": "input-num"}
        )
        unit = forms.Select(
            choices=list(INPUT_UNIT_LABELS.items()),
            attrs={"class": "unit", "aria-label": _("Unit")},
        )
        super().__init__({"": box, "unit": unit}, attrs)

    def id_for_label(self, id_):
        return f"{id_}_0" if id_ else ""

    def decompress(self, value):
        # The unit offered first is the reader's own (core.money.input_unit); a stored amount
        # is shown in it exactly (a power-of-ten shift: 12,345.00 yuan is 1.2345 万元).
        from panhuo.core.money import from_yuan, input_unit

        unit = input_unit()
        if value in (None, ""):
            return ["", unit]
        try:
            shown = from_yuan(Decimal(value), unit).normalize()
        except (ArithmeticError, ValueError):
            return [str(value), "yuan"]
        return [f"{shown:f}" if unit != "yuan" else str(value), unit]

    def value_from_datadict(self, data, files, name):
        text, unit = super().value_from_datadict(data, files, name)
        return [text, unit or "yuan"]

    def value_omitted_from_data(self, data, files, name):
        return name not in data


class AmountFormField(MoneyFormField):
    """An amount typed in 元, 万元 or 亿元, chosen beside the box; the cleaned value is
    Decimal yuan, converted exactly (``core.money.to_yuan``: 12.3456 万元 = 123,456.00 yuan; a
    fraction of a cent is refused, never rounded). Every amount input of the disposal forms
    uses it, so a reserve typed in yuan on a page showing 万元 cannot be misread."""

    widget = AmountInput

    def __init__(self, **kwargs):
        kwargs.setdefault("decimal_places", 10)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {}

    def to_python(self, value):
        from panhuo.core.money import INPUT_UNITS, AmountUnitError, to_yuan

        text, unit = (value if isinstance(value, list | tuple) else [value, "yuan"])[:2]
        if unit not in INPUT_UNITS:
            raise forms.ValidationError(_("Choose the unit: 元, 万元 or 亿元."), code="unit")
        amount = super().to_python(text)
        if amount is None:
            return None
        try:
            return to_yuan(amount, unit)
        except AmountUnitError:
            raise forms.ValidationError(
                _("Too many decimal places: at most 2 in 元, 6 in 万元, 10 in 亿元."), code="places"
            ) from None

    def validate(self, value):
        forms.Field.validate(self, value)

    def run_validators(self, value):
        if value is None:
            return
        # In yuan, after the unit: the bound and the field's own limits (not the digit count,
        # which the unit changes).
        validate_amount(value)
        for v in self.validators:
            if isinstance(v, MinValueValidator | MaxValueValidator):
                v(value)

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (None if initial in (None, "") else Decimal(initial))
        except forms.ValidationError:
            return True


class DateInput(forms.DateInput):
    """A native date picker; the value stays ISO (YYYY-MM-DD) whatever the language."""

    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


def blank_choice(choices, label=None) -> list[tuple[str, str]]:
    """A choice list for a filter, with "all" first."""
    return [("", label or _("All")), *choices]


class FieldsetsMixin:
    """Forms that list ``fieldsets`` = [(legend, [field names])] render in those groups."""

    fieldsets: list = []

    def grouped_fields(self) -> list[tuple[str, list]]:
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.fieldsets
        ]


def search_field(placeholder, label=None, **kwargs) -> forms.CharField:
    """A list's free-text search box (``q``): never required, its placeholder saying what it
    searches."""
    return forms.CharField(
        label=label or _("Search"),
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": placeholder}),
        **kwargs,
    )


def choice_filter(label, choices, all_label=None) -> forms.ChoiceField:
    """A list filter over ``choices``: never required, "all" (or ``all_label``) first."""
    return forms.ChoiceField(label=label, required=False, choices=blank_choice(choices, all_label))


def date_field(label, **kwargs) -> forms.DateField:
    """A date typed with the browser's date picker (ISO whatever the language)."""
    return forms.DateField(label=label, widget=DateInput(), **kwargs)


def line_field(label, max_length: int, help_text="", **kwargs) -> forms.CharField:
    """One line of text of at most ``max_length`` characters (a name, a number, a code), with
    what to type in it under the box."""
    return forms.CharField(label=label, max_length=max_length, help_text=help_text, **kwargs)


def file_field(label, help_text="", accept: str = "", **kwargs) -> forms.FileField:
    """A file to upload; ``accept`` (".csv,.xlsx") lets the browser offer only those files."""
    if accept:
        kwargs["widget"] = forms.ClearableFileInput(attrs={"accept": accept})
    return forms.FileField(label=label, help_text=help_text, **kwargs)


def radio_field(label, choices, initial) -> forms.ChoiceField:
    """One of a few choices, all in sight as radio buttons, ``initial`` chosen."""
    return forms.ChoiceField(
        label=label, choices=choices, initial=initial, widget=forms.RadioSelect
    )


def text_field(label, rows: int = 3, **kwargs) -> forms.CharField:
    """Free text over a few lines (a note, a comment, a reason)."""
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class ViewablePlaces:
    """A form (mixin, before ``forms.Form``) whose ``jurisdiction`` field offers the places where
    the ``user`` it is made for may view ``places_of``: the filters of a list or a report."""

    places_of = ""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        places = policy.jurisdictions_for(user, self.places_of, "view")
        self.fields["jurisdiction"].queryset = places


class PlaceFilterForm(ViewablePlaces, forms.Form):
    """A list's filters ending with a place: "All" or one of the places where the user may view
    ``places_of``. ``filters()`` gives the values filled in (the place as its record) when the
    whole form is valid, else none."""

    jurisdiction = forms.ModelChoiceField(
        label=_("Jurisdiction"), queryset=None, required=False, empty_label=_("All")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["jurisdiction"] = self.fields.pop("jurisdiction")  # after the list's own

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def offer_jurisdictions(form, user, resource: str, edit_resource: str = "") -> None:
    """Fill the form's ``jurisdiction`` choices: the places where ``user`` may edit
    ``edit_resource`` (``resource`` unless given) on the form offered; on a submitted form any
    place they may view ``resource`` in, as the service decides what the roles allow there."""
    if form.is_bound:
        places = policy.jurisdictions_for(user, resource, "view")
    else:
        places = policy.jurisdictions_for(user, edit_resource or resource, "edit")
    form.fields["jurisdiction"].queryset = places.order_by("path")
