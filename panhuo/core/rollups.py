"""Roll-ups: summary rows an app keeps over its own base tables (README, "Roll-ups").

Each owning app declares its summary tables here (a :class:`Rollup`: the table, the column
naming the place a row sums — a holding unit or a jurisdiction —, the columns grouping within
it and the figures) and calls :func:`refresh` with the places a write touched, inside the
write's transaction. ``refresh`` recomputes those places' rows from the base tables (delete and
insert, under a lock on each place's row so that concurrent writers to one place queue), so a
roll-up is exactly what a recomputation gives, whatever the write was; `panhuo rollups verify`
compares every row with a fresh recomputation and `rebuild` recomputes every place.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.db import models, transaction

from panhuo.core.bulk import insert_rows

#: How many places one statement recomputes (SQLite's limit on query parameters is far above).
CHUNK = 500


def total_field(verbose_name) -> models.DecimalField:
    """A sum of amounts: room for a province's million book values (each up to 20 digits)."""
    return models.DecimalField(verbose_name, max_digits=32, decimal_places=2, default=Decimal(0))


class RollupRow(models.Model):
    """A roll-up table's row, one per key: the fields of its unique constraint (the place it
    sums, then its groups; see :func:`row_meta`). ``__str__`` shows the key and the ``shown``
    figure."""

    shown: ClassVar[str] = "n"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        key = self._meta.constraints[0].fields
        named = " ".join(str(getattr(self, self._meta.get_field(f).attname)) for f in key)
        return f"{named}: {getattr(self, self.shown)}"


def row_meta(verbose_name, verbose_name_plural, key: list[str], name: str, **more: Any) -> type:
    """The ``Meta`` of a :class:`RollupRow` model: its names and its key, one row per key
    (the unique constraint ``name``); ``more``: other options (its indexes)."""
    constraint = models.UniqueConstraint(fields=key, name=name)
    options = {"verbose_name": verbose_name, "verbose_name_plural": verbose_name_plural}
    return type("Meta", (), {**options, "constraints": [constraint], **more})


@dataclass(frozen=True)
class Rollup:
    """A summary table: ``model``'s rows are keyed by ``key`` (the place's id column, e.g.
    ``unit_id``) and ``groups``; ``figures`` are its summed columns. ``compute(ids)`` answers
    the rows recomputed from the base tables for those places (all places when ``None``), as
    dicts with the key, the groups and the figures; ``lock`` is the model of the place, whose
    rows are locked before a place is recomputed; ``where`` names a place for ``verify``."""

    name: str
    model: type[models.Model]
    key: str
    groups: tuple[str, ...]
    figures: tuple[str, ...]
    compute: Callable[[list[int] | None], Iterable[dict[str, Any]]]
    lock: type[models.Model]
    where: Callable[[int], str]


REGISTRY: dict[str, Rollup] = {}

_shared = threading.local()


@contextmanager
def sharing() -> Iterator[None]:
    """Within it, :func:`shared` answers each key's first computation again: for a command
    that rebuilds or verifies every roll-up, so that roll-ups computed from one pass over the
    base tables (finance's four risk roll-ups) read them once, not once each. Never around
    writes: the answers do not follow the tables."""
    _shared.memo = {}
    try:
        yield
    finally:
        _shared.memo = None


