"""Money: always Decimal, stored as NUMERIC(20, 2), every amount below ``bounds.MAX_AMOUNT``."""

import decimal
from functools import cached_property

from django.db import models

from panhuo.core.bounds import validate_amount


class MoneyField(models.DecimalField):
    """An amount of money in the configured currency (yuan by default).

    Every amount is checked against the one bound (``core.bounds``) when its record is
    validated. Reading is lenient: a row written before the bound existed (SQLite keeps
    ``999999999999999999.99`` as 1e18) still reads back, so the lists that show it and the
    edit that corrects it keep working."""

    default_validators = [validate_amount]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 20)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    @cached_property
    def context(self):
        # Django's SQLite converter rounds each value read to cents in this context; with only
        # max_digits of precision a stored 1e18 (21 digits with its cents) failed to read.
        return decimal.Context(prec=max(self.max_digits, 40))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        return name, path, args, kwargs
