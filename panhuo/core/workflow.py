"""The row every state machine's table is made of: each app's ``workflow.py`` holds one table of
these (its own subclass adds the columns that machine needs) and one service applies it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Transition:
    """A step named ``name`` (shown as ``label``), taken from any state of ``sources`` to
    ``target`` by the ``roles`` (the permission rule of the step is generated from them)."""

    name: str
    label: str
    sources: frozenset[StrEnum]
    target: StrEnum
    roles: frozenset[StrEnum]


def step_target(record, table: dict[str, Transition], name: str, refusal: str) -> StrEnum:
    """The state the step ``name`` of ``table`` takes ``record`` to; from a state the step does
    not start from, a ValidationError on ``status`` saying ``refusal`` (translated by the
    caller, with ``%(status)s`` for the record's state and ``%(step)s`` for the step)."""
    from panhuo.core.errors import ValidationError

    step = table[name]
    if record.status not in step.sources:
        values = {"status": record.get_status_display(), "step": name}
        raise ValidationError({"status": [refusal % values]})
    return step.target
