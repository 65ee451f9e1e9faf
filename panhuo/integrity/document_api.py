"""API: documents on records — list, upload (multipart), metadata, versions, download."""

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from panhuo.core.api import PagePagination, actor, require_any
from panhuo.core.api_lists import detail_endpoint
from panhuo.core.schemas import CONFLICT_ERRORS as ERRORS
from panhuo.core.schemas import Id, ListFilters, Ordering, Text
from panhuo.integrity.document_models import Document, DocumentKind
from panhuo.integrity.document_registry import TARGETS
from panhuo.integrity.document_selectors import (
    DOCUMENT_ORDERINGS,
    document_history,
    document_list,
    get_document_for,
    get_target_for,
    target_spec,
)
from panhuo.integrity.document_services import document_open, document_upload
from panhuo.integrity.document_views import file_response

router = Router(tags=["documents"])

TargetType = Literal[tuple(TARGETS)]  # type: ignore[valid-type]
Kind = Literal[tuple(DocumentKind.values)]  # type: ignore[valid-type]


class DocumentOut(Schema):
    id: int
    target_type: str = Field(description="asset, package, project, receipt or debt.")
    target_id: int
    kind: str
    title: str
    number: str = Field(description="The document number (文号); blank when it has none.")
    version: int
    filename: str = Field(description="The name the file was uploaded under.")
    content_type: str = Field(description="Checked against both the extension and the content.")
    size: int = Field(description="Bytes.")
    sha256: str = Field(description="Checked again on every download.")
    uploaded_by: str
    uploaded_at: dt.datetime
    download_url: str

    @staticmethod
    def resolve_target_type(obj: Document) -> str:
        spec = target_spec(obj)
        return spec.key if spec else obj.target_type.model

    @staticmethod
    def resolve_version(obj: Document) -> int:
        return obj.revision

    @staticmethod
    def resolve_uploaded_by(obj: Document) -> str:
        return obj.uploaded_by.get_username()

    @staticmethod
    def resolve_download_url(obj: Document) -> str:
        return reverse("api:document_download", kwargs={"document_id": obj.pk})


class DocumentFilters(ListFilters):
    target_type: TargetType | None = Field(None, description="With target_id: one record's.")
    target_id: Id | None = None
    kind: Kind | None = None
    q: Text = Field("", max_length=200, description="In the title, file name or SHA-256 start.")
    latest_only: bool = Field(False, description="Only the newest version of each document.")
    ordering: Ordering(DOCUMENT_ORDERINGS) = "-uploaded_at"  # type: ignore[valid-type]


class DocumentForm(Schema):
    """The form fields sent with the file (multipart/form-data)."""

    target_type: TargetType
    target_id: Id
    kind: Kind
    title: Text = Field(max_length=200)
    number: Text = Field(
        "", max_length=100, description="The document number (文号); an approval needs it."
    )


@router.get("/documents", response={200: list[DocumentOut], **ERRORS})
@paginate(PagePagination)
def document_index(request: HttpRequest, filters: Query[DocumentFilters]):
    """Documents on records you may see. Name a record (target_type and target_id) to list
    its documents: a record you may not see answers 404."""
    require_any(request, "document", "view")
    user = actor(request)
    if filters.target_id is not None and filters.target_type:
        get_target_for(user, filters.target_type, filters.target_id)
    return document_list(
        user,
        q=filters.q.strip(),
        kind=filters.kind or "",
        target_type=filters.target_type or "",
        target_id=filters.target_id,
        latest_only=filters.latest_only,
        ordering=filters.ordering,
    )


@router.post("/documents", response={201: DocumentOut, **ERRORS})
def document_create(request: HttpRequest, file: File[UploadedFile], details: Form[DocumentForm]):
    """Upload a file to a record (multipart/form-data). Uploading again under the same record,
    kind and title adds the next version; no version is ever replaced. PDF, PNG, JPEG, XLSX,
    DOCX, CSV and TXT only (extension and content must agree), not empty, and no larger than
    the configured limit (20 MiB by default)."""
    require_any(request, "document", "view")
    user = actor(request)
    target = get_target_for(user, details.target_type, details.target_id)
    doc = document_upload(
        actor=user,
        target=target,
        kind=details.kind,
        title=details.title,
        file=file,
        number=details.number,
    )
    return Status(201, doc)


detail_endpoint(
    router, "/documents/{document_id}", DocumentOut, "document", get_document_for,
    doc="One document version's metadata.", errors=ERRORS,
)  # fmt: skip


@router.get("/documents/{document_id}/versions", response={200: list[DocumentOut], **ERRORS})
def document_versions(request: HttpRequest, document_id: Id):
    """Every version of this document (same record, kind and title), newest first."""
    require_any(request, "document", "view")
    user = actor(request)
    return list(document_history(user, get_document_for(user, document_id)))


@router.get(
    "/documents/{document_id}/download",
    response=ERRORS,
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, exactly as uploaded (its SHA-256 checked first).",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def document_download(request: HttpRequest, document_id: Id) -> HttpResponse:
    """The file. One whose stored bytes no longer match its SHA-256 is refused with 409 and
    reported in the audit log."""
    require_any(request, "document", "view")
    user = actor(request)
    doc = get_document_for(user, document_id)
    return file_response(doc, document_open(actor=user, document=doc))
