"""Document pages: the list, one document with its versions, upload to a record, download."""

from __future__ import annotations

import base64

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import (
    fetch_or_404,
    form_write,
    section_required,
)
from panhuo.integrity import document_files as files
from panhuo.integrity.document_forms import DocumentFilterForm, DocumentUploadForm
from panhuo.integrity.document_models import Document
from panhuo.integrity.document_registry import may_upload, target_of
from panhuo.integrity.document_selectors import (
    DOCUMENT_ORDERINGS,
    attach_targets,
    document_history,
    document_list,
    get_document_for,
    get_target_for,
    target_spec,
)
from panhuo.integrity.document_services import DocumentDamaged, document_open, document_upload


def file_response(doc: Document, data: bytes) -> HttpResponse:
    """The stored bytes as an attachment, under the name they were uploaded with."""
    response = HttpResponse(data, content_type=doc.content_type)
    response["Content-Disposition"] = content_disposition_header(True, doc.filename)
    response["Content-Length"] = str(len(data))
    digest = base64.b64encode(bytes.fromhex(doc.sha256)).decode()
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    response["ETag"] = f'"{doc.sha256}"'
    response["Cache-Control"] = "private, no-store"
    return response


CSV_COLUMNS = [
    "id",
    "record_type",
    "record_id",
    "kind",
    "title",
    "version",
    "filename",
    "content_type",
    "size",
    "sha256",
    "uploaded_by",
    "uploaded_at",
]


def _csv_row(d: Document) -> list:
    spec = target_spec(d)
    return [
        d.pk,
        spec.key if spec else d.target_type.model,
        d.target_id,
        d.kind,
        d.title,
        d.revision,
        d.filename,
        d.content_type,
        d.size,
        d.sha256,
        d.uploaded_by.get_username(),
        d.uploaded_at.isoformat(),
    ]


class DocumentList(ObjectList):
    """Exports one row per document version with its digest (the columns of CSV_COLUMNS)."""

    target, resource, filter_form = "documents", "document", DocumentFilterForm
    rows, orderings = document_list, DOCUMENT_ORDERINGS  # searches q itself
    export_name = "documents"
    columns = [
        Column("title", _l("Title")),
        Column("kind", _l("Kind")),
        Column("version", _l("Version"), numeric=True),
        Column("record", _l("Record")),
        Column("filename", _l("File")),
        Column("size", _l("Size"), numeric=True),
        Column("sha256", _l("SHA-256")),
        Column("uploaded_at", _l("Uploaded")),
    ]

    def decorate(self, rows):
        return attach_targets(rows)

    def export_header(self) -> list[str]:
        return CSV_COLUMNS

    def export_rows(self, qs):
        return (_csv_row(d) for d in qs.iterator(chunk_size=500))


document_list_view = DocumentList.as_view()


@section_required("document")
def document_detail_view(request, pk):
    doc = fetch_or_404(get_document_for, request.user, pk)
    (doc,) = attach_targets([doc])
    versions = attach_targets(document_history(request.user, doc))
    return render(
        request,
        "integrity/document_detail.html",
        {"doc": doc, "versions": versions},
    )


@section_required("document")
def document_download_view(request, pk):
    doc = fetch_or_404(get_document_for, request.user, pk)
    try:
        data = document_open(actor=request.user, document=doc)
    except DocumentDamaged as exc:
        return render(
            request,
            "integrity/document_damaged.html",
            {"doc": doc, "reason": str(exc)},
            status=409,
        )
    return file_response(doc, data)


@section_required("document")
def document_upload_view(request, target_type, target_id):
    """The upload form for one record (the Documents panel posts here)."""
    try:
        target = get_target_for(request.user, target_type, target_id)
    except ObjectDoesNotExist:
        raise Http404(_("No such record, or it is not visible to you.")) from None
    if not may_upload(request.user, target):
        raise PermissionDenied(_("You may not add documents to this record."))
    if request.method == "POST" and _too_large(request):
        # Refused before the body is read, so a huge upload is never spooled to disk.
        refusal = _("Nothing was saved: %(limit)s") % {
            "limit": files.too_large_message(files.max_bytes(), _upload_length(request))
        }
        return _upload_page(request, DocumentUploadForm(), target, status=400, refusal=refusal)
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        doc = form_write(
            request,
            form,
            lambda: document_upload(
                actor=request.user,
                target=target,
                kind=data["kind"],
                title=data["title"],
                file=data["file"],
                number=data.get("number", ""),
            ),
            lambda doc: (
                _("%(title)s, version %(n)s, stored (SHA-256 %(sha)s…).")
                % {"title": doc.title, "n": doc.revision, "sha": doc.sha256[:12]}
            ),
        )
        if doc is not None:
            return redirect(target.get_absolute_url() + "#documents")
    return _upload_page(request, form, target, status=400 if request.method == "POST" else 200)


#: Room for the form fields and multipart framing around the file itself.
_ENVELOPE = 64 * 1024


def _upload_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _too_large(request) -> bool:
    return _upload_length(request) > files.max_bytes() + _ENVELOPE


def _upload_page(request, form, target, *, status: int, refusal: str = ""):
    return render(
        request,
        "integrity/document_upload.html",
        {
            "form": form,
            "target": target,
            "target_name": target_of(target).name,
            "refusal": refusal,
        },
        status=status,
    )
