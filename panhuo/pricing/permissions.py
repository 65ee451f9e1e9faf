"""Who may read and write the price records (added to the one policy table)."""

from panhuo.organisation import policy
from panhuo.organisation.policy import READERS, D, H, O, U

policy.RULES.update(
    {
        ("valuation", "view"): READERS | {U},
        ("valuation", "create"): frozenset({O, U}),
        ("pricerules", "view"): READERS,
        ("pricerules", "edit"): frozenset({H, D, O}),
        ("avm", "view"): READERS,
        ("avm", "train"): frozenset({H, D, O}),
    }
)
