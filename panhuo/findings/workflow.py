"""The audit finding's state machine: one table of transitions, applied by
``services.finding_transition``.

A finding is raised by an auditor; the auditor settles it (justified, rectified, or referred to
the discipline inspection body) or escalates it to the supervisor, who then settles it. A row
gives the states it leaves, the state it reaches and the roles that may take it; a step named
twice is taken by different roles from different states. Every step needs a comment. The
permission rules ``("finding", <step>)`` are generated from this table, so it is the only place
to change.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from panhuo.core.workflow import Transition
from panhuo.findings.models import FindingStatus as S
from panhuo.organisation import policy
from panhuo.organisation.models import Role as R

A, SUP = frozenset({R.AUDITOR}), frozenset({R.SUPERVISOR})
RAISED, ESCALATED = frozenset({S.RAISED}), frozenset({S.ESCALATED})

TRANSITIONS: tuple[Transition, ...] = (
    Transition("escalate", _("Escalate to the supervisor"), RAISED, S.ESCALATED, A),
    Transition("justify", _("Resolve: justified"), RAISED, S.JUSTIFIED, A),
    Transition("rectify", _("Resolve: rectified"), RAISED, S.RECTIFIED, A),
    Transition("refer", _("Refer to the discipline inspection body"), RAISED, S.REFERRED, A),
    Transition("justify", _("Resolve: justified"), ESCALATED, S.JUSTIFIED, SUP),
    Transition("rectify", _("Resolve: rectified"), ESCALATED, S.RECTIFIED, SUP),
    Transition("refer", _("Refer to the discipline inspection body"), ESCALATED, S.REFERRED, SUP),
)
STEP_NAMES = tuple(dict.fromkeys(t.name for t in TRANSITIONS))


def rules() -> dict[tuple[str, str], frozenset]:
    """``("finding", step)`` → the union of the roles of the step's rows."""
    out: dict[tuple[str, str], frozenset] = {}
    for t in TRANSITIONS:
        key = ("finding", t.name)
        out[key] = out.get(key, frozenset()) | t.roles
    return out


def rows_for(step: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.name == step]


#: Who may do what with findings (scope: the finding's jurisdiction).
RULES = {
    ("finding", "view"): frozenset({R.HEAD, R.DEPUTY, R.AUDITOR, R.SUPERVISOR}),
    ("finding", "raise"): A,
    ("finding", "comment"): A | SUP,
    ("finding", "attach"): A | SUP,
    **rules(),
}
policy.RULES.update(RULES)
policy.RESOURCE_NAMES.setdefault("finding", (_("this finding"), _("audit findings")))
policy.ACTION_NAMES.setdefault("raise", _("raise"))
policy.ACTION_NAMES.setdefault("comment", _("comment on"))
