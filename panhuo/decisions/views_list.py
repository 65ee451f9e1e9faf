"""The hold/lease/sell list of many assets (issue 20): every asset the reader sees in a place
whose debts they read, with its figures (``decisions.many``, as each asset's own page), searched,
filtered by place, kind and recommendation, sorted, a page at a time, exported to CSV or XLSX.
Reached from the decision and scenario pages; asset.view and debt.view (the section), the rows
the reader's own assets in places whose debts they read."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from panhuo.core.forms import choice_filter, date_field, search_field
from panhuo.core.lists import Column, ListFilterForm, ObjectList
from panhuo.core.ui import section_required
from panhuo.decisions.listing import ORDERINGS, RECOMMENDATIONS, asset_decision_list, place_of
from panhuo.organisation import policy
from panhuo.register.models import AssetKind


class DecisionFilterForm(ListFilterForm):
    q = search_field(_("Asset code or name"))
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), required=False, queryset=None,
                                          empty_label=_("All"))  # fmt: skip
    kind = choice_filter(_("Kind"), AssetKind.choices)
    recommendation = choice_filter(_("Recommendation"), RECOMMENDATIONS)
    on = date_field(_("As of"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        places = policy.jurisdictions_for(user, "debt", "view").order_by("path")
        self.fields["jurisdiction"].queryset = places


def _money(key: str, label) -> Column:
    return Column(key, label, numeric=True, money=True)


class AssetDecisionList(ObjectList):
    """Hold, lease or sell for every asset the reader sees, the figures of each one's page."""

    target, resource, filter_form = "asset-decisions", "debt", DecisionFilterForm
    url_name, template = "asset-decision-list", "decisions/asset_decisions.html"
    rows, orderings, default_sort = asset_decision_list, ORDERINGS, "code"
    export_name = "hold-lease-sell"
    columns = [
        Column("code", _("Code")),
        Column("name", _("Name")),
        Column("place", _("Jurisdiction")),
        Column("kind", _("Kind"), "kind_label"),
        Column("best", _("Recommendation"), "best_label"),
        _money("hold", _("Hold")),
        _money("lease", _("Lease")),
        _money("sell", _("Sell")),
        _money("proceeds", _("Net proceeds")),
        _money("interest_saved", _("Interest saved")),
        _money("value_destroyed", _("Value destroyed by selling")),
        Column("refused", _("Not decided because")),
    ]

    def extra_context(self, qs) -> dict:
        form = self.form()
        chosen = form.filters().get("jurisdiction") if form is not None else None
        return {"place": place_of(self.user, chosen), "on": qs.on}


@require_safe
@section_required("asset")
@section_required("debt")
def asset_decision_list_view(request):
    return AssetDecisionList(request).dispatch()
