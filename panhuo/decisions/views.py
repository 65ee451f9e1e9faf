"""The decision pages of an asset and of a package: hold, lease or sell, with the arithmetic
shown. Reached from the asset's or package's page; view on it and debt.view in its place."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from panhuo.core.ui import fetch_or_404, form_post, section_required
from panhuo.decisions.chart import fan_chart
from panhuo.decisions.exports import decision_export, export_format
from panhuo.decisions.forms import AssetInputForm, DecisionForm, ScenarioForm
from panhuo.decisions.inputs import ADJUSTABLE
from panhuo.decisions.pipeline import run
from panhuo.decisions.report import decision_for, package_decision_for
from panhuo.decisions.services import input_set
from panhuo.disposal.selectors import get_package_for
from panhuo.organisation import policy
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


@require_POST
@section_required("decision_input", "set")
def asset_input_view(request, pk):
    """Set (or clear) one input for the asset or its place, with the reason; back to the
    asset's decision page."""
    asset = fetch_or_404(get_asset_for, request.user, pk)
    form = AssetInputForm(request.POST)
    page = reverse("asset-decision", args=[asset.pk])
    return form_post(
        request, form,
        lambda d: input_set(actor=request.user, name=d["name"], value=d["value"],
                            reason=d["reason"], **_where(d["scope"], asset)),
        _("The input is set."), to=page,
        page=lambda form: _page(request, asset, decision_for, reverse("asset-list"), _("Assets"),
                                input_form=form, status=400),
    )  # fmt: skip


def _where(scope: str, asset) -> dict:
    return {"asset": asset} if scope == "asset" else {"place": asset.unit.jurisdiction}


def _page(request, subject, decide, list_url, list_label, *, input_form=None, status=200):
    form = DecisionForm(request.GET or None)
    context = {"subject": subject, "list_url": list_url, "list_label": list_label,
               "form": form, "decision": None, "problems": []}  # fmt: skip
    if decide is decision_for and policy.allowed(
        request.user, "decision_input", "set", jurisdiction=subject.unit.jurisdiction
    ):
        context["input_form"] = input_form or AssetInputForm()
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
    if context["decision"] and (fmt := export_format(request)):
        return decision_export(fmt, context["decision"], subject.code)
    if context["decision"]:
        s = context["decision"]["sensitivity"]
        context["rows"] = list(zip(s["rates_pct"], s["sell_less_best_other"], strict=True))
    return render(request, "decisions/decision.html", context, status=status)


@require_safe
@section_required("debt")
@section_required("package")
def scenarios_view(request):
    """The scenarios of the pipeline of the widest place whose debts the reader sees: the
    fan chart of the proceeds per quarter against the debt service, and the probability each
    quarter's service is missed."""
    form = ScenarioForm(request.GET or None)
    context = {"form": form, "result": None, "problems": [], "chart": None}
    context["can_save"] = policy.can_any(request.user, "scenario_run", "create")
    if form.is_bound and not form.is_valid():
        return render(request, "decisions/scenarios.html", context, status=400)
    data = dict(form.cleaned_data) if form.is_bound else {}
    on = data.pop("on", None) or timezone.localdate()
    place = policy.jurisdictions_for(request.user, "debt", "view").order_by("path").first()
    try:
        if place is None:
            raise PermissionDenied
        context["result"] = run(request.user, place, on=on, params=data)
    except ValidationError as exc:
        context["problems"] = exc.messages
    if context["result"]:
        context["chart"] = fan_chart(context["result"]["periods"])
    return render(request, "decisions/scenarios.html", context)