def shared(key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, or inside :func:`sharing` the answer it gave for ``key`` there."""
    memo = getattr(_shared, "memo", None)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def register(rollup: Rollup) -> Rollup:
    REGISTRY[rollup.name] = rollup
    return rollup


def _rows(rollup: Rollup, ids: list[int] | None) -> list[models.Model]:
    out = []
    for row in rollup.compute(ids):
        if not any(row[f] for f in rollup.figures):
            continue  # a place with nothing keeps no row: a missing row reads as zero
        out.append(
            rollup.model(**{k: row[k] for k in (rollup.key, *rollup.groups, *rollup.figures)})
        )
    return out


def refresh(rollup: Rollup, ids: Iterable[int | None]) -> None:
    """Recompute the rows of the places ``ids`` (``None`` entries are ignored) from the base
    tables, in the caller's transaction."""
    wanted = sorted({i for i in ids if i is not None})
    with transaction.atomic():
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            lock(rollup, chunk)
            rollup.model.objects.filter(**{f"{rollup.key}__in": chunk}).delete()
            rollup.model.objects.bulk_create(_rows(rollup, chunk), batch_size=2000)


def lock(rollup: Rollup, ids: list[int]) -> None:
    # One writer per place at a time (PostgreSQL): the second waits here, then reads the
    # first's committed rows. NO KEY UPDATE, not UPDATE: a writer that has just inserted a row
    # referring to the place holds KEY SHARE on it, which UPDATE would wait for — two such
    # writers (two debts made in one jurisdiction) would deadlock.
    places = rollup.lock.objects.select_for_update(no_key=True).filter(pk__in=ids)
    list(places.order_by("pk").values_list("pk", flat=True))


def add(rollup: Rollup, deltas: dict[tuple, dict[str, Any]]) -> None:
    """Add ``deltas`` (keyed by (place, *groups), each figure's change) to the rows, in the
    caller's transaction: for a bulk write that knows each row's before and after, where
    recomputing every place it touched would read far more than it wrote."""
    places = sorted({k[0] for k in deltas})
    with transaction.atomic():
        for start in range(0, len(places), CHUNK):
            chunk = places[start : start + CHUNK]
            lock(rollup, chunk)
            # Plain rows and one fast insert (core/bulk.py), not models: building a model per
            # row and ``bulk_create``'s compiling of every value were most of an import
            # batch's roll-up time (bench/import_export.py profile).
            names = (rollup.key, *rollup.groups)
            stored = {
                tuple(r[1 : 1 + len(names)]): list(r)
                for r in rollup.model.objects.filter(**{f"{rollup.key}__in": chunk})
                .values_list("pk", *names, *rollup.figures)
                .order_by()
            }
            within = set(chunk)
            at = {f: 1 + len(names) + i for i, f in enumerate(rollup.figures)}
            new, changed = [], []
            for k, d in deltas.items():
                if k[0] not in within:
                    continue
                row = stored.get(k)
                if row is None:
                    row = [None, *k, *(0 for _f in rollup.figures)]
                    new.append(row)
                else:
                    changed.append(row)
                for f, v in d.items():
                    row[at[f]] = (row[at[f]] or 0) + v
            # The changed rows deleted and inserted again with their new figures (and their
            # ids): two statements; rows left all zero are not inserted again.
            if changed:
                rollup.model.objects.filter(pk__in=[r[0] for r in changed]).delete()
            kept = [r for r in changed if any(r[1 + len(names) :])]
            fields = [*names, *rollup.figures]
            if kept:
                insert_rows(rollup.model, [rollup.model._meta.pk.name, *fields], kept)
            fresh = [r[1:] for r in new if any(r[1 + len(names) :])]
            if fresh:
                insert_rows(rollup.model, fields, fresh)


def rebuild(rollup: Rollup) -> int:
    """Every row recomputed; answers how many rows the table holds."""
    with transaction.atomic():
        rollup.model.objects.all().delete()
        return len(rollup.model.objects.bulk_create(_rows(rollup, None), batch_size=2000))


def _keyed(rollup: Rollup, rows: Iterable[dict[str, Any]]) -> dict[tuple, dict[str, Any]]:
    return {tuple(r[k] for k in (rollup.key, *rollup.groups)): r for r in rows}


@dataclass(frozen=True)
class Disagreement:
    rollup: str
    where: str
    group: tuple
    figure: str
    kept: Any
    recomputed: Any


def verify(rollup: Rollup) -> list[Disagreement]:
    """Each figure whose kept value differs from a recomputation (a missing row is zeros)."""
    fields = (rollup.key, *rollup.groups, *rollup.figures)
    kept = _keyed(rollup, rollup.model.objects.values(*fields))
    fresh = _keyed(rollup, rollup.compute(None))
    out = []
    for k in sorted(set(kept) | set(fresh), key=lambda k: tuple(str(x) for x in k)):
        a, b = kept.get(k, {}), fresh.get(k, {})
        for f in rollup.figures:
            x, y = a.get(f) or 0, b.get(f) or 0
            if Decimal(x) != Decimal(y):
                out.append(Disagreement(rollup.name, rollup.where(k[0]), k[1:], f, x, y))
    return out
