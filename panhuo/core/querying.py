"""Small helpers every app's selectors share: ids from the outside, and safe orderings."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Model, Q, QuerySet

#: Ids beyond a BIGINT are not ids (SQLite would overflow on them).
MAX_ID = 2**63 - 1


def id_or_missing(pk, model: type[Model]) -> int:
    """``pk`` as an int, or the model's DoesNotExist: a malformed id is just a missing one."""
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise model.DoesNotExist from None
    if not 0 < value <= MAX_ID:
        raise model.DoesNotExist
    return value


def search_filter(fields, text: str) -> Q:
    """Rows where any of ``fields`` contains ``text`` (case-insensitive): a list's ``q``."""
    return reduce(or_, (Q(**{f"{name}__icontains": text.strip()}) for name in fields))


def narrowed(qs: QuerySet, *, q: str = "", search=(), **lookups) -> QuerySet:
    """``qs`` where one of the ``search`` fields contains ``q`` (when there is one) and every
    lookup holds whose value is given: a list's filters, None or "" meaning "any"."""
    if q and search:
        qs = qs.filter(search_filter(search, q))
    given = {lookup: value for lookup, value in lookups.items() if value not in (None, "")}
    return qs.filter(**given) if given else qs


def ordered(
    qs: QuerySet, ordering: str, allowed: dict[str, str], default: str, tiebreak: str = "pk"
) -> QuerySet:
    """Order by one of the ``allowed`` public names (``-name`` for descending); anything else
    falls back to ``default``. The primary key breaks ties so pages never overlap."""
    desc = ordering.startswith("-")
    key = allowed.get(ordering.lstrip("-"))
    if key is None:
        desc, key = default.startswith("-"), allowed[default.lstrip("-")]
    return qs.order_by(("-" if desc else "") + key, tiebreak)


def visible_one(model: type[Model], user, pk, *related: str, prefetch: tuple[str, ...] = ()):
    """Row ``pk`` of ``model`` if ``user`` may see it (the model's ``visible_to``), with the
    ``related`` rows joined and ``prefetch`` fetched: a selector's ``get_*_for``. What the user
    may not see, or a malformed id, is the model's DoesNotExist (denied looks missing)."""
    qs = model.objects.visible_to(user)
    if related:
        qs = qs.select_related(*related)
    if prefetch:
        qs = qs.prefetch_related(*prefetch)
    return qs.get(pk=id_or_missing(pk, model))
