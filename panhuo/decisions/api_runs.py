"""API of stored scenario runs: save one (the scenarios' question and a title; scenario_run
.create and the scenarios' reads in the place), the list (search, filters, sort, pages as on
the list page), one run with its figures (debt.view in its place), and stored runs and
optimiser plans side by side (``GET /scenario-comparison``, as the comparison page)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from panhuo.core.api import actor, require_any
from panhuo.core.api_lists import detail_endpoint, list_endpoint
from panhuo.core.schemas import ERRORS, Id, ListFilters, Ordering, Text
from panhuo.decisions.api import ScenarioIn
from panhuo.decisions.compare import MEASURES, compare, gather
from panhuo.decisions.runs import RUN_ORDERINGS, get_run_for, run_list, scenario_run_save
from panhuo.finance.api import debt_place
from panhuo.organisation import policy

router = Router(tags=["decisions"])


class ScenarioRunIn(ScenarioIn):
    title: Text = Field("", max_length=120)


class ScenarioRunOut(Schema):
    id: int
    title: str
    jurisdiction_id: int
    on: dt.date
    seed: int
    scenarios: int
    asked: dict[str, Any]
    params: dict[str, Any]
    worst_miss: str = Field(description="The highest probability of a missed quarter.")
    ran_by: str
    ran_at: dt.datetime
    result: dict[str, Any] = Field(
        description="Per quarter the plan, P5/P50/P95, the debt "
        "service and the probability it is missed; the packages."
    )

    @staticmethod
    def resolve_ran_by(obj) -> str:
        return obj.ran_by.username

    @staticmethod
    def resolve_worst_miss(obj) -> str:
        return str(obj.worst_miss)


class ScenarioRunFilters(ListFilters):
    jurisdiction: Id | None = Field(None, description="This place and everything below it.")
    mine: bool = False
    on_from: dt.date | None = None
    on_to: dt.date | None = None
    ordering: Ordering(RUN_ORDERINGS) = "-ran_at"  # type: ignore[valid-type]


list_endpoint(router, "/scenario-runs", ScenarioRunOut, ScenarioRunFilters, "debt", run_list,
              name="scenario_run_index",
              doc="The stored scenario runs you may read, filtered and sorted.")  # fmt: skip


@router.post("/scenario-runs", response={201: ScenarioRunOut, **ERRORS})
def scenario_run_new(request: HttpRequest, payload: ScenarioRunIn):
    """Run the scenarios (as ``POST /scenarios``) and store the run with its figures: the head,
    deputy or office of the place. Bad input is a 400 naming the field and stores nothing."""
    require_any(request, "scenario_run", "create")
    user = actor(request)
    place = debt_place(user, payload.jurisdiction)
    if place is None:
        raise policy.NotPermitted(policy.refusal("debt", "view", one=False))
    params = payload.dict(exclude={"jurisdiction", "on", "title"})
    on = payload.on or timezone.localdate()
    stored = scenario_run_save(actor=user, place=place, on=on, params=params, title=payload.title)
    return Status(201, stored)


detail_endpoint(
    router, "/scenario-runs/{scenario_run_id}", ScenarioRunOut, "debt", get_run_for,
    name="scenario_run_detail",
    doc="One stored run with its parameters and figures (404 when hidden or unknown).",
)  # fmt: skip


class ComparisonQuery(Schema):
    run: list[Id] = Field(default_factory=list, description="Stored scenario runs (repeat).")
    plan: list[Id] = Field(
        default_factory=list, description="Finished optimiser plans, done or adopted (repeat)."
    )


@router.get("/scenario-comparison", response={200: dict[str, Any], **ERRORS})
def scenario_comparison(request: HttpRequest, query: Query[ComparisonQuery]):
    """Two to six stored scenario runs and optimiser plans side by side, as the comparison page
    shows them: each one's parameters (``differs`` marks those not all equal) and per quarter
    each measure's values in the order of ``items`` (null where one has none: a plan has no
    spread and no probability of a miss). debt.view in each one's place (package.view too, as
    the page); one the caller may not read is a 404; fewer than two or more than six a 400."""
    require_any(request, "package", "view")
    require_any(request, "debt", "view")
    asked = {k: list(dict.fromkeys(v)) for k, v in (("run", query.run), ("plan", query.plan)) if v}
    done = compare(gather(actor(request), asked))
    keys = [key for key, _label in MEASURES]
    return {
        "items": [{"kind": i.kind, "id": i.pk, "label": i.label, "url": i.url, "params": i.params}
                  for i in done["items"]],
        "params": done["params"],
        "measures": dict(zip(keys, done["measures"], strict=True)),
        "periods": [{"period": r["period"], "starts": r["starts"],
                     **dict(zip(keys, r["groups"], strict=True))} for r in done["rows"]],
    }  # fmt: skip
