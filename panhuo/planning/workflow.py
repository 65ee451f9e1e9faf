"""The plan's state machine, one table: the office submits, the approvals engine's decision
(by the head or a deputy) approves or returns it, and approving a revision supersedes the plan
it revises (``services.plan_decided``)."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from panhuo.core.workflow import Transition, step_target
from panhuo.organisation.models import Role
from panhuo.planning.models import PlanStatus as S

HD = frozenset({Role.HEAD, Role.DEPUTY})

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "submit",
            _("Submit for approval"),
            frozenset({S.DRAFT, S.RETURNED}),
            S.SUBMITTED,
            frozenset({Role.OFFICE}),
        ),
        Transition("approve", _("Approve"), frozenset({S.SUBMITTED}), S.APPROVED, HD),
        Transition("return", _("Return for changes"), frozenset({S.SUBMITTED}), S.RETURNED, HD),
        Transition(
            "supersede", _("Superseded by a revision"), frozenset({S.APPROVED}), S.SUPERSEDED, HD
        ),
    )
}


def target_of(plan, name: str) -> S:
    """The state ``name`` takes ``plan`` to, or a clear error naming the step."""
    refusal = gettext("A plan that is “%(status)s” cannot take the step “%(step)s”.")
    return step_target(plan, TRANSITIONS, name, refusal)
