"""Who may set an asset's decision inputs (added to the one policy table): the task force."""

from django.utils.translation import gettext_lazy as _

from panhuo.organisation import policy
from panhuo.organisation.policy import D, H, O

policy.RULES.update({("decision_input", "set"): frozenset({H, D, O})})
policy.RESOURCE_NAMES["decision_input"] = (
    _("the decision inputs of this asset"),
    _("decision inputs"),
)
