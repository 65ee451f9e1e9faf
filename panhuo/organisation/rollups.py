"""Roll-ups kept per jurisdiction (``core.rollups``): the row every such table extends and
the one way they are declared, locked and named (``panhuo rollups verify``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models

from panhuo.core import rollups
from panhuo.organisation.models import Jurisdiction


class PlaceRollupRow(rollups.RollupRow):
    """A row of one jurisdiction's own records (not its descendants'), summed up the tree by
    its readers."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


def where(jurisdiction_id: int) -> str:
    """The place a ``verify`` disagreement is in, as its reader knows it."""
    j = Jurisdiction.objects.filter(pk=jurisdiction_id).first()
    return f"{j.name} ({j.path})" if j else f"jurisdiction {jurisdiction_id}"


def per_place(
    name: str,
    model: type[PlaceRollupRow],
    figures: tuple[str, ...],
    compute: Callable[[list[int] | None], Iterable[dict[str, Any]]],
) -> rollups.Rollup:
    """Register the roll-up ``model`` keyed by jurisdiction: its groups are the rest of its key
    (``core.rollups.row_meta``), a place's rows are recomputed under a lock on the place."""
    groups = tuple(model._meta.constraints[0].fields[1:])
    rollup = rollups.Rollup(
        name=name, model=model, key="jurisdiction_id", groups=groups, figures=figures,
        compute=compute, lock=Jurisdiction, where=where,
    )  # fmt: skip
    return rollups.register(rollup)
