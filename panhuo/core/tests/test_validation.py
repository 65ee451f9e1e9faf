"""Check constraints evaluated in Python (``core.validation``) give the database's verdict.

Every check constraint the project declares is tried on combinations of boundary values of the
fields its condition names (NULL included where the field allows it, a value outside the
choices, each side of every number the project's conditions use); for each combination the
Python verdict must be the one Django's own validation gets from the database.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from panhuo.core.validation import constraint_holds, full_clean
from panhuo.register.models import Asset

#: Numbers on each side of the bounds our conditions use (zero, 90 and 180 degrees, 100 %…).
NUMBERS = ["-180.01", "-90", "-1", "0", "0.01", "1", "90", "90.01", "100", "180", "1000000"]
PER_CONSTRAINT = 60


def _check_constraints():
    for model in apps.get_models():
        if not model.__module__.startswith("panhuo."):
            continue
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.CheckConstraint):
                yield model, constraint


def _expression_names(value) -> list[str]:
    """The fields an expression compared against reads (``F("a")``, ``100 - F("a")``...)."""
    if isinstance(value, models.F):
        return [value.name]
    sources = getattr(value, "get_source_expressions", lambda: [])()
    return [name for source in sources for name in _expression_names(source)]


def _names(q) -> list[str]:
    out = []
    for child in getattr(q, "children", []):
        if isinstance(child, tuple):
            out.append(child[0].split("__")[0])
            out.extend(_expression_names(child[1]))
        else:
            out.extend(_names(child))
    return sorted(set(out))


def _samples(field) -> list:
    values: list = [None] if field.null else []
    if field.choices:
        return values + [v for v, _ in field.flatchoices] + ["not-a-choice"]
    if isinstance(field, models.DecimalField):
        return values + [Decimal(n) for n in NUMBERS]
    if isinstance(field, models.FloatField):
        return values + [float(n) for n in NUMBERS]
    if isinstance(field, models.IntegerField):
        return [*values, -1, 0, 1, 2, 100]
    if isinstance(field, models.BooleanField):
        return [*values, True, False]
    if isinstance(field, models.DateTimeField):
        return [*values, timezone.make_aware(dt.datetime(2026, 1, 1, 9)), timezone.now()]
    if isinstance(field, models.DateField):
        return [*values, dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2027, 1, 1)]
    if isinstance(field, (models.CharField, models.TextField)):
        return [*values, "", "x"]
    return values


def _database_verdict(model, constraint, obj) -> bool:
    try:
        constraint.validate(model, obj)
    except ValidationError:
        return False
    return True


@pytest.mark.django_db
def test_the_python_verdict_is_the_databases_for_every_check_constraint():
    rng = random.Random(20261206)
    compared = evaluated = 0
    left_to_the_database = []
    for model, constraint in _check_constraints():
        fields = [
            model._meta.pk if name == "pk" else model._meta.get_field(name)
            for name in _names(constraint.condition)
        ]
        combos = list(itertools.product(*[_samples(f) for f in fields]))
        rng.shuffle(combos)
        supported = False
        for values in combos[:PER_CONSTRAINT]:
            obj = model(**{f.attname: v for f, v in zip(fields, values, strict=True)})
            mine = constraint_holds(model, obj, constraint)
            if mine is None:
                continue
            supported = True
            evaluated += not mine
            compared += 1
            assert mine == _database_verdict(model, constraint, obj), (
                model.__name__,
                constraint.name,
                dict(zip([f.name for f in fields], values, strict=True)),
            )
        if not supported:
            left_to_the_database.append(f"{model.__name__}.{constraint.name}")
    print("left to the database:", left_to_the_database)
    # The comparisons are many, some of them violations, and nearly every constraint is
    # evaluated in Python (the rest are listed, so that a new one is noticed).
    assert compared > 800 and evaluated > 100, (compared, evaluated)
    assert len(left_to_the_database) <= 5, left_to_the_database


@pytest.mark.django_db
def test_full_clean_reports_what_djangos_does(world):
    """The same error dict as ``Model.full_clean``: a field error and a constraint error
    together, and a constraint on a field that already failed is not reported twice."""
    asset = Asset(
        unit=world.unit,
        code="A-1",
        name="",
        kind="building",
        book_value=Decimal("-5.00"),
        latitude=Decimal("95"),
    )
    with pytest.raises(ValidationError) as django_says:
        asset.full_clean()
    with pytest.raises(ValidationError) as we_say:
        full_clean(asset)
    assert we_say.value.message_dict == django_says.value.message_dict
    assert "name" in we_say.value.message_dict
