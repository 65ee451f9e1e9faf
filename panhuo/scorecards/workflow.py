"""The state machine of a reward or punishment, one table: the office proposes it (the row is
created proposed), the head approves or rejects it through the approvals engine; one function
(``services.decision_decided``) applies a step."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from panhuo.core.workflow import Transition, step_target
from panhuo.organisation.models import Role
from panhuo.scorecards.models import DecisionStatus as S

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "approve", _("Approve"), frozenset({S.PROPOSED}), S.APPROVED, frozenset({Role.HEAD})
        ),
        Transition(
            "reject", _("Reject"), frozenset({S.PROPOSED}), S.REJECTED, frozenset({Role.HEAD})
        ),
    )
}


def target_of(decision, name: str) -> S:
    """The state ``name`` takes ``decision`` to, or a clear error naming the step."""
    refusal = gettext("A decision that is “%(status)s” cannot take the step “%(step)s”.")
    return step_target(decision, TRANSITIONS, name, refusal)
