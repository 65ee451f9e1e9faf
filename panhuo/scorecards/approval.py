"""What scorecards tell the policy and the approvals engine: who reads scorecards (a unit asset
officer their own unit's card only), who sets the weights, issues the cards and proposes
rewards and punishments (the office), and the ``score_decision`` purpose decided by the head,
whose outcome the handler applies in the deciding transaction."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from panhuo.approvals.models import ApprovalStatus
from panhuo.approvals.registry import on_decided, register_purpose
from panhuo.organisation import policy
from panhuo.organisation.policy import H, O, U

PURPOSE = "score_decision"

policy.RULES.update(
    {
        ("scorecard", "view"): policy.READERS | {U},
        ("scorecard", "weights"): frozenset({O}),
        ("scorecard", "issue"): frozenset({O}),
        ("scorecard", "propose"): frozenset({O}),
        ("scorecard", "decide"): frozenset({H}),
    }
)
policy.RESOURCE_NAMES["scorecard"] = (_("this scorecard"), _("scorecards"))
policy.ACTION_NAMES.update(
    {
        "weights": _("set the weights of"),
        "issue": _("issue"),
        "propose": _("propose a reward or punishment on"),
    }
)

register_purpose(PURPOSE, _("Reward or punishment"), step_roles=frozenset({H.value}))


@on_decided(PURPOSE)
def decision_follows_approval(*, request, decision) -> None:
    """The head's decision (or a rejection): approve or reject the reward or punishment."""
    from panhuo.scorecards.services import decision_decided

    decision_decided(
        decision_id=request.object_id,
        approved=request.status == ApprovalStatus.APPROVED,
        actor=decision.on_behalf_of or decision.actor,
    )
