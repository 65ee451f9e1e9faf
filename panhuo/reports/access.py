"""Who may read and generate reports (the policy's rules for the resource ``report``).

Readers are the task force's readers in the report's jurisdiction and above (head, deputy,
office, finance, auditors, the supervisor); the office and finance generate them. A unit asset
officer reads none: the reports are the jurisdiction's, not a unit's."""

from __future__ import annotations

from panhuo.organisation import policy
from panhuo.organisation.policy import F, O

policy.RULES.update(
    {
        ("report", "view"): policy.READERS,
        ("report", "generate"): frozenset({O, F}),
    }
)
