"""What planning tells the policy and the approvals engine: who may read and draft plans,
the ``work_plan`` purpose (decided by the head or a deputy; the engine refuses the submitter),
and the handler that applies the decision to the plan in the deciding transaction."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from panhuo.approvals.models import ApprovalStatus
from panhuo.approvals.registry import on_decided, register_purpose
from panhuo.organisation import policy
from panhuo.organisation.policy import D, H, O, U

PURPOSE = "work_plan"

policy.RULES.update(
    {
        # Unit officers read their own unit's targets and progress (views narrow them).
        ("work_plan", "view"): policy.READERS | {U},
        ("work_plan", "edit"): frozenset({O}),
        ("work_plan", "submit"): frozenset({O}),
        ("work_plan", "decide"): frozenset({H, D}),
    }
)

register_purpose(PURPOSE, _("Work plan"), step_roles=frozenset({H.value, D.value}))


@on_decided(PURPOSE)
def plan_follows_decision(*, request, decision) -> None:
    """The last step decided (or a rejection): approve or return the plan."""
    from panhuo.planning.services import plan_decided

    plan_decided(
        plan_id=request.object_id,
        approved=request.status == ApprovalStatus.APPROVED,
        actor=decision.on_behalf_of or decision.actor,
    )
