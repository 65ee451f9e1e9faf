"""API of the fiscal monitor: categories, figures (list, set one, import a file), a
jurisdiction's summary and alerts, and the alert thresholds. Same permissions as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from panhuo.core.api import actor, referenced_jurisdiction, require_any
from panhuo.core.api_lists import list_endpoint
from panhuo.core.errors import ValidationError
from panhuo.core.schemas import (
    ERRORS,
    DecimalIn,
    Id,
    ListFilters,
    MoneyOut,
    Ordering,
    Text,
)
from panhuo.monitor import figures
from panhuo.monitor.importing import revenue_import
from panhuo.monitor.models import RevenueCategory
from panhuo.monitor.selectors import (
    REVENUE_ORDERINGS,
    alert_text,
    get_jurisdiction_for,
    monitor_jurisdictions,
    monitor_summary,
    revenue_list,
    thresholds_for,
)
from panhuo.monitor.services import revenue_set, thresholds_set
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction
from panhuo.register.importing.readers import FileRejected, detect_kind

router = Router(tags=["monitor"])
SignedMoney = DecimalIn(
    money=True,
    description="An amount in yuan as decimal text, at most 2 places; negative for net refunds; "
    "below 10^13 yuan either way.",
)
RevenueOrdering = Ordering(REVENUE_ORDERINGS)
Percent = DecimalIn(max_digits=6, places=2, minimum=Decimal(0), description='e.g. "40.00"')


class CategoryOut(Schema):
    code: str
    name: str
    name_zh: str
    parent: str | None
    budget: str
    leaf: bool


class RevenueOut(Schema):
    id: int
    jurisdiction_id: int
    jurisdiction_code: str
    month: dt.date
    category: str
    amount: MoneyOut
    updated_at: dt.datetime

    @staticmethod
    def resolve_jurisdiction_code(obj) -> str:
        return obj.jurisdiction.code

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.category.code


class RevenueFilters(ListFilters):
    q: Text = ""
    jurisdiction: Id | None = Field(None, description="This place and everything below it.")
    category: Text | None = Field(None, description="A category code (a total includes items).")
    year: int | None = Field(None, ge=1990, le=2100)
    ordering: RevenueOrdering = "-month"


class RevenueIn(Schema):
    model_config = ConfigDict(extra="forbid")

    jurisdiction: Id
    month: Text = Field(description="YYYY-MM (a full date is taken as its month).")
    category: Text = Field(description="A leaf category code, e.g. vat or fines.")
    amount: SignedMoney


class RevenueSetOut(Schema):
    outcome: Literal["new", "updated", "unchanged"]
    record: RevenueOut


class ImportIn(Schema):
    """The form fields sent with the file (multipart/form-data)."""

    commit: bool = Field(False, description="Write (otherwise a dry run: check only).")
    valid_only: bool = Field(False, description="With commit: write the valid figures only.")
    sheet: Text = Field("", max_length=100, description="XLSX sheet; default the first.")
    amount_unit: Literal["yuan", "wan", "yi"] = Field(
        "yuan", description="Unit of bare numbers (a header such as 金额（万元） overrides it)."
    )


class RevenueRowErrorOut(Schema):
    row: int
    column: str
    code: str = Field("", description="What is wrong, for scripts (stable across languages).")
    message: str = Field(description="The same, in the caller's language.")


class RevenueImportReportOut(Schema):
    rows: int
    new: int
    updated: int
    unchanged: int
    rejected: int
    committed: bool
    errors: list[RevenueRowErrorOut]
    error_count: int
    ignored_headers: list[str]


class SummaryQuery(Schema):
    jurisdiction: Id | None = Field(None, description="Default: the first place you may read.")
    year: int | None = Field(None, ge=1991, le=2100, description="Default: this year.")
    through: int | None = Field(None, ge=1, le=12, description="Default: last month with data.")


class RowOut(Schema):
    code: str
    label: str
    depth: int
    month: MoneyOut | None = Field(description="null: its budget has no record that month.")
    month_last_year: MoneyOut | None
    month_growth: Decimal | None
    ytd: MoneyOut | None = Field(description="null: a month of the period has no record.")
    ytd_last_year: MoneyOut | None
    ytd_growth: Decimal | None
    share: Decimal | None
    share_of_parent: Decimal | None


class AlertOut(Schema):
    code: str
    message: str
    figures: dict[str, str | None]


class SummaryOut(Schema):
    jurisdiction_id: int
    year: int
    through: int
    rows: list[RowOut]
    monthly: dict[str, list[MoneyOut | None]]
    land_dependence: Decimal | None
    alerts: list[AlertOut]


class AlertsOut(Schema):
    jurisdiction_id: int
    year: int
    through: int
    alerts: list[AlertOut]


class ThresholdsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    land_dependence_pct: Percent
    growth_margin_pct: Percent


class ThresholdsOut(Schema):
    jurisdiction_id: int
    land_dependence_pct: Decimal
    growth_margin_pct: Decimal
    set_by_jurisdiction_id: int | None = Field(description="Whose set applies; null: defaults.")


@router.get("/revenue/categories", response={200: list[CategoryOut], **ERRORS})
def revenue_categories(request: HttpRequest):
    """The revenue classification: budgets and their items; figures are entered for leaves."""
    require_any(request, "revenue", "view")
    rows = RevenueCategory.objects.select_related("parent").order_by("position", "code")
    parents = {r.parent_id for r in rows if r.parent_id}
    return [
        {
            "code": c.code,
            "name": c.name,
            "name_zh": c.name_zh,
            "parent": c.parent.code if c.parent else None,
            "budget": c.budget,
            "leaf": c.pk not in parents,
        }
        for c in rows
    ]


list_endpoint(
    router,
    "/revenue",
    RevenueOut,
    RevenueFilters,
    "revenue",
    revenue_list,
    doc="Figures you may read (a place's own and those below it), filtered and sorted.",
)


@router.put("/revenue", response={200: RevenueSetOut, **ERRORS})
def revenue_put(request: HttpRequest, payload: RevenueIn):
    """Enter or correct one month's figure of a leaf category (finance of the place)."""
    require_any(request, "revenue", "edit")
    user = actor(request)
    jurisdiction = referenced_jurisdiction(user, payload.jurisdiction, get_jurisdiction_for)
    category = RevenueCategory.objects.filter(code=payload.category).first()
    if category is None:
        raise ValidationError(
            {"category": [_("Unknown category “%(category)s”.") % {"category": payload.category}]}
        )
    record, outcome = revenue_set(
        actor=user, jurisdiction=jurisdiction, month=payload.month, category=category,
        amount=payload.amount,
    )  # fmt: skip
    return {"outcome": outcome, "record": record}


