"""Stored scenario runs side by side (issue 20, item 4): the parameters of each, those that
differ marked, and per quarter each one's proceeds (P5, P50, P95), debt service and probability
of a missed quarter in adjacent columns.

What can be compared is registered in ``SOURCES`` by the query parameter that names it: a
getter ``(user, pk) -> Compared``. ``run=<id>``: a stored scenario run; ``plan=<id>``: a
finished optimiser plan (done or adopted; plan_run.view in its place), its quarters' cash from
the plan as P50 and its debt service (a plan has no spread and no probability of a miss: those
cells are left blank).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from panhuo.core.errors import field_error
from panhuo.core.querying import id_or_missing
from panhuo.decisions.optimiser.models import OptimiserRun, RunStatus
from panhuo.decisions.runs import get_run_for

#: Each quarter's measures, in the order of the column groups.
MEASURES = [
    ("p5", "P5"),
    ("p50", "P50"),
    ("p95", "P95"),
    ("service", _l("Debt service")),
    ("p_missed", _l("Probability missed")),
]
MAX_COMPARED = 6


@dataclass
class Compared:
    """One thing compared: what it is, its parameters and its quarters (dicts with ``period``,
    ``starts`` and the ``MEASURES`` it has)."""

    kind: str
    pk: int
    label: str
    url: str
    params: dict
    periods: list[dict]


def from_run(stored) -> Compared:
    params = {"jurisdiction": stored.jurisdiction.name, "on": stored.on.isoformat(),
              **stored.params}  # fmt: skip
    return Compared("run", stored.pk, str(stored), stored.get_absolute_url(), params,
                    stored.result["periods"])  # fmt: skip


def from_plan(user, pk) -> Compared:
    """Optimiser run ``pk`` if finished with a plan and ``user`` may see it (else DoesNotExist)."""
    found = (
        OptimiserRun.objects.visible_to(user)
        .filter(status__in=[RunStatus.DONE, RunStatus.ADOPTED])
        .select_related("jurisdiction")
        .get(pk=id_or_missing(pk, OptimiserRun))
    )
    r = found.result
    params = {"jurisdiction": found.jurisdiction.name, "on": found.on.isoformat(),
              **found.params, "value_lost": r.get("value_lost"),
              "gap_pct": r.get("gap_pct")}  # fmt: skip
    periods = [{"period": p["period"], "starts": p["starts"], "p50": p["cash"],
                "service": p["service"]} for p in r.get("periods", [])]  # fmt: skip
    label = _("Plan %(id)s (%(status)s)") % {"id": found.pk, "status": found.get_status_display()}
    return Compared("plan", found.pk, label, found.get_absolute_url(), params, periods)


SOURCES: dict[str, Callable[..., Compared]] = {
    "run": lambda user, pk: from_run(get_run_for(user, pk)),
    "plan": from_plan,
}


def gather(user, asked: dict[str, list[int]]) -> list[Compared]:
    """The things named (``{"run": [3, 5]}``) as ``user`` may read them (a hidden or missing
    one is the model's DoesNotExist); fewer than two or more than ``MAX_COMPARED`` is refused."""
    items = [SOURCES[kind](user, pk) for kind, pks in asked.items() for pk in dict.fromkeys(pks)]
    if not 2 <= len(items) <= MAX_COMPARED:
        raise field_error("run", _("Choose between %(low)s and %(high)s runs or plans to "
                                   "compare (%(n)s chosen).")
                          % {"low": 2, "high": MAX_COMPARED, "n": len(items)})  # fmt: skip
    return items


def compare(items: list[Compared]) -> dict:
    """The comparison: ``params`` (name, one value per item, whether they differ) and ``rows``
    (one per quarter: for each measure the items' values side by side, None where absent)."""
    names = list(dict.fromkeys(n for item in items for n in item.params))
    params = []
    for name in names:
        values = [item.params.get(name) for item in items]
        params.append({"name": name, "values": values,
                       "differs": len({repr(v) for v in values}) > 1})  # fmt: skip
    n = max(len(item.periods) for item in items)
    rows = []
    for t in range(n):
        at = [item.periods[t] if t < len(item.periods) else {} for item in items]
        starts = next((p["starts"] for p in at if p.get("starts")), "")
        rows.append({"period": t + 1, "starts": starts,
                     "groups": [[p.get(key) for p in at] for key, _label in MEASURES]})  # fmt: skip
    return {"items": items, "params": params, "rows": rows,
            "measures": [str(label) for _key, label in MEASURES]}  # fmt: skip
