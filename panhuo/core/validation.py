"""Model validation without a database round trip for each check constraint.

Django validates a ``CheckConstraint`` by asking the database (``Q.check``): a savepoint and a
query per constraint, per record. An asset declares seven; seeding the demo spent nearly half
its time there, and an import of 200,000 rows would ask 1.4 million times. Nearly every check
constraint of ours is plain lookups on the model's own fields (``gte``, ``in``, ``isnull``…,
against a constant, another field of the record, or a sum or difference of them)
joined by AND, OR and NOT, which Python can evaluate with the database's three-valued logic:
a comparison with NULL is unknown, and a CHECK passes when its condition is unknown. A
condition with anything else (an expression, a related field, another lookup) is left to
Django, so the verdict is always the database's (``tests/test_validation.py`` compares the two
on generated values for every check constraint the project declares).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models, router
from django.db.models.constants import LOOKUP_SEP


class _Unsupported(Exception):
    """The condition needs the database (see the module doc)."""


_COMPARE = {
    "exact": lambda v, x: v == x,
    "gt": lambda v, x: v > x,
    "gte": lambda v, x: v >= x,
    "lt": lambda v, x: v < x,
    "lte": lambda v, x: v <= x,
}


def _own_field(model, name: str):
    if LOOKUP_SEP in name:
        raise _Unsupported
    try:
        return model._meta.pk if name == "pk" else model._meta.get_field(name)
    except FieldDoesNotExist:
        raise _Unsupported from None


def _arithmetic(model, instance, expr, names: set[str]) -> Any:
    """The value of a sum or difference of the record's own fields and constants (``100 -
    F("a") - F("b")``, as a weights-add-up check writes it); None when any of them is null.
    Anything else is left to the database."""
    if isinstance(expr, models.F):
        field = _own_field(model, expr.name)
        if field.is_relation:
            raise _Unsupported
        names.add(field.name)
        return getattr(instance, field.attname)
    if isinstance(expr, models.Value):
        return expr.value
    if isinstance(expr, models.expressions.CombinedExpression) and expr.connector in "+-":
        left = _arithmetic(model, instance, expr.lhs, names)
        right = _arithmetic(model, instance, expr.rhs, names)
        if left is None or right is None:
            return None
        try:
            return left + right if expr.connector == "+" else left - right
        except TypeError:
            raise _Unsupported from None
    raise _Unsupported


def _leaf(model, instance, lookup: str, value: Any, names: set[str]) -> bool | None:
    name, _, op = lookup.partition(LOOKUP_SEP)
    op = op or "exact"
    if LOOKUP_SEP in op:
        raise _Unsupported
    field = _own_field(model, name)
    if field.is_relation and op != "isnull":
        raise _Unsupported
    names.add(field.name)
    if isinstance(value, models.F) and op in _COMPARE:
        # Another field of the same record (``F("cost")``), compared as the database does.
        other = _own_field(model, value.name)
        if other.is_relation:
            raise _Unsupported
        names.add(other.name)
        value = getattr(instance, other.attname)
        if value is None:
            return None
    elif hasattr(value, "resolve_expression"):
        if op not in _COMPARE:
            raise _Unsupported
        value = _arithmetic(model, instance, value, names)
        if value is None:
            return None
    current = getattr(instance, field.attname)
    if op == "isnull":
        return (current is None) == bool(value)
    if op == "exact" and value is None:
        return current is None
    if current is None:
        return None
    try:
        current = field.to_python(current)
        if op == "in":
            values = list(value)
            if any(v is None for v in values):
                raise _Unsupported
            return current in [field.to_python(v) for v in values]
        if op not in _COMPARE:
            raise _Unsupported
        return _COMPARE[op](current, field.to_python(value))
    except (TypeError, ValidationError):
        raise _Unsupported from None


def _evaluate(model, instance, q: models.Q, names: set[str]) -> bool | None:
    """True, False, or None for SQL's unknown."""
    results = []
    for child in q.children:
        if isinstance(child, models.Q):
            results.append(_evaluate(model, instance, child, names))
        elif isinstance(child, tuple) and len(child) == 2:
            results.append(_leaf(model, instance, child[0], child[1], names))
        else:
            raise _Unsupported
    if q.connector == models.Q.AND:
        if any(r is False for r in results):
            verdict = False
        else:
            verdict = None if any(r is None for r in results) else True
    elif q.connector == models.Q.OR:
        if any(r is True for r in results):
            verdict = True
        else:
            verdict = None if any(r is None for r in results) else False
    else:
        raise _Unsupported
    if q.negated and verdict is not None:
        verdict = not verdict
    return verdict


def constraint_holds(
    model, instance, constraint: models.CheckConstraint, exclude=()
) -> bool | None:
    """Whether ``instance`` passes ``constraint`` (None: only the database can tell). A
    condition on an excluded field passes, as in Django (the field has its own error)."""
    condition = constraint.condition
    if not isinstance(condition, models.Q):
        return None
    names: set[str] = set()
    try:
        verdict = _evaluate(model, instance, condition, names)
    except _Unsupported:
        return None
    if names & set(exclude or ()):
        return True
    return verdict is not False


def validate_constraints(obj: models.Model, exclude=None) -> None:
    """``Model.validate_constraints``, with the check constraints evaluated here."""
    using = router.db_for_write(obj.__class__, instance=obj)
    errors: dict = {}
    for model_class, constraints in obj.get_constraints():
        for constraint in constraints:
            try:
                verdict = None
                if isinstance(constraint, models.CheckConstraint):
                    verdict = constraint_holds(model_class, obj, constraint, exclude)
                if verdict is None:
                    constraint.validate(model_class, obj, exclude=exclude, using=using)
                elif not verdict:
                    raise ValidationError(
                        constraint.get_violation_error_message(),
                        code=constraint.violation_error_code,
                    )
            except ValidationError as e:
                fields = getattr(constraint, "fields", ())
                if getattr(e, "code", None) == "unique" and len(fields) == 1:
                    errors.setdefault(fields[0], []).append(e)
                else:
                    errors = e.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def full_clean(obj: models.Model, exclude=None) -> None:
    """``obj.full_clean()``: the same checks in the same order, the same errors, with the
    check constraints evaluated without a query each (see the module doc)."""
    errors: dict = {}
    try:
        obj.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as e:
        errors = e.update_error_dict(errors)
    skip = set(exclude or ()) | {name for name in errors if name != NON_FIELD_ERRORS}
    try:
        validate_constraints(obj, exclude=skip)
    except ValidationError as e:
        errors = e.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
