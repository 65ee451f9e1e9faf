"""Checks other stages add to disposal transitions, without disposal importing them.

Pricing refuses a listing below the appraisal, approvals refuse an approval the chain has not
given, and so on. Each such app registers a guard in its ``AppConfig.ready``; every guard runs
inside ``project_transition``'s transaction, after the transition table has allowed the step and
before anything is written, and refuses by raising ``panhuo.core.errors.ValidationError`` (or
``TransitionRefused``) with a message naming the rule and its threshold.

A guard may also say why a transition cannot be taken yet without raising (``explain``), so that
the UI can show it disabled with the reason instead of offering a button that will fail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from panhuo.core.hooks import Hook

#: guard(actor=..., project=..., transition=..., data=...) -> None, raising to refuse.
Guard = Callable[..., None]


class _Registry(Hook):
    """The guards hook (panhuo.core.hooks): ``guards`` is its handler list."""

    @property
    def guards(self) -> list[tuple[str, Guard]]:
        return self.handlers

    @guards.setter
    def guards(self, value: list[tuple[str, Guard]]) -> None:
        self.handlers = value

    def run(self, *, actor, project, transition: str, data: dict[str, Any]) -> None:
        for _name, guard in self.guards:
            guard(actor=actor, project=project, transition=transition, data=data)

    def explain(self, *, actor, project, transition: str) -> str:
        """Why a guard would refuse ``transition`` now (its ``explain`` attribute, if it has
        one, called without writing anything), or "" when none says so."""
        for _name, guard in self.guards:
            explain = getattr(guard, "explain", None)
            reason = explain(actor=actor, project=project, transition=transition) if explain else ""
            if reason:
                return reason
        return ""


registry = _Registry("disposal.guards")
register = registry.register
