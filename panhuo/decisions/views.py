"""The decision pages of an asset and of a package: hold, lease or sell, with the arithmetic
shown. Reached from the asset's or package's page; view on it and debt.view in its place."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from panhuo.core.ui import fetch_or_404, section_required
from panhuo.decisions.forms import DecisionForm
from panhuo.decisions.inputs import ADJUSTABLE
from panhuo.decisions.report import decision_for, package_decision_for
from panhuo.disposal.selectors import get_package_for
from panhuo.register.selectors import get_asset_for


def _view(resource: str, getter, decide, list_name: str, list_label):
    """The page of one record of ``resource`` (fetched by ``getter``), decided by ``decide``."""

    @require_safe
    @section_required("debt")
    @section_required(resource)
    def view(request, pk):
        subject = fetch_or_404(getter, request.user, pk)
        return _page(request, subject, decide, reverse(list_name), list_label)

    return view


asset_decision_view = _view("asset", get_asset_for, decision_for, "asset-list", _("Assets"))
package_decision_view = _view(
    "package", get_package_for, package_decision_for, "package-list", _("Packages")
)


def _page(request, subject, decide, list_url, list_label):
    form = DecisionForm(request.GET or None)
    context = {"subject": subject, "list_url": list_url, "list_label": list_label,
               "form": form, "decision": None, "problems": []}  # fmt: skip
    if form.is_bound and not form.is_valid():
        return render(request, "decisions/decision.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    try:
        context["decision"] = decide(
            request.user, subject, on=data.get("on") or timezone.localdate(),
            debt_id=data.get("debt"), given={k: data.get(k) for k in ADJUSTABLE},
        )  # fmt: skip
    except ValidationError as exc:
        context["problems"] = exc.messages
    if context["decision"]:
        s = context["decision"]["sensitivity"]
        context["rows"] = list(zip(s["rates_pct"], s["sell_less_best_other"], strict=True))
    return render(request, "decisions/decision.html", context)
