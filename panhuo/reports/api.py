"""API of reports for superiors: list, read one (its figures), download its files, check it
against the records, and generate one. Same permissions as the pages."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import Field

from panhuo.core.api import (
    actor,
    referenced,
    referenced_jurisdiction,
    require_any,
    visible_unit,
)
from panhuo.core.api_lists import list_endpoint
from panhuo.core.lists import XLSX_TYPE
from panhuo.core.schemas import ERRORS, Id, ListFilters, Ordering, Text
from panhuo.disposal.selectors import get_project_for
from panhuo.reports import services
from panhuo.reports.selectors import REPORT_ORDERINGS, get_report_for, report_list

router = Router(tags=["reports"])


class ReportOut(Schema):
    id: int
    kind: str
    jurisdiction_id: int
    jurisdiction: str
    project_id: int | None
    as_of: dt.date
    period: str
    number: str
    title: str
    empty: bool
    xlsx_sha256: str
    pdf_sha256: str
    generated_by_id: int | None
    scheduled: bool
    generated_at: dt.datetime

    @staticmethod
    def resolve_jurisdiction(obj) -> str:
        return obj.jurisdiction.code


class ReportDetailOut(ReportOut):
    figures: dict


class ReportFilters(ListFilters):
    kind: Text = Field("", max_length=12)
    year: int | None = Field(None, ge=2000, le=2100)
    ordering: Ordering(REPORT_ORDERINGS) = "-as_of"  # type: ignore[valid-type]


class ReportIn(Schema):
    kind: Text = Field(max_length=12, description="monthly, work_report, dossier or debt_risk")
    jurisdiction: Id
    as_of: dt.date
    project: Id | None = Field(None, description="The disposal project of a dossier.")
    unit: Id | None = Field(None, description="The unit of a scorecard.")
    period: Text = Field("", max_length=2, description="A scorecard's period: Q1-Q4 or Y.")
    language: str = Field("zh-hans", pattern="^(zh-hans|en)$")


class ReportCheckOut(Schema):
    ok: bool
    same_pdf: bool
    differences: list[str]


list_endpoint(router, "/reports", ReportOut, ReportFilters, "report", report_list,
              doc="Stored reports you may read, newest first.")  # fmt: skip


@router.post("/reports", response={201: ReportDetailOut, **ERRORS})
def report_new(request: HttpRequest, payload: ReportIn):
    """Generate and store a report as of a day (the office or finance of the place): its
    figures from the records as of that day, its XLSX and PDF with their SHA-256."""
    require_any(request, "report", "generate")
    user = actor(request)
    jurisdiction = referenced_jurisdiction(user, payload.jurisdiction)
    project = None
    if payload.project is not None:
        project = referenced("project", "project", get_project_for, user, payload.project)
    unit = None
    if payload.unit is not None:
        unit = referenced("unit", "unit", visible_unit, user, payload.unit)
    report = services.generate(
        actor=user, kind=payload.kind, jurisdiction=jurisdiction, as_of=payload.as_of,
        project=project, unit=unit, period=payload.period, language=payload.language,
    )  # fmt: skip
    return Status(201, report)


@router.get("/reports/{pk}", response={200: ReportDetailOut, **ERRORS})
def report_get(request: HttpRequest, pk: int):
    """A stored report with its figures (money in yuan, exactly)."""
    require_any(request, "report", "view")
    return get_report_for(actor(request), pk)


def _file(request, pk: int, fmt: str, content_type: str) -> HttpResponse:
    require_any(request, "report", "view")
    report = get_report_for(actor(request), pk)
    response = HttpResponse(bytes(getattr(report, fmt)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="report-{report.pk}.{fmt}"'
    return response


@router.get("/reports/{pk}/pdf", response={200: None, **ERRORS})
def report_pdf(request: HttpRequest, pk: int):
    """The report's PDF, as generated (its SHA-256 is the report's ``pdf_sha256``)."""
    return _file(request, pk, "pdf", "application/pdf")


@router.get("/reports/{pk}/xlsx", response={200: None, **ERRORS})
def report_xlsx(request: HttpRequest, pk: int):
    """The report's XLSX workbook, as generated."""
    return _file(request, pk, "xlsx", XLSX_TYPE)


@router.get("/reports/{pk}/check", response={200: ReportCheckOut, **ERRORS})
def report_check(request: HttpRequest, pk: int):
    """Compute the report again from the records as of its date and compare every figure
    (nothing is written)."""
    require_any(request, "report", "view")
    check = services.regenerate(get_report_for(actor(request), pk))
    return {"ok": check.ok, "same_pdf": check.same_pdf, "differences": check.differences}
