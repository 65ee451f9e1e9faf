"""API shapes for the audit log."""

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from panhuo.core.schemas import Id, ListFilters, Ordering, Text

AUDIT_ORDERINGS = {"seq": "seq"}
AuditOrdering = Ordering(AUDIT_ORDERINGS)


class AuditEntryOut(Schema):
    seq: int
    created_at: dt.datetime
    actor_id: int | None
    actor_name: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    jurisdiction_path: str
    before: Any = None
    after: Any = None
    prev_hash: str
    hash: str
    sentence: str = Field(
        "", description="The entry as one sentence in the caller's language (names, not ids)."
    )

    @staticmethod
    def resolve_sentence(obj) -> str:
        from panhuo.integrity.readable import readable

        return readable([obj])[0].sentence


class AuditFilters(ListFilters):
    action: Text = Field("", max_length=64, description='e.g. "asset.update".')
    object_type: Text = Field("", max_length=64, description='e.g. "register.asset".')
    object_id: Text = Field("", max_length=64)
    actor: Id | None = None
    date_from: dt.date | None = Field(None, description="Entries on or after this day.")
    date_to: dt.date | None = Field(None, description="Entries on or before this day.")
    ordering: AuditOrdering = "-seq"


class VerifyOut(Schema):
    ok: bool
    checked: int = Field(description="Entries checked before stopping.")
    broken_seq: int | None = Field(description="The first broken entry, if any.")
    reason: str
