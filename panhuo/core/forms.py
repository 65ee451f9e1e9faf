"""Form pieces shared by every app's forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class MoneyFormField(forms.DecimalField):
    """An amount in yuan, as typed by people who live in spreadsheets.

    Thousands separators, spaces and a currency sign are accepted ("1,234,567.80", "¥ 500");
    more than two decimal places are refused rather than rounded away.
    """

    widget = forms.TextInput

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
