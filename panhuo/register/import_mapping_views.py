"""Import pages of saved column mappings: list, edit (reading a sample file's headers and
unknown words), delete; one set of pages per import (assets, debts, units, users). A mapping
is its owner's alone: anyone else gets a 404, as if it did not exist."""

from __future__ import annotations

from itertools import islice

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from panhuo.core.ui import form_write
from panhuo.register import import_mappings
from panhuo.register.import_forms import BOOL_CHOICES, MappingForm, value_fields
from panhuo.register.import_models import ImportMapping
from panhuo.register.import_views import MAPPING_PAGES
from panhuo.register.importing.engine import target_for
from panhuo.register.importing.fields import FIELD_NAMES
from panhuo.register.importing.readers import FileRejected, read_table
from panhuo.register.importing.values import FALSE_WORDS, TRUE_WORDS

#: Rows of a sample file read to find the words its choice columns use.
SAMPLE_ROWS = 5000
#: Characters of a sample file kept at most (the rows read stop there).
SAMPLE_CHARS = 4_000_000
#: Distinct unknown words offered per choice field.
SAMPLE_WORDS = 40


def _own_mapping(request, pk, target: str = "assets") -> ImportMapping:
    mapping = ImportMapping.objects.filter(owner=request.user, target=target, pk=pk).first()
    if mapping is None:
        raise Http404(_("No such mapping, or it is not yours."))
    return mapping


def _mapping_context(target: str, **more) -> dict:
    return {"pages": MAPPING_PAGES[target], "target": target, **more}


def _mapping_delete(request, pk, target: str):
    mapping = _own_mapping(request, pk, target)
    import_mappings.mapping_delete(actor=request.user, mapping=mapping)
    messages.success(request, _("Mapping “%(name)s” deleted.") % {"name": mapping.name})
    return redirect(MAPPING_PAGES[target]["list"])


def _mapping_list(request, target: str):
    mappings = ImportMapping.objects.filter(owner=request.user, target=target)
    return render(
        request, "register/import_mapping_list.html", _mapping_context(target, mappings=mappings)
    )


def _initial_from(mapping: ImportMapping) -> tuple[list[str], dict, dict]:
    # JSON objects keep no order on PostgreSQL (jsonb): show the columns in the fields' order.
    names = FIELD_NAMES if mapping.target == "assets" else target_for(mapping.target).field_names
    order = {name: i for i, name in enumerate(names)}
    headers = sorted(mapping.columns, key=lambda h: (order.get(mapping.columns[h], 10**6), h))
    values = {
        f: list((mapping.values or {}).get(f, {}).items()) for f in value_fields(mapping.target)
    }
    initial = {"name": mapping.name, **MappingForm.initial_options(mapping.options)}
    initial.update({f"col_{i}": mapping.columns[h] for i, h in enumerate(headers)})
    return headers, values, initial


def _mapping_edit(request, pk, target: str):
    mapping = _own_mapping(request, pk, target) if pk is not None else None
    context = _mapping_context(target, mapping=mapping, sample=None)
    if request.method != "POST":
        if mapping is not None:
            headers, values, initial = _initial_from(mapping)
            form = MappingForm(headers=headers, values=values, initial=initial, target=target,
                               constants=mapping.constants)  # fmt: skip
        else:
            form = MappingForm(headers=[], target=target)
        return render(request, "register/import_mapping_form.html", {**context, "form": form})
    form = MappingForm(request.POST, request.FILES, target=target)
    if request.POST.get("action") == "read":
        form, sample = _read_sample(form, request.FILES.get("sample"))
        return render(
            request,
            "register/import_mapping_form.html",
            {**context, "form": form, "sample": sample},
        )
    if form.is_valid():
        name = form.cleaned_data["name"].strip()
        if not name:
            form.add_error("name", _("The mapping needs a name."))
        else:
            columns, values, options = form.mapping_parts()
            saved = form_write(
                request,
                form,
                lambda: import_mappings.mapping_save(
                    actor=request.user, name=name, columns=columns, values=values,
                    options=options, target=target, constants=form.mapping_constants(),
                ),
                lambda saved: _("Mapping “%(name)s” saved.") % {"name": saved.name},
            )  # fmt: skip
            if saved is not None:
                return redirect(MAPPING_PAGES[target]["list"])
    return render(request, "register/import_mapping_form.html", {**context, "form": form})


