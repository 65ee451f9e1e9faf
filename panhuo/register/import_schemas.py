"""API shapes of imports: column mappings, runs, their progress, reports and row errors."""

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from panhuo.core.schemas import ListFilters, Text
from panhuo.register.importing.report import shown_error

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
    constants: Annotated[dict[Text, Text], Field(max_length=100)] = Field(
        default_factory=dict,
        description="Field → the value every row gets, for a field the file has no column of, "
        'e.g. ``{"unit": "U1"}``. A field cannot have both a column and a fixed value.',
    )


#: The imports a mapping can serve.
MappingTarget = Literal["assets", "debts", "fiscal", "units", "users"]


class MappingIn(MappingBody):
    name: Text = Field(min_length=1, max_length=100)
    target: MappingTarget = Field("assets", description="The import the mapping reads for.")


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
    constants: dict[str, str]
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
    code: str = Field(
        "",
        description="What is wrong, for scripts: stable across languages (e.g. not_a_number, "
        "unknown_unit); empty for errors recorded before codes were kept.",
    )
    message: str = Field(description="The same, in the caller's language.")


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
    flags: list[RowErrorOut] = Field(
        [],
        description="Rows imported but worth a second look (a figure far from the place's other "
        "years, a limit below its balance); fiscal imports.",
    )


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
    message: str = Field(
        description="Why the file as a whole was rejected, or why the import failed or "
        "stopped, in the caller's language.",
    )
    message_code: str = Field(
        description="The same for scripts, stable across languages (e.g. limit_rows, "
        "no_header, worker_stopped); empty when there is no message or it has no code.",
    )
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    progress: ImportProgressOut

    @staticmethod
    def resolve_message(obj) -> str:
        return obj.shown_message

    @staticmethod
    def resolve_message_code(obj) -> str:
        return obj.message_code

    @staticmethod
    def resolve_progress(obj) -> dict:
        from panhuo.register.imports import import_progress

        return import_progress(obj)


class ImportRunDetailOut(ImportRunOut):
    mapping: dict[str, Any]
    report: ImportReportOut | None = Field(description="Counts and rejected rows, when done.")

    @staticmethod
    def resolve_report(obj) -> dict | None:
        if not obj.report:
            return None
        # Each row error in the caller's language (stored as code, msgid and values).
        return {**obj.report, "errors": [shown_error(e) for e in obj.report.get("errors", [])],
                "flags": [shown_error(e) for e in obj.report.get("flags", [])]}  # fmt: skip


ImportStatus = Literal["queued", "running", "succeeded", "rejected", "failed", "cancelled"]


class ImportRunFilters(ListFilters):
    status: ImportStatus | None = None
    target: Literal["assets", "debts", "fiscal"] | None = None
