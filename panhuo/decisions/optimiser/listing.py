"""The optimiser runs the reader sees (plan_run.view in the run's place), for the runs' list:
searched by place or message, filtered by place (and below), status, plan date and the
reader's own, sorted by a public column name."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from panhuo.core.querying import narrowed, ordered
from panhuo.decisions.optimiser.models import OptimiserRun
from panhuo.organisation.models import Jurisdiction

RUN_ORDERINGS = {
    "id": "pk",
    "jurisdiction": "jurisdiction__path",
    "on": "on",
    "status": "status",
    "created_by": "created_by__username",
    "created_at": "created_at",
}


def optimiser_run_list(user, *, q: str = "", jurisdiction: int | None = None, status: str = "",
                       on_from: dt.date | None = None, on_to: dt.date | None = None,
                       mine: bool = False, ordering: str = "-created_at",
                       ) -> QuerySet[OptimiserRun]:  # fmt: skip
    qs = OptimiserRun.objects.visible_to(user).select_related("jurisdiction", "created_by")
    qs = narrowed(qs, q=q, search=("jurisdiction__name", "message"), status=status or None,
                  created_by_id=user.pk if mine else None, on__gte=on_from,
                  on__lte=on_to)  # fmt: skip
    if jurisdiction:
        place = Jurisdiction.objects.filter(pk=jurisdiction).first()
        qs = qs.filter(jurisdiction__path__startswith=place.path) if place else qs.none()
    return ordered(qs, ordering, RUN_ORDERINGS, "-created_at")
