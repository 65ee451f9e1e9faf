"""Model fields every app declares the same way.

Money: always Decimal, stored as NUMERIC(20, 2). Who did something: a user the row keeps
(PROTECT) and that the user's side does not list (``related_name="+"``). An optional reference:
null and blank, its target protected while the row points at it.
"""

from django.conf import settings
from django.db import models


class MoneyField(models.DecimalField):
    """An amount of money in the configured currency (yuan by default)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 20)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        return name, path, args, kwargs


def actor_field(**kwargs) -> models.ForeignKey:
    """The user who recorded, decided or changed the row (``null=True`` where it may be none)."""
    kwargs.setdefault("related_name", "+")
    return models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, **kwargs)


def optional_ref(to, *, one_to_one: bool = False, **kwargs) -> models.ForeignKey:
    """A reference the row may lack (null, blank) to a record that cannot be deleted under it."""
    field = models.OneToOneField if one_to_one else models.ForeignKey
    return field(to, on_delete=models.PROTECT, null=True, blank=True, **kwargs)
