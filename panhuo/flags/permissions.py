"""Who sees and acts on red flags (added to the one policy table).

Flags are read by the task force (head, deputies, office), the finance officer, the auditor and
the supervisor, each in their jurisdiction and below. Unit asset officers do not see them: a
flag may be about their own unit's conduct (a buyer related to one of its officials, a
give-away price), and showing it to the unit would tip off the people it concerns before the
auditor looks; the task force takes a flag up with the unit when it needs an answer. Only the
auditor resolves a flag (DESIGN §1: the auditor resolves red flags and changes nothing else).
The thresholds are a policy choice of the task force's head and office.
"""

from django.utils.translation import gettext_lazy as _

from panhuo.organisation import policy
from panhuo.organisation.policy import A, D, F, H, O, S

policy.RULES.update(
    {
        ("flag", "view"): frozenset({H, D, O, F, A, S}),
        ("flag", "resolve"): frozenset({A}),
        ("flag_thresholds", "set"): frozenset({H, O}),
    }
)
policy.RESOURCE_NAMES.setdefault("flag", (_("this red flag"), _("red flags")))
policy.RESOURCE_NAMES.setdefault(
    "flag_thresholds", (_("the red-flag thresholds of this place"), _("red-flag thresholds"))
)
policy.ACTION_NAMES.setdefault("resolve", _("resolve"))
