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
