"""Who may set an asset's decision inputs (added to the one policy table): the task force."""

from django.utils.translation import gettext_lazy as _

from panhuo.organisation import policy
from panhuo.organisation.policy import D, H, O

policy.RULES.update({("decision_input", "set"): frozenset({H, D, O})})
policy.RESOURCE_NAMES["decision_input"] = (
    _("the decision inputs of this asset"),
    _("decision inputs"),
)

# The disposal plan optimiser: the office and finance (and the leaders) run it; the office
# adopts a plan, which opens its draft disposal projects.
policy.RULES.update(
    {
        ("plan_run", "view"): policy.READERS,
        ("plan_run", "create"): frozenset({H, D, O, policy.F}),
        ("plan_run", "adopt"): frozenset({O}),
    }
)
policy.RESOURCE_NAMES["plan_run"] = (_("this optimiser run"), _("optimiser runs"))

# Storing a scenario run (issue 20, item 4): the task force's office and its heads; reading
# stored runs is debt.view in their place (the scenarios page's readers).
policy.RULES.update({("scenario_run", "create"): frozenset({H, D, O})})
policy.RESOURCE_NAMES["scenario_run"] = (_("this scenario run"), _("scenario runs"))
