"""Who may read and enter fiscal revenue (added to the one policy table).

Fiscal data is the finance bureau's: finance officers enter and correct it. Everyone who reads a
jurisdiction's records reads its revenue, supervisors as roll-ups of everything below them. The
alert thresholds are a policy choice of the task force's leaders and of finance.
"""

from panhuo.organisation import policy
from panhuo.organisation.policy import READERS, D, F, H

policy.RULES.update(
    {
        ("revenue", "view"): READERS,
        ("revenue", "edit"): frozenset({F}),
        ("revenue_thresholds", "edit"): frozenset({H, D, F}),
    }
)
