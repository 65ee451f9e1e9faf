"""Money: always Decimal, stored as NUMERIC(20, 2)."""

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