@router.post("/revenue/imports", response={200: RevenueImportReportOut, **ERRORS})
def revenue_import_new(request: HttpRequest, file: File[UploadedFile], details: Form[ImportIn]):
    """Upload a CSV or XLSX file of figures (multipart/form-data): a dry run unless ``commit``.

    The answer is the report: counts of new, updated, unchanged and rejected figures, and each
    rejection's row, column and reason. With rejections nothing is written unless
    ``valid_only``. Revenue files are small (a row per place, month and category), so the
    check runs at once rather than through the worker.
    """
    require_any(request, "revenue", "edit")
    if details.valid_only and not details.commit:
        raise ValidationError({"valid_only": [_("valid_only needs commit.")]})
    if file.size > settings.PANHUO["IMPORT_MAX_BYTES"]:
        raise ValidationError({"file": [_("The file is larger than the import limit.")]})
    head = file.read(8192)
    file.seek(0)
    try:
        detect_kind(head, file.name or "")
        report = revenue_import(
            actor=actor(request), stream=file, filename=file.name or "", commit=details.commit,
            valid_only=details.valid_only, sheet=details.sheet or None,
            amount_unit=details.amount_unit,
        )  # fmt: skip
    except FileRejected as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    return {
        "rows": report.rows,
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected,
        "committed": report.committed,
        "errors": [e.shown() for e in report.errors],
        "error_count": report.error_count,
        "ignored_headers": report.ignored_headers,
    }


def _place(request: HttpRequest, pk: int | None):
    require_any(request, "revenue", "view")
    user = actor(request)
    if pk is None:
        place = monitor_jurisdictions(user).first()
        if place is None:
            raise Jurisdiction.DoesNotExist
        return place
    return referenced_jurisdiction(user, pk, get_jurisdiction_for)


def _alert_out(a: figures.Alert) -> dict[str, Any]:
    return {
        "code": a.code,
        "message": alert_text(a),
        "figures": {k: (None if v is None else str(v)) for k, v in a.figures.items()},
    }


@router.get("/monitor/summary", response={200: SummaryOut, **ERRORS})
def monitor_summary_get(request: HttpRequest, query: Query[SummaryQuery]):
    """A place's revenue (its own plus everything below it you may read) for a year: every
    category's month and year-to-date figures with growth on last year, shares, the monthly
    series of the budgets, land dependence and the alerts."""
    out, s = _summary(request, query)
    return out | {
        "rows": [r.__dict__ for r in s.rows],
        "monthly": s.monthly,
        "land_dependence": s.land_dependence,
    }


@router.get("/monitor/alerts", response={200: AlertsOut, **ERRORS})
def monitor_alerts(request: HttpRequest, query: Query[SummaryQuery]):
    """Only the alerts of a place and year, each stating its figures."""
    return _summary(request, query)[0]


def _summary(request: HttpRequest, query: SummaryQuery):
    """The place's summary for the query, and the fields every answer about it starts with."""
    place = _place(request, query.jurisdiction)
    year = query.year or timezone.localdate().year
    s = monitor_summary(actor(request), place, year, query.through)
    out = {
        "jurisdiction_id": place.pk,
        "year": s.year,
        "through": s.through,
        "alerts": [_alert_out(a) for a in s.alerts],
    }
    return out, s


def _thresholds_out(place) -> dict[str, Any]:
    land, margin, owner = thresholds_for(place)
    return {
        "jurisdiction_id": place.pk,
        "land_dependence_pct": land,
        "growth_margin_pct": margin,
        "set_by_jurisdiction_id": owner.pk if owner else None,
    }


@router.get("/monitor/thresholds/{jurisdiction_id}", response={200: ThresholdsOut, **ERRORS})
def monitor_thresholds_get(request: HttpRequest, jurisdiction_id: Id):
    """The alert thresholds that apply in a place: its own, the nearest ancestor's, or the
    defaults."""
    return _thresholds_out(_place(request, jurisdiction_id))


@router.put("/monitor/thresholds/{jurisdiction_id}", response={200: ThresholdsOut, **ERRORS})
def monitor_thresholds_put(request: HttpRequest, jurisdiction_id: Id, payload: ThresholdsIn):
    """Set a place's own thresholds (head, deputy or finance of the place)."""
    require_any(request, "revenue_thresholds", "edit")
    place = _place(request, jurisdiction_id)
    if not policy.allowed(actor(request), "revenue_thresholds", "edit", jurisdiction=place):
        raise policy.NotPermitted(_("You may not set the thresholds of this place."))
    thresholds_set(actor=actor(request), jurisdiction=place, **payload.dict())
    return _thresholds_out(place)
