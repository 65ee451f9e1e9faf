"""Stored scenario runs (issue 20, item 4): saving one (permission checked, audit logged, one
transaction), reading them as the reader may, and re-running one to show its figures are
reproducible: the parameters used (the seed, and the failure rate as it was read) as of the same
day give the same figures while the place's packages and schedules are unchanged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from panhuo.core.errors import field_error
from panhuo.core.querying import narrowed, ordered, visible_one
from panhuo.decisions.models import ScenarioRun
from panhuo.decisions.pipeline import run
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction

RUN_ORDERINGS = {
    "ran_at": "ran_at",
    "on": "on",
    "title": "title",
    "jurisdiction": "jurisdiction__path",
    "seed": "seed",
    "scenarios": "scenarios",
    "worst_miss": "worst_miss",
}
#: The figures a re-run must give again (the rest says where the inputs came from).
FIGURES = ("params", "packages", "periods")


def scenario_run_save(*, actor, place, on: dt.date, params: dict, title: str = "") -> ScenarioRun:
    """Run the scenarios of ``place`` as of ``on`` with ``params`` and store the run with its
    figures. scenario_run.create and the scenarios' own reads (package.view, debt.view) in the
    place; bad input is a ValidationError naming the field and stores nothing."""
    policy.require(actor, "scenario_run", "create", jurisdiction=place)
    title = (title or "").strip()
    if len(title) > 120:
        raise field_error("title", _("The title is at most %(n)s characters.") % {"n": 120})
    asked = {k: v for k, v in params.items() if v is not None}
    out = run(actor, place, on=on, params=asked)
    worst = max((p["p_missed"] for p in out["periods"]), default=0)
    with transaction.atomic():
        row = ScenarioRun.objects.create(
            title=title, jurisdiction=place, on=on, seed=out["params"]["seed"],
            scenarios=out["params"]["scenarios"], asked=asked, params=out["params"],
            result=out, worst_miss=Decimal(str(worst)).quantize(Decimal("0.0001")), ran_by=actor,
        )  # fmt: skip
        audit_record(actor=actor, action="scenario_run.create", obj=row,
                     after=snapshot(row, ["title", "jurisdiction", "on", "seed", "scenarios",
                                          "params", "worst_miss"]),
                     jurisdiction_path=place.path)  # fmt: skip
    return row


def rerun(user, stored: ScenarioRun) -> dict:
    """The stored run's parameters run again as of its day, as ``user`` reads the records:
    ``same`` tells whether every figure came out as stored."""
    out = run(user, stored.jurisdiction, on=stored.on, params=dict(stored.params))
    same = all(out[k] == stored.result.get(k) for k in FIGURES)
    return {"same": same, "result": out}


def get_run_for(user, pk) -> ScenarioRun:
    """Run ``pk`` if ``user`` reads the debts of its place (else DoesNotExist)."""
    return visible_one(ScenarioRun, user, pk, "jurisdiction", "ran_by")


def run_list(user, *, q: str = "", jurisdiction: int | None = None, mine: bool = False,
             on_from: dt.date | None = None, on_to: dt.date | None = None,
             ordering: str = "-ran_at") -> QuerySet[ScenarioRun]:  # fmt: skip
    """The stored runs the reader may see: searched by title or place, filtered by place (and
    below), the reader's own (``mine``) and the as-of day."""
    qs = ScenarioRun.objects.visible_to(user).select_related("jurisdiction", "ran_by")
    qs = narrowed(qs, q=q, search=("title", "jurisdiction__name"),
                  ran_by_id=user.pk if mine else None, on__gte=on_from, on__lte=on_to)  # fmt: skip
    if jurisdiction:
        place = Jurisdiction.objects.filter(pk=jurisdiction).first()
        qs = qs.filter(jurisdiction__path__startswith=place.path) if place else qs.none()
    return ordered(qs, ordering, RUN_ORDERINGS, "-ran_at")
