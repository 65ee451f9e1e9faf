"""The decision page of an asset: hold, lease or sell, with the arithmetic shown. Reached from
the asset's page; asset.view on the asset and debt.view in its place."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from panhuo.core.ui import fetch_or_404, section_required
from panhuo.decisions.forms import DecisionForm
from panhuo.decisions.inputs import ADJUSTABLE
from panhuo.decisions.report import decision_for
from panhuo.register.selectors import get_asset_for


@require_safe
@section_required("debt")
@section_required("asset")
def asset_decision_view(request, pk):
    asset = fetch_or_404(get_asset_for, request.user, pk)
    form = DecisionForm(request.GET or None)
    context = {"asset": asset, "form": form, "decision": None, "problems": []}
    if form.is_bound and not form.is_valid():
        return render(request, "decisions/asset_decision.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    try:
        context["decision"] = decision_for(
            request.user, asset, on=data.get("on") or timezone.localdate(),
            debt_id=data.get("debt"), given={k: data.get(k) for k in ADJUSTABLE},
        )  # fmt: skip
    except ValidationError as exc:
        context["problems"] = exc.messages
    if context["decision"]:
        s = context["decision"]["sensitivity"]
        context["rows"] = list(zip(s["rates_pct"], s["sell_less_best_other"], strict=True))
    return render(request, "decisions/asset_decision.html", context)
