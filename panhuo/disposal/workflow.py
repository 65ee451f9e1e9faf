"""The disposal project state machine: one table of transitions, one function applies them.

Each row says from which states a transition may be taken, the state it leads to, the roles
that may take it, and whether the actor must differ from the one who submitted the project
(separation of duties). The permission rules for ``("project", <transition>)`` are generated
from this table, so the table is the only place to change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from panhuo.disposal.models import ProjectStatus as S
from panhuo.organisation import policy
from panhuo.organisation.models import Role as R


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[S]
    target: S
    roles: frozenset[R]
    not_by_submitter: bool = False
    needs_comment: bool = False
    needs_deal: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("submit", _("Submit for approval"), frozenset({S.DRAFT}), S.SUBMITTED,
                   frozenset({R.OFFICE, R.UNIT_OFFICER})),
        Transition("approve", _("Approve"), frozenset({S.SUBMITTED}), S.APPROVED,
                   frozenset({R.HEAD, R.DEPUTY}), not_by_submitter=True),
        Transition("reject", _("Send back"), frozenset({S.SUBMITTED}), S.DRAFT,
                   frozenset({R.HEAD, R.DEPUTY}), not_by_submitter=True, needs_comment=True),
        Transition("list", _("List for sale"), frozenset({S.APPROVED}), S.LISTED,
                   frozenset({R.OFFICE})),
        Transition("conclude", _("Record the deal"), frozenset({S.LISTED}), S.CONCLUDED,
                   frozenset({R.OFFICE}), needs_deal=True),
        Transition("close", _("Close"), frozenset({S.CONCLUDED}), S.CLOSED,
                   frozenset({R.OFFICE, R.FINANCE})),
        Transition("withdraw", _("Withdraw"),
                   frozenset({S.DRAFT, S.SUBMITTED, S.APPROVED, S.LISTED}), S.WITHDRAWN,
                   frozenset({R.OFFICE, R.HEAD, R.DEPUTY}), needs_comment=True),
    ]
}  # fmt: skip

for _t in TRANSITIONS.values():
    policy.RULES[("project", _t.name)] = _t.roles

#: Every state some transition can reach, plus the initial one: nothing else may ever appear.
REACHABLE = frozenset({S.DRAFT} | {t.target for t in TRANSITIONS.values()})
TERMINAL = frozenset(s for s in S if not any(s in t.sources for t in TRANSITIONS.values()))
