"""Gates: the rules the services enforce, each named, with its legal source and what unblocks it.

A rule that only warns, or that only a test calls, is not a gate. Every gate is one named
function in the app that owns the data it judges (``pricing.rules``, ``disposal.gates``,
``approvals.services.checks`` ...); when it refuses it raises :class:`GateRefused` with its
:class:`Rule`, so that every interface shows the same thing in the user's language: which rule,
which article of which law, what was found, and what would let the step through.

The rules register here (``rule(...)``) so that the README, the project page and the demo can
list every gate with its source; ``RULES`` is that list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Rule:
    """One gate: ``code`` (stable, used in tests and the API), a title, and the legal source
    (the law and article, e.g. "Order 32 art. 13"), each translated (gettext_lazy)."""

    code: str
    title: str | Promise
    source: str | Promise
    #: Which app's function enforces it (for the README's list of gates).
    owner: str = ""

    def __str__(self) -> str:
        return f"{self.code} ({self.source})"


#: Every registered gate, by code.
RULES: dict[str, Rule] = {}


def rule(code: str, title: str | Promise, source: str | Promise, owner: str = "") -> Rule:
    """Register (or return the already registered) gate ``code``."""
    existing = RULES.get(code)
    if existing is not None:
        return existing
    RULES[code] = r = Rule(code, title, source, owner)
    return r


class GateRefused(ValidationError):
    """A gate refused a step: names the field, the rule, its source, what was found and what
    would unblock it. Raised inside the step's transaction, so nothing is written."""

    def __init__(
        self,
        gate: Rule,
        *,
        field: str,
        message: str | Promise,
        unblock: str | Promise = "",
        params: dict[str, Any] | None = None,
    ):
        self.rule = gate
        self.field = field
        text = str(message) % params if params else str(message)
        hint = (str(unblock) % params if params else str(unblock)) if unblock else ""
        self.unblock = hint
        self.text = _("[%(rule)s · %(source)s] %(message)s") % {
            "rule": gate.code,
            "source": gate.source,
            "message": text,
        }
        if hint:
            self.text = _("%(refusal)s To proceed: %(unblock)s") % {
                "refusal": self.text,
                "unblock": hint,
            }
        super().__init__({field: [ValidationError(self.text, code=gate.code)]})

    def as_json(self) -> dict[str, str]:
        """What the API adds to its error body: the rule, its source and the way through."""
        return {
            "rule": self.rule.code,
            "source": str(self.rule.source),
            "field": self.field,
            "unblock": self.unblock,
        }
