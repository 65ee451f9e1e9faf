"""Model fields every app declares the same way.

Money: always Decimal, stored as NUMERIC(20, 2), every amount below ``bounds.MAX_AMOUNT``; most
amounts are at least a cent or at least zero. Who did something: a user the row keeps
(PROTECT) and that the user's side does not list (``related_name="+"``). An optional reference:
null and blank, its target protected while the row points at it.
"""

import decimal
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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


def positive_money(verbose_name, **kwargs) -> MoneyField:
    """An amount of at least a cent (a price, a receipt, a principal)."""
    return MoneyField(verbose_name, validators=[MinValueValidator(Decimal("0.01"))], **kwargs)


def non_negative_money(verbose_name, **kwargs) -> MoneyField:
    """An amount of zero or more (a balance, a book value, a cost)."""
    return MoneyField(verbose_name, validators=[MinValueValidator(0)], **kwargs)


def percent_field(verbose_name, default: str, *, high: int = 100, **kwargs) -> models.DecimalField:
    """A percentage with two decimals from 0 to ``high`` (a threshold: ``default`` "90.00")."""
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(0), MaxValueValidator(high)],
        **kwargs,
    )


def rate_field(verbose_name, **kwargs) -> models.DecimalField:
    """An interest rate in percent with three decimals (3.125), from 0 to 100."""
    return models.DecimalField(
        verbose_name,
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **kwargs,
    )


def version_field() -> models.PositiveIntegerField:
    """The row's edit count, raised by each change: a form carries the version it was read at,
    and a save over a newer one is refused (optimistic locking)."""
    return models.PositiveIntegerField(default=1, editable=False)


def actor_field(**kwargs) -> models.ForeignKey:
    """The user who recorded, decided or changed the row (``null=True`` where it may be none)."""
    kwargs.setdefault("related_name", "+")
    return models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, **kwargs)


def optional_ref(to, *, one_to_one: bool = False, **kwargs) -> models.ForeignKey:
    """A reference the row may lack (null, blank) to a record that cannot be deleted under it."""
    field = models.OneToOneField if one_to_one else models.ForeignKey
    return field(to, on_delete=models.PROTECT, null=True, blank=True, **kwargs)
