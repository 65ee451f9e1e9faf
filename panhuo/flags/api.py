"""API of red flags: the list (same filters as the page), one flag with its evidence, the
auditor's resolution, the rules, and a place's thresholds (read; set by the head or office).
Same permissions as the pages."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from panhuo.core.api import actor, require_any
from panhuo.core.api_lists import detail_endpoint, list_endpoint
from panhuo.core.schemas import ERRORS, Id, ListFilters, Ordering, Text
from panhuo.flags.models import FlagStatus, Resolution, Severity
from panhuo.flags.registry import RULES, params_for
from panhuo.flags.selectors import FLAG_ORDERINGS, flag_list, get_flag_for
from panhuo.flags.services import flag_resolve, thresholds_set
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction

router = Router(tags=["flags"])


class FlagLinkOut(Schema):
    type: str
    id: str
    code: str = ""
    label: str = Field(description="The record's name, in the caller's language.")
    url: str


class FlagOut(Schema):
    id: int
    rule: str
    title: str
    category: str
    severity: str
    status: str
    jurisdiction_id: int
    unit_id: int | None
    subject_type: str
    subject_id: str
    subject_label: str = Field(description="The record's name, in the caller's language.")
    subject_url: str
    explanation: str = Field(description="The evidence as a sentence, in the caller's language.")
    evidence: dict[str, Any]
    thresholds: dict[str, Any]
    links: list[FlagLinkOut]
    resolution: str
    comment: str
    resolved_at: dt.datetime | None
    first_seen: dt.datetime
    last_seen: dt.datetime
    cleared_at: dt.datetime | None

    @staticmethod
    def resolve_subject_label(obj) -> str:
        return obj.record_label

    @staticmethod
    def resolve_links(obj) -> list[dict]:
        return obj.records

    @staticmethod
    def resolve_category(obj) -> str:
        rule = obj.rule_def
        return rule.category if rule else ""


class FlagFilters(ListFilters):
    rule: Literal[tuple(RULES)] | None = None  # type: ignore[valid-type]
    category: Literal["price", "process", "people", "splitting", "value"] | None = None
    severity: Literal[tuple(Severity.values)] | None = None  # type: ignore[valid-type]
    status: Literal[tuple(FlagStatus.values)] | None = None  # type: ignore[valid-type]
    unit: Id | None = None
    jurisdiction: Id | None = Field(None, description="This place and everything below it.")
    older_than_days: int | None = Field(None, ge=0, le=36500)
    ordering: Ordering(FLAG_ORDERINGS) = "-severity"  # type: ignore[valid-type]

    def selector_kwargs(self) -> dict:
        data = super().selector_kwargs()
        for key in ("rule", "category", "severity", "status"):
            data[key] = data[key] or ""
        return data


list_endpoint(router, "/flags", FlagOut, FlagFilters, "flag", flag_list, name="flag_index",
              doc="The red flags you may see, filtered as on the list page.")  # fmt: skip


@router.get("/flags/rules", response={200: list[dict[str, Any]], **ERRORS})
def flag_rules(request: HttpRequest):
    """Every rule: code, kind, severity, label, source and its parameters' defaults."""
    require_any(request, "flag", "view")
    return [
        {"code": r.code, "category": r.category, "severity": str(r.severity),
         "label": str(r.label), "source": str(r.source),
         "params": [{"name": p.name, "default": str(p.default), "label": str(p.label),
                     "source": str(p.source)} for p in r.params]}
        for r in RULES.values()
    ]  # fmt: skip


detail_endpoint(router, "/flags/{flag_id}", FlagOut, "flag", get_flag_for)


class FlagResolveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    resolution: Literal[tuple(Resolution.values)]  # type: ignore[valid-type]
    comment: Text = Field(max_length=4000)


@router.post("/flags/{flag_id}/resolve", response={200: FlagOut, **ERRORS})
def flag_resolve_endpoint(request: HttpRequest, flag_id: Id, payload: FlagResolveIn):
    """The auditor's resolution of an open flag (justified, rectified, referred)."""
    require_any(request, "flag", "resolve")
    user = actor(request)
    flag = get_flag_for(user, flag_id)
    flag_resolve(actor=user, flag=flag, resolution=payload.resolution, comment=payload.comment)
    return get_flag_for(user, flag_id)


class FlagThresholdsOut(Schema):
    jurisdiction_id: int
    rule: str
    values: dict[str, str]


class FlagThresholdsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    values: dict[str, Text | None] = Field(
        description="Parameter name → value as text; blank or null follows the place above."
    )


def _place(request: HttpRequest, pk: int) -> Jurisdiction:
    require_any(request, "flag", "view")
    places = policy.jurisdictions_for(actor(request), "flag", "view")
    return places.get(pk=pk)


def _rule(code: str):
    if code not in RULES:
        raise Jurisdiction.DoesNotExist  # an unknown rule is a missing resource
    return RULES[code]


@router.get(
    "/flags/thresholds/{jurisdiction_id}/{rule}", response={200: FlagThresholdsOut, **ERRORS}
)
def flag_thresholds_get(request: HttpRequest, jurisdiction_id: Id, rule: str):
    """A rule's thresholds in force in a place (its own, inherited, or the defaults)."""
    place, r = _place(request, jurisdiction_id), _rule(rule)
    values = {k: str(v) for k, v in params_for(r, place).items()}
    return {"jurisdiction_id": place.pk, "rule": r.code, "values": values}


@router.put(
    "/flags/thresholds/{jurisdiction_id}/{rule}", response={200: FlagThresholdsOut, **ERRORS}
)
def flag_thresholds_put(
    request: HttpRequest, jurisdiction_id: Id, rule: str, payload: FlagThresholdsIn
):
    """Set a place's own values of a rule's parameters (the head or office of the place)."""
    require_any(request, "flag_thresholds", "set")
    place, r = _place(request, jurisdiction_id), _rule(rule)
    thresholds_set(actor=actor(request), jurisdiction=place, rule=r.code, values=payload.values)
    return flag_thresholds_get(request, jurisdiction_id, rule)
