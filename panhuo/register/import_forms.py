"""Forms of the import pages: the upload, and the editor of saved column mappings."""

from __future__ import annotations

import json

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from panhuo.core.forms import choice_filter, file_field, line_field, radio_field
from panhuo.core.lists import ListFilterForm
from panhuo.register import hooks
from panhuo.register.attributes import KIND_ATTRIBUTES
from panhuo.register.forms import attribute_label
from panhuo.register.import_models import ImportMapping, ImportRun
from panhuo.register.importing.engine import target_for
from panhuo.register.importing.fields import FIELD_NAMES
from panhuo.register.importing.readers import (
    SNIFF_BYTES,
    FileRejected,
    check_text_encoding,
    detect_kind,
)
from panhuo.register.importing.rows import fixed_and_mapped, normalise_crs
from panhuo.register.models import Asset, AssetKind, AssetStatus, Criticality

#: Choice fields whose words in a file can be mapped to Panhuo's values (闲置 → idle).
VALUE_FIELDS = {
    "kind": AssetKind,
    "status": AssetStatus,
    "criticality": Criticality,
}
#: Blank rows offered under each choice field for more value mappings.
SPARE_VALUE_ROWS = 2
#: The files an import reads, for the browser's file picker.
TABLE_FILES = ".csv,.txt,.tsv,.xlsx"
DATE_ORDERS = [("dmy", _("Day first: 31/12/2024")), ("mdy", _("Month first: 12/31/2024"))]
AMOUNT_UNITS = [("yuan", _("Yuan (元)")), ("wan", _("Ten thousand yuan (万元)")),
                ("yi", _("Hundred million yuan (亿元)"))]  # fmt: skip
DELIMITERS = [("", _("Detect")), (",", _("Comma ,")), (";", _("Semicolon ;")),
              ("tab", _("Tab")), ("|", _("Pipe |"))]  # fmt: skip
SPECIAL_LABELS = {
    "unit": _("Holding unit (its code)"),
    "classification": _("Classification (code)"),
    "classification_edition": _("Classification edition (checked against the list)"),
    "x": _("x / easting (in the mapping's coordinate system)"),
    "y": _("y / northing (in the mapping's coordinate system)"),
}


def field_label(name: str, target: str = "assets") -> str:
    """What a person calls an import field: its label, and the field name exports use."""
    other = hooks.import_targets.get(target) if target != "assets" else None
    if other is not None and name in other.labels:
        return f"{capfirst(other.labels[name])} · {name}"
    if other is not None and other.model is not None:
        return f"{capfirst(other.model._meta.get_field(name).verbose_name)} · {name}"
    if name in SPECIAL_LABELS:
        label = SPECIAL_LABELS[name]
    elif name.startswith("attributes."):
        key = name.split(".", 1)[1]
        kinds = [str(AssetKind(k).label).lower() for k, spec in KIND_ATTRIBUTES.items()
                 if key in spec]  # fmt: skip
        label = f"{attribute_label(key)} ({', '.join(kinds)})"
    else:
        label = capfirst(Asset._meta.get_field(name).verbose_name)
    return f"{label} · {name}"


def field_choices(target: str = "assets") -> list[tuple[str, str]]:
    names = FIELD_NAMES if target == "assets" else target_for(target).field_names
    return [("", _("— not imported —"))] + [(n, field_label(n, target)) for n in names]


#: What a word in a yes/no column may mean (``parse_bool`` reads both).
BOOL_CHOICES = [("yes", _("Yes")), ("no", _("No"))]


def value_fields(target: str = "assets") -> dict[str, list[tuple[str, str]]]:
    """The choice and yes/no fields of ``target`` whose words a mapping may translate
    (闲置 → idle, Freehold → yes), with their (value, label) choices."""
    spec = target_for(target)
    if target == "assets":
        fields = {field: list(enum.choices) for field, enum in VALUE_FIELDS.items()}
    else:
        fields = {
            f.name: list(spec.choices[f.choices].items())
            for f in spec.fields
            if f.kind == "choice" and f.choices
        }
    fields.update({f.name: list(BOOL_CHOICES) for f in spec.fields if f.kind == "bool"})
    return fields


class ImportForm(forms.Form):
    """Upload a register file and choose how it is read and what is written."""

    file = file_field(
        _("File"),
        _(
            "CSV (comma, semicolon, tab or pipe; UTF-8 or GBK) or XLSX. The first row names "
            "the columns; an export of this register reads back as it is."
        ),
        TABLE_FILES,
    )
    mapping = forms.ChoiceField(label=_("Column mapping"), required=False)
    run = radio_field(
        _("What to do"),
        [
            ("dry_run", _("Dry run: check every row and report, write nothing")),
            ("commit", _("Import: write the rows to the register")),
        ],
        "dry_run",
    )
    mode = radio_field(
        _("When some rows are rejected"),
        [
            ("all", _("All or nothing: write nothing at all")),
            ("valid", _("Valid rows only: write the rows that pass, report the others")),
        ],
        "all",
    )

    def clean_file(self):
        """Refuse what is plainly not a CSV or XLSX file here, before it is stored and queued."""
        upload = self.cleaned_data["file"]
        head = upload.read(SNIFF_BYTES)
        upload.seek(0)
        try:
            detect_kind(head, upload.name)
        except FileRejected as exc:
            raise forms.ValidationError(str(exc), code="rejected") from None
        return upload

    def __init__(self, *args, user, target: str = "assets", **kwargs):
        super().__init__(*args, **kwargs)
        names = ImportMapping.objects.filter(owner=user, target=target).values_list(
            "name", flat=True
        )
        self.fields["mapping"].choices = [
            ("", _("Automatic: match the file's headers to the fields")),
            *((n, n) for n in names),
        ]


