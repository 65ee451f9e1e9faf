"""Forms of the working-day calendar page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.core.calendars import MAX_LINES
from panhuo.core.forms import line_field

KINDS = [("0", _("Holiday (休)")), ("1", _("Working day (班)"))]
#: A notice file is a short list of dates; anything larger is not one.
MAX_FILE_BYTES = 64 * 1024


class _WhereForm(forms.Form):
    """The jurisdiction field: empty means national (offered only to whoever may set it)."""

    jurisdiction = forms.ModelChoiceField(label=_("Applies in"), queryset=None, required=False)

    def __init__(self, *args, jurisdictions, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["jurisdiction"]
        field.queryset = jurisdictions
        field.empty_label = _("The whole country (national)") if national else None
        field.required = not national


class CalendarNoticeForm(_WhereForm):
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100)
    source = line_field(
        _("Notice"), 200, _("Its title or document number, e.g. 国办发明电〔2026〕7号.")
    )
    lines = forms.CharField(
        label=_("Days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One day per line: 2027-01-01, holiday, New Year's Day (or 休 / 班)."),
    )
    file = forms.FileField(
        label=_("Or a file"), required=False, help_text=_("Text or CSV, the same lines (UTF-8).")
    )
    replace = forms.BooleanField(
        label=_("Replace the notice already loaded for that year"), required=False
    )

    field_order = ["year", "jurisdiction", "source", "lines", "file", "replace"]

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_FILE_BYTES:
                self.add_error("file", _("A notice file is at most 64 KiB."))
                return data
            try:
                data["lines"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", _("The file is not UTF-8 text."))
                return data
        if not (data.get("lines") or "").strip():
            self.add_error("lines", _("Give the days, typed or as a file."))
        elif len(data["lines"].splitlines()) > MAX_LINES * 2:
            self.add_error("lines", _("A notice has at most %(n)d days.") % {"n": MAX_LINES})
        return data

    def text(self) -> str:
        return self.cleaned_data["lines"]


class CalendarDayForm(_WhereForm):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    working = forms.ChoiceField(label=_("Kind"), choices=KINDS)
    note = line_field(
        _("Reason"),
        200,
        _("A weekend working day says which holiday it makes up for."),
        required=False,
    )

    field_order = ["date", "working", "jurisdiction", "note"]