def mapping_pages(target: str, required):
    """The list, edit and delete views of ``target``'s mappings, behind ``required``."""

    def listing(request):
        return _mapping_list(request, target)

    def edit(request, pk=None):
        return _mapping_edit(request, pk, target)

    def delete(request, pk):
        return _mapping_delete(request, pk, target)

    return required(listing), required(edit), require_POST(required(delete))


def _sample_rows(rows) -> list[list[str]]:
    """The sample's first rows, up to SAMPLE_ROWS or SAMPLE_CHARS characters in all: a wide
    sample of long cells (each within the import's limits) must not fill the web process."""
    kept, chars = [], 0
    for row in islice(rows, SAMPLE_ROWS):
        kept.append(row)
        chars += sum(map(len, row))
        if chars > SAMPLE_CHARS:
            break
    return kept


def _read_sample(form: MappingForm, sample):
    """The form again, with the sample's headers as its columns (keeping the choices already
    made for headers it had), and the sample's unknown words under each choice field."""
    form.is_valid()
    if sample is None:
        form.add_error("sample", _("Choose a sample file to read its headers."))
        return form, None
    opts = {n: form.cleaned_data.get(n) or None for n in ("sheet", "encoding", "delimiter")}
    if opts["delimiter"] == "tab":
        opts["delimiter"] = "\t"
    try:
        table = read_table(sample, filename=sample.name, **opts)
        rows = _sample_rows(table.rows)
    except FileRejected as exc:
        form.add_error("sample", str(exc))
        return form, None
    headers = table.headers
    previous = {h: form.data.get(f"col_{i}", "") for i, h in enumerate(form.header_list)}
    auto = target_for(form.target).auto_columns(headers)
    columns = {h: previous[h] if h in previous else auto.get(h, "") for h in headers}
    values = _sample_words(form, headers, columns, rows)
    initial = {n: form.data.get(n, "") for n in ("name", *MappingForm.option_names)}
    initial.update({f"col_{i}": columns[h] for i, h in enumerate(headers)})
    constants = {form.data.get(f): (form.data.get(v) or "").strip()
                 for f, v in form.constant_names if form.data.get(f)}  # fmt: skip
    new_form = MappingForm(headers=headers, values=values, initial=initial, target=form.target,
                           constants=constants)  # fmt: skip
    info = {
        "name": sample.name,
        "kind": table.kind,
        "encoding": table.encoding,
        "delimiter": {"\t": _("tab")}.get(table.delimiter, table.delimiter),
        "sheet": table.sheet,
        "sheets": table.sheets,
        "columns": len(headers),
        "matched": sum(1 for f in columns.values() if f),
        "rows": len(rows),
    }
    return new_form, info


def _sample_words(form: MappingForm, headers, columns, rows) -> dict[str, list[tuple[str, str]]]:
    """Value rows per choice field: those already typed, then the sample's words that the
    import would not understand by itself."""
    values: dict[str, list[tuple[str, str]]] = {}
    # Words every file of the target is read with (一般债券 for a general bond) need no row.
    common = target_for(form.target).words
    for field, options in form.value_choices.items():
        kept = [
            (form.data.get(s, "").strip(), form.data.get(d, ""))
            for s, d in form.value_names[field]
            if form.data.get(s, "").strip()
        ]
        known = {str(c).lower() for c, _label in options}
        known |= {str(label).lower() for _c, label in options}
        known |= {w.lower() for w in common.get(field, {})}
        known |= {w.lower() for w, _d in kept}
        if options == BOOL_CHOICES:  # a yes/no field: the words parse_bool reads need no row
            known |= TRUE_WORDS | FALSE_WORDS
        found: list[str] = []
        for i, h in enumerate(headers):
            if columns.get(h) != field:
                continue
            for row in rows:
                word = row[i].strip() if i < len(row) else ""
                if word and word.lower() not in known:
                    known.add(word.lower())
                    found.append(word)
                    if len(found) >= SAMPLE_WORDS:
                        break
        values[field] = kept + [(w, "") for w in found]
    return values
