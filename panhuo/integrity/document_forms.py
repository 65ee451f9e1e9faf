"""Forms of the document pages: the upload form of the Documents panel, the list's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.core.forms import choice_filter, file_field, line_field, search_field
from panhuo.core.lists import ListFilterForm
from panhuo.integrity.document_files import ACCEPT_ATTR
from panhuo.integrity.document_models import DocumentKind
from panhuo.integrity.document_registry import TARGETS


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = line_field(
        _("Title"), 200, _("The same kind and title again adds a new version; none is replaced.")
    )
    number = line_field(
        _("Document number"),
        100,
        _("The number the document carries (文号); an approval document needs it."),
        required=False,
    )
    file = file_field(
        _("File"),
        _("PDF, PNG, JPEG, XLSX, DOCX, CSV or TXT; the content must match the name."),
        ACCEPT_ATTR,
    )


class DocumentFilterForm(ListFilterForm):
    q = search_field(_("Title, file name or SHA-256"), max_length=200)
    kind = choice_filter(_("Kind"), DocumentKind.choices)
    target_type = choice_filter(_("Record type"), [(t.key, t.name) for t in TARGETS.values()])
    latest_only = forms.BooleanField(label=_("Latest versions only"), required=False)
