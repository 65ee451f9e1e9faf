"""API shapes for the register in depth: classification codes, imports and their mappings,
scope rules, proposals and decisions, and saved filters."""

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from panhuo.core.lists import TARGETS
from panhuo.core.schemas import Id, ListFilters, Money, MoneyOut, Text

# --- Classification codes ----------------------------------------------------------------------


class ClassificationFilters(Schema):
    q: Text = Field("", max_length=200, description="Search in code and name.")
    parent: Text = Field("", max_length=32, description="Only the codes directly under this code.")
    level: int | None = Field(None, ge=1, le=20, description="Only codes at this depth (1 = top).")


class ClassificationOut(Schema):
    id: int
    code: str
    name: str
    parent: str | None = Field(description="The parent's code; null at the top.")
    level: int
    has_children: bool

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


# --- Import mappings ---------------------------------------------------------------------------

#: Mapping options: date_order (dmy|mdy), amount_unit (yuan|wan|yi), crs, sheet, encoding,
#: delimiter.
Options = Annotated[dict[Text, Text | int | bool | None], Field(max_length=20)]


class MappingBody(Schema):
    """How one source's files are read. ``columns`` maps each file header to a field name (the
    headers of an export map themselves); ``values`` maps a source word to a Panhuo value per
    field, e.g. ``{"kind": {"House": "building"}}``."""

    model_config = ConfigDict(extra="forbid")

    columns: Annotated[dict[Text, Text], Field(max_length=500)] = Field(default_factory=dict)
    values: Annotated[dict[Text, dict[Text, Text]], Field(max_length=100)] = Field(
        default_factory=dict
    )
    options: Options = Field(default_factory=dict)


class MappingIn(MappingBody):
    name: Text = Field(min_length=1, max_length=100)


class MappingPut(MappingBody):
    name: Text | None = Field(
        None, min_length=1, max_length=100, description="The mapping's name (it cannot change)."
    )


class MappingOut(Schema):
    id: int
    name: str
    target: str
    columns: dict[str, str]
    values: dict[str, dict[str, str]]
    options: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


# --- Import runs -------------------------------------------------------------------------------


class ImportForm(Schema):
    """The form fields sent with the file (multipart/form-data)."""

    mapping_name: Text = Field(
        "", max_length=100, description="The name of one of your saved mappings."
    )
    mapping: Text = Field(
        "",
        max_length=200_000,
        description="Or a mapping as JSON text: {columns, values, options}. Neither: the "
        "headers are matched to fields automatically.",
    )
    commit: bool = Field(False, description="Write the rows (otherwise a dry run: check only).")
    valid_only: bool = Field(
        False, description="Write the valid rows even if some are rejected (default: all or none)."
    )


class RowErrorOut(Schema):
    row: int = Field(description="Row number as counted in the file (the header is row 1).")
    column: str
    message: str


class ImportReportOut(Schema):
    rows: int
    new: int
    updated: int
    unchanged: int
    rejected: int
    error_count: int
    committed: bool
    errors: list[RowErrorOut] = Field(description="The rejected rows' errors (the first 1000).")
    columns: dict[str, str] = Field(description="File header → field, as used.")
    ignored_headers: list[str]


class ImportProgressOut(Schema):
    rows: int = Field(description="Rows read so far.")
    bytes: int | None = Field(description="Bytes of the file read so far (while running).")
    size: int = Field(description="The file's size in bytes.")
    finished: bool


class ImportRunOut(Schema):
    id: int
    status: Literal["queued", "running", "succeeded", "rejected", "failed", "cancelled"]
    file_name: str
    file_size: int
    file_sha256: str
    mapping_name: str
    commit: bool
    valid_only: bool
    message: str = Field(description="Why the file as a whole was rejected, if it was.")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    progress: ImportProgressOut

    @staticmethod
    def resolve_progress(obj) -> dict:
        from panhuo.register.imports import import_progress

        return import_progress(obj)


class ImportRunDetailOut(ImportRunOut):
    mapping: dict[str, Any]
    report: ImportReportOut | None = Field(description="Counts and rejected rows, when done.")

    @staticmethod
    def resolve_report(obj) -> dict | None:
        return obj.report or None


# --- Scope -------------------------------------------------------------------------------------


class JurisdictionQuery(Schema):
    jurisdiction: Id = Field(description="Id of the jurisdiction.")


class ProposalFilters(JurisdictionQuery):
    included: bool | None = Field(None, description="true: candidates only; false: exclusions.")


class ProposalAssetOut(Schema):
    id: int
    code: str
    name: str
    unit: str = Field(description="The holding unit's code.")

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.code


class ProposalOut(Schema):
    asset: ProposalAssetOut
    included: bool
    reasons: list[str] = Field(description="Why it is in (or the reasons it is out).")


class ScopeRulesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    min_idle_months: int = Field(ge=0, le=1200)
    include_under_used: bool
    exclude_supporting: bool
    require_clear_title: bool
    require_unencumbered: bool
    min_value: Money


class ScopeRulesOut(Schema):
    jurisdiction: int
    inherited_from: int | None = Field(
        description="Id of the jurisdiction whose rules apply here; null: the defaults."
    )
    min_idle_months: int
    include_under_used: bool
    exclude_supporting: bool
    require_clear_title: bool
    require_unencumbered: bool
    min_value: MoneyOut
    updated_at: dt.datetime | None


class ScopeDecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    jurisdiction: Id
    include: list[Id] | None = Field(
        None,
        max_length=1_000_000,
        description="The candidates confirmed (default: every candidate of the rules).",
    )
    note: Text = Field("", max_length=2000)


class ScopeDecisionFilters(ListFilters):
    jurisdiction: Id | None = None
    date_from: dt.date | None = Field(None, description="Decided on or after this day.")
    date_to: dt.date | None = Field(None, description="Decided on or before this day.")


ImportStatus = Literal["queued", "running", "succeeded", "rejected", "failed", "cancelled"]


class ImportRunFilters(ListFilters):
    status: ImportStatus | None = None
    target: Literal["assets", "debts"] | None = None


class JurisdictionRefOut(Schema):
    id: int
    code: str
    name: str


class ScopeDecisionOut(Schema):
    id: int
    jurisdiction: JurisdictionRefOut
    decided_by: str
    decided_at: dt.datetime
    note: str
    rules: dict[str, Any]
    included_count: int
    excluded_count: int

    @staticmethod
    def resolve_decided_by(obj) -> str:
        return obj.decided_by.get_username()


class ScopeDecisionItemOut(Schema):
    asset: ProposalAssetOut
    included: bool
    reasons: list[str]


class ScopeDecisionDetailOut(ScopeDecisionOut):
    items: list[ScopeDecisionItemOut]

    @staticmethod
    def resolve_items(obj) -> list:
        return obj.items_list


# --- Saved filters -----------------------------------------------------------------------------

SavedFilterTarget = Literal[TARGETS]  # type: ignore[valid-type]


class SavedFilterFilters(Schema):
    target: SavedFilterTarget | None = None


class SavedFilterIn(Schema):
    model_config = ConfigDict(extra="forbid")

    target: SavedFilterTarget = Field(description="The list the filter is for.")
    name: Text = Field(min_length=1, max_length=100)
    query: Text = Field(
        "", max_length=2000, description="The list's query string, e.g. kind=land&status=idle."
    )


class SavedFilterOut(Schema):
    id: int
    target: str
    name: str
    query: str
    created_at: dt.datetime
