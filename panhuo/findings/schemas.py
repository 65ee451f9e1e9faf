"""The API's shapes of audit findings."""

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from panhuo.core.schemas import Id, ListFilters, Ordering, Text
from panhuo.findings.models import FindingStatus, RecordKind, Severity
from panhuo.findings.selectors import FINDING_ORDERINGS
from panhuo.findings.workflow import STEP_NAMES

FindingOrdering = Ordering(FINDING_ORDERINGS)


class FindingFilters(ListFilters):
    q: Text = Field("", max_length=200, description="Code, title, record or text contains.")
    state: Literal["open", "resolved"] | None = None
    status: FindingStatus | None = None
    severity: Severity | None = None
    record_kind: RecordKind | None = None
    record_id: Id | None = None
    unit: Id | None = None
    flag_id: Id | None = None
    jurisdiction: Id | None = Field(None, description="This jurisdiction and those below it.")
    ordering: FindingOrdering = "-raised_at"  # type: ignore[valid-type]


class FindingOut(Schema):
    id: int
    code: str
    record_kind: RecordKind
    record_id: int
    record_label: str
    jurisdiction_id: int
    unit_id: int | None
    flag_id: int | None
    title: str
    description: str
    severity: Severity
    status: FindingStatus
    raised_by_id: int
    raised_at: dt.datetime
    resolved_at: dt.datetime | None


class FindingEventOut(Schema):
    step: str
    from_status: str
    to_status: str
    comment: str
    actor_id: int
    at: dt.datetime


class FindingDetailOut(FindingOut):
    events: list[FindingEventOut]


class FindingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    record_kind: RecordKind
    record_id: Id
    title: Text = Field(..., min_length=1, max_length=200)
    description: Text = Field(..., min_length=1, max_length=5000)
    severity: Severity = Severity.MEDIUM


class FindingStepIn(Schema):
    model_config = ConfigDict(extra="forbid")

    step: Literal[STEP_NAMES]  # type: ignore[valid-type]
    comment: Text = Field(..., min_length=1, max_length=5000)


class FindingCommentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    comment: Text = Field(..., min_length=1, max_length=5000)


class CountsOut(Schema):
    key: str | None
    total: int
    open: int
    by_status: dict[str, int]


class FindingStatsOut(Schema):
    total: int
    from_flags: int
    oldest_open_days: int | None
    by_unit: list[CountsOut]
    by_kind: list[CountsOut]
    by_severity: list[CountsOut]


class StatsQuery(Schema):
    jurisdiction: Id | None = Field(None, description="This jurisdiction and those below it.")
