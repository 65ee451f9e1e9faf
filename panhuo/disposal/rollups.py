"""Disposal's roll-up (``ProjectRollup``): projects counted per jurisdiction and state, kept in
the same transaction as each project's creation and transition (README, "Roll-ups"), read by
the dashboard summed up the jurisdiction tree.

``refresh(jurisdiction_ids)`` recomputes those places' rows (a place holds a few hundred
projects at most): the one call the services and any bulk writer make.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, F, Sum

from panhuo.core import rollups
from panhuo.disposal.models import DisposalProject, ProjectRollup
from panhuo.organisation import policy
from panhuo.organisation.models import Role
from panhuo.organisation.rollups import per_place


def _compute(ids: list[int] | None):
    qs = DisposalProject.objects.all()
    if ids is not None:
        qs = qs.filter(package__jurisdiction_id__in=ids)
    return (
        qs.values("status", jurisdiction_id=F("package__jurisdiction_id"))
        .annotate(n=Count("id"))
        .order_by()
    )


PROJECTS = per_place("projects", ProjectRollup, ("n",), _compute)


def refresh(jurisdiction_ids: Iterable[int]) -> None:
    """Recompute these places' rows, inside the caller's transaction."""
    rollups.refresh(PROJECTS, jurisdiction_ids)


def counts_by_status(user) -> list[dict] | None:
    """Projects per state over the places whose projects the user may view, summed up the tree
    from the roll-up; None for a unit asset officer (who sees the projects of packages holding
    their unit's assets, which a per-place count does not hold: the caller counts those)."""
    if policy.has_role(user, Role.UNIT_OFFICER):
        return None
    return list(
        ProjectRollup.objects.filter(
            policy.scope_q(user, "project", "view", path="jurisdiction__path")
        )
        .values("status")
        .annotate(n=Sum("n"))
        .order_by("status")
    )
