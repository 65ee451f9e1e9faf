"""Database checks every app declares the same way (``Meta.constraints``)."""

from django.db import models


def valid_choice(field: str, choices: type[models.Choices], *, name: str) -> models.CheckConstraint:
    """The database's own refusal of a ``field`` value outside ``choices``: a row written
    around the model's validation (a bulk update, raw SQL, an old import) cannot carry a status
    or kind no code knows how to show or move on."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)
