"""Small helpers every app's selectors share: ids from the outside, and safe orderings."""

from __future__ import annotations

from django.db.models import Model, QuerySet

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
