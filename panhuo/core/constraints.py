"""Database checks every app declares the same way (``Meta.constraints``)."""

from typing import Any

from django.db import models
from django.db.models import Q


def valid_choice(field: str, choices: type[models.Choices], *, name: str) -> models.CheckConstraint:
    """The database's own refusal of a ``field`` value outside ``choices``: a row written
    around the model's validation (a bulk update, raw SQL, an old import) cannot carry a status
    or kind no code knows how to show or move on."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)


def filled_iff(
    field: str, *, name: str, empty: bool = False, **when: Any
) -> models.CheckConstraint:
    """``field`` is filled exactly when the row is as ``when`` says (one column's value: a
    report's project exactly when it is a dossier); ``empty``: the other way round (a request's
    closing time is empty exactly while it is pending)."""
    return models.CheckConstraint(
        condition=Q(**when, **{f"{field}__isnull": empty})
        | (~Q(**when) & Q(**{f"{field}__isnull": not empty})),
        name=name,
    )
