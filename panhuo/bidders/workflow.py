"""The bidder's state machine: one table of transitions, applied by
``services.bidder_transition``.

A bidder registers (pending); the task-force office of the place they registered with verifies
or rejects them; a rejected bidder corrects their details and asks again (their own step); the
office suspends a verified bidder (and reinstates them) when they break the rules. The
permission rules ``("bidder", <transition>)`` are generated from this table, so it is the only
place to change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from panhuo.bidders.models import BidderStatus as S
from panhuo.core import workflow
from panhuo.organisation import policy
from panhuo.organisation.models import Role as R


@dataclass(frozen=True)
class Transition(workflow.Transition):
    needs_reason: bool = False
    #: Taken by the bidder themself on their own record (not by staff over a place).
    own: bool = False


OFFICE = frozenset({R.OFFICE})
f = frozenset

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("verify", _("Verify"), f({S.PENDING}), S.VERIFIED, OFFICE),
        Transition("reject", _("Reject"), f({S.PENDING}), S.REJECTED, OFFICE, needs_reason=True),
        Transition("resubmit", _("Ask for verification again"), f({S.REJECTED}), S.PENDING,
                   f({R.BIDDER}), own=True),
        Transition("suspend", _("Suspend"), f({S.VERIFIED}), S.SUSPENDED, OFFICE,
                   needs_reason=True),
        Transition("reinstate", _("Reinstate"), f({S.SUSPENDED}), S.VERIFIED, OFFICE,
                   needs_reason=True),
    )
}  # fmt: skip

# Who reads bidders: the task force's readers over the place the bidder registered with.
policy.RULES[("bidder", "view")] = policy.READERS
for _t in TRANSITIONS.values():
    if not _t.own:
        policy.RULES[("bidder", _t.name)] = _t.roles
policy.RESOURCE_NAMES.setdefault("bidder", (_("this bidder"), _("bidders")))
policy.ACTION_NAMES.setdefault("verify", _("verify"))
policy.ACTION_NAMES.setdefault("reject", _("reject"))
policy.ACTION_NAMES.setdefault("suspend", _("suspend"))
policy.ACTION_NAMES.setdefault("reinstate", _("reinstate"))


def step_to(source: S, target: S) -> Transition | None:
    """The transition from ``source`` to ``target``, if the table has one."""
    for t in TRANSITIONS.values():
        if source in t.sources and t.target == target:
            return t
    return None


def steps_from(source: S) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if source in t.sources]