class MappingForm(forms.Form):
    """A saved mapping: header → field, source words → values, and how to read the file.

    The columns are the headers of a sample file (read with the "Read headers" button), carried
    from one request to the next in the hidden ``headers`` field; each header gets a select of
    the import's fields. Under each choice field, rows of "word in the file → Panhuo value".
    """

    name = line_field(
        _("Name"),
        100,
        _("Saving under another name keeps the old mapping as it was."),
        required=False,
    )
    sample = file_field(
        _("Sample file"),
        _("A CSV or XLSX file from this source: its header row gives the columns."),
        TABLE_FILES,
        required=False,
    )
    headers = forms.CharField(widget=forms.HiddenInput, required=False)
    date_order = forms.ChoiceField(label=_("Dates"), choices=DATE_ORDERS, initial="dmy")
    amount_unit = forms.ChoiceField(label=_("Amounts are in"), choices=AMOUNT_UNITS, initial="yuan")
    crs = forms.CharField(
        label=_("Coordinate reference system"),
        required=False,
        max_length=64,
        help_text=_("Of the coordinates in the file, e.g. EPSG:27700; empty means WGS 84."),
        widget=forms.TextInput(attrs={"placeholder": "EPSG:4326", "class": "mono"}),
    )
    sheet = forms.CharField(
        label=_("Sheet (XLSX)"),
        required=False,
        max_length=100,
        help_text=_("Empty: the first sheet."),
    )
    encoding = forms.CharField(
        label=_("Text encoding (CSV)"),
        required=False,
        max_length=40,
        help_text=_("Empty: detect (UTF-8, else GB18030/GBK)."),
        widget=forms.TextInput(attrs={"placeholder": "gb18030", "class": "mono"}),
    )
    delimiter = forms.ChoiceField(label=_("Delimiter (CSV)"), choices=DELIMITERS, required=False)

    option_names = ("date_order", "amount_unit", "crs", "sheet", "encoding", "delimiter")

    def __init__(
        self, *args, headers: list[str] | None = None, values=None, target: str = "assets",
        constants=None, **kwargs,
    ):  # fmt: skip
        """``headers``: the columns to map; ``values``: {field: [(word, value), ...]} rows to
        show (a bound form counts its rows from the data); ``target``: the import the mapping
        reads files for (assets, or debts)."""
        super().__init__(*args, **kwargs)
        self.target = target
        spec = target_for(target)
        self.required_fields = spec.required
        if not any(f.kind == "coordinate" for f in spec.fields):
            # No coordinates to read: no coordinate system to ask for.
            del self.fields["crs"]
            self.option_names = tuple(n for n in self.option_names if n != "crs")
        if self.is_bound and headers is None:
            headers = self._headers_from(self.data.get("headers"))
        self.header_list = list(headers or [])
        self.initial.setdefault("headers", json.dumps(self.header_list, ensure_ascii=False))
        choices = field_choices(target)
        for i, header in enumerate(self.header_list):
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=header, choices=choices, required=False
            )
        self.value_names: dict[str, list[tuple[str, str]]] = {}
        self.value_choices = value_fields(target)
        for field, options in self.value_choices.items():
            rows = (values or {}).get(field, [])
            count = self._count_rows(field) if self.is_bound else len(rows) + SPARE_VALUE_ROWS
            pairs = []
            for j in range(count):
                src, dst = f"val_{field}_{j}_from", f"val_{field}_{j}_to"
                self.fields[src] = forms.CharField(
                    label=_("Word in the file"), required=False, max_length=100
                )
                self.fields[dst] = forms.ChoiceField(
                    label=_("Means"),
                    required=False,
                    choices=[("", "—"), *options],
                )
                if j < len(rows):
                    self.initial.setdefault(src, rows[j][0])
                    self.initial.setdefault(dst, rows[j][1])
                pairs.append((src, dst))
            self.value_names[field] = pairs
        # Fixed values: rows of "field → the value every row gets" (the file has no column).
        fixed = list((constants or {}).items())
        count = self._count_rows("const") if self.is_bound else len(fixed) + 1
        self.constant_names = []
        for j in range(count):
            name, value = f"val_const_{j}_from", f"val_const_{j}_to"
            self.fields[name] = forms.ChoiceField(
                label=_("Field"), required=False, choices=[("", "—"), *choices[1:]]
            )
            self.fields[value] = forms.CharField(
                label=_("Value in every row"), required=False, max_length=200
            )
            if j < len(fixed):
                self.initial.setdefault(name, fixed[j][0])
                self.initial.setdefault(value, fixed[j][1])
            self.constant_names.append((name, value))

    @staticmethod
    def _headers_from(raw) -> list[str]:
        try:
            headers = json.loads(raw or "[]")
        except ValueError:
            return []
        if not isinstance(headers, list):
            return []
        return [str(h)[:200] for h in headers if isinstance(h, str | int)][:500]

    def _count_rows(self, field: str) -> int:
        j = 0
        while f"val_{field}_{j}_from" in self.data or f"val_{field}_{j}_to" in self.data:
            j += 1
        return min(j, 200)

    # What the template walks.

    def column_rows(self):
        return [self[f"col_{i}"] for i in range(len(self.header_list))]

    def value_groups(self):
        return [
            {
                "field": field,
                "label": field_label(field, self.target).split(" · ")[0],
                "rows": [(self[s], self[d]) for s, d in pairs],
            }
            for field, pairs in self.value_names.items()
        ]

    def constant_rows(self):
        return [(self[f], self[v]) for f, v in self.constant_names]

    def option_fields(self):
        return [self[n] for n in self.option_names]

    # Validation.

    def clean_crs(self):
        crs = self.cleaned_data["crs"].strip()
        if normalise_crs(crs):
            from pyproj import CRS
            from pyproj.exceptions import CRSError

            try:
                CRS.from_user_input(normalise_crs(crs))
            except CRSError:
                raise forms.ValidationError(
                    _("Unknown coordinate reference system %(crs)s."), params={"crs": crs}
                ) from None
        return crs

    def clean_encoding(self):
        encoding = self.cleaned_data["encoding"].strip()
        if encoding:
            try:
                check_text_encoding(encoding)
            except FileRejected:
                raise forms.ValidationError(
                    _("Unknown text encoding %(enc)s."), params={"enc": encoding}
                ) from None
        return encoding

    def clean(self):
        cleaned = super().clean()
        seen: dict[str, str] = {}
        for i, header in enumerate(self.header_list):
            target = cleaned.get(f"col_{i}")
            if not target:
                continue
            if target in seen:
                self.add_error(
                    f"col_{i}",
                    _("Column “%(other)s” is already mapped to this field.")
                    % {"other": seen[target]},
                )
            seen[target] = header
        fixed_fields = {cleaned.get(f) for f, _v in self.constant_names} - {None, ""}
        if seen:
            for required in self.required_fields:
                if required not in seen and required not in fixed_fields:
                    self.add_error(
                        None,
                        _("Map a column to “%(field)s”: every row needs it.")
                        % {"field": field_label(required, self.target)},
                    )
        fixed: set[str] = set()
        for name, value in self.constant_names:
            field, text = cleaned.get(name), (cleaned.get(value) or "").strip()
            if field and not text:
                self.add_error(value, _("Type the value every row gets."))
            elif text and not field:
                self.add_error(name, _("Choose the field this value is for."))
            elif field in fixed:
                self.add_error(name, _("This field already has a fixed value."))
            elif field and field in seen:
                self.add_error(name, fixed_and_mapped(field))
            if field:
                fixed.add(field)
        for pairs in self.value_names.values():
            words: set[str] = set()
            for src, dst in pairs:
                word = (cleaned.get(src) or "").strip()
                # A word left without a meaning is not kept (the sample's words come pre-filled).
                if cleaned.get(dst) and not word:
                    self.add_error(src, _("Type the word used in the file."))
                elif word and word.lower() in words:
                    self.add_error(src, _("This word is mapped twice."))
                if word:
                    words.add(word.lower())
        return cleaned

    def mapping_parts(self) -> tuple[dict, dict, dict]:
        """(columns, values, options) for mapping_save, from a valid form."""
        d = self.cleaned_data
        columns = {
            header: d[f"col_{i}"] for i, header in enumerate(self.header_list) if d.get(f"col_{i}")
        }
        values = {}
        for field, pairs in self.value_names.items():
            words = {d[s].strip(): d[t] for s, t in pairs if (d.get(s) or "").strip() and d.get(t)}
            if words:
                values[field] = words
        options = {n: d[n] for n in self.option_names if d.get(n)}
        if options.get("delimiter") == "tab":
            options["delimiter"] = "\t"
        return columns, values, options

    def mapping_constants(self) -> dict[str, str]:
        """The fixed values (field → value) of a valid form."""
        d = self.cleaned_data
        return {d[f]: d[v].strip() for f, v in self.constant_names
                if d.get(f) and (d.get(v) or "").strip()}  # fmt: skip

    @staticmethod
    def initial_options(options: dict) -> dict:
        initial = {n: v for n, v in (options or {}).items() if n in MappingForm.option_names}
        if initial.get("delimiter") == "\t":
            initial["delimiter"] = "tab"
        return initial


class ImportRunFilterForm(ListFilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = choice_filter(_("Status"), ImportRun.Status.choices)
    target = choice_filter(
        _("Imports"),
        [("assets", _("Assets")), ("debts", _("Debts")), ("fiscal", _("Fiscal figures"))],
    )
