"""Pages of the price stage: valuations, the price rules of a jurisdiction, model runs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from panhuo.core.errors import Conflict
from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import (
    add_service_errors,
    button_write,
    fetch_or_404,
    form_post,
    paginate,
    section_required,
)
from panhuo.organisation import policy
from panhuo.pricing import law, services
from panhuo.pricing.forms import (
    PriceRulesForm,
    RulesJurisdictionForm,
    ValuationFilterForm,
    ValuationForm,
)
from panhuo.pricing.law import RuleClass
from panhuo.pricing.models import PriceRuleSet
from panhuo.pricing.rules import Thresholds
from panhuo.pricing.selectors import (
    VALUATION_ORDERINGS,
    get_valuation_for,
    latest_valid_appraisal,
    rule_set_for,
    valuation_list,
)
from panhuo.register.selectors import get_asset_for

# --- valuations ------------------------------------------------------------------------------


class ValuationList(ObjectList):
    target, resource, filter_form = "valuations", "valuation", ValuationFilterForm
    rows, orderings = valuation_list, VALUATION_ORDERINGS  # searches q itself
    columns = [
        Column("asset", _l("Asset")),
        Column("kind", _l("Kind")),
        Column("value", _l("Value"), numeric=True, money=True),
        Column("base_date", _l("Base date")),
        Column("valid_until", _l("Valid until")),
        Column("appraiser", _l("Appraiser / method")),
        Column("report", _l("Report")),
    ]

    def extra_context(self, qs) -> dict:
        return {
            "today": timezone.localdate(),
            "can_create": policy.can_any(self.user, "valuation", "create"),
        }

    def export_header(self) -> list:
        return [
            _("Asset code"),
            _("Asset"),
            _("Kind"),
            _("Value (yuan)"),
            _("Base date"),
            _("Valid until"),
            _("Method"),
            _("Appraiser"),
            _("Licence number"),
            _("Report number"),
            _("Stated error"),
            _("Package"),
        ]

    def export_rows(self, qs):
        return (
            [
                v.asset.code,
                v.asset.name,
                v.get_kind_display(),
                v.value,
                v.base_date.isoformat(),
                v.valid_until.isoformat() if v.valid_until else "",
                v.get_method_display() if v.method else "",
                v.appraiser,
                v.licence_number,
                v.report_number,
                v.stated_error if v.stated_error is not None else "",
                v.package.code if v.package else "",
            ]
            for v in qs.iterator(chunk_size=2000)
        )


valuation_list_view = ValuationList.as_view()
valuation_export = ValuationList.as_view(export="csv")


@section_required("valuation")
def valuation_detail(request, pk):
    v = fetch_or_404(get_valuation_for, request.user, pk)
    latest = latest_valid_appraisal(v.asset)
    return render(
        request,
        "pricing/valuation_detail.html",
        {"v": v, "latest": latest, "is_latest": latest is not None and latest.pk == v.pk},
    )


@section_required("valuation")
def valuation_create_view(request):
    if not policy.can_any(request.user, "valuation", "create"):
        raise PermissionDenied(_("Your roles do not allow recording valuations."))
    initial = {"asset": request.GET.get("asset", "")[:64]}
    form = ValuationForm(request.POST or None, user=request.user, initial=initial)
    return form_post(
        request, form,
        lambda data: services.valuation_create(
            actor=request.user, asset=data["asset"], **form.data_for_service()
        ),
        _("Valuation recorded."), to=lambda v: v,
        page=lambda form: render(request, "pricing/valuation_form.html", {"form": form}),
    )  # fmt: skip


# --- price rules -----------------------------------------------------------------------------


@section_required("pricerules")
def price_rules_view(request):
    """The thresholds that apply in one jurisdiction (its own or inherited), editable by the
    head, deputies and the office of that jurisdiction."""
    user = request.user
    picker = RulesJurisdictionForm(request.GET or None, user=user)
    choices = picker.fields["jurisdiction"].queryset
    jurisdiction = None
    rule_class = RuleClass.ENTERPRISE
    if picker.is_bound and picker.is_valid():
        jurisdiction = picker.cleaned_data["jurisdiction"]
        rule_class = picker.cleaned_data.get("rule_class") or rule_class
    if jurisdiction is None:
        own = [g for g in policy.grants(user) if g.role != "unit_officer"]
        jurisdiction = choices.filter(pk__in=[g.jurisdiction_id for g in own]).first()
        jurisdiction = jurisdiction or choices.first()
    if jurisdiction is None:
        raise PermissionDenied(_("Your roles do not give access to this page."))
    rule_set = rule_set_for(jurisdiction, rule_class)
    can_edit = policy.allowed(user, "pricerules", "edit", jurisdiction=jurisdiction)
    status = 200
    current = Thresholds.of(rule_set, rule_class)
    form = PriceRulesForm(initial=current.values()) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Your roles do not allow changing these rules."))
        form = PriceRulesForm(request.POST)
        if form.is_valid():
            own = rule_set if rule_set and rule_set.jurisdiction_id == jurisdiction.pk else None
            version = request.POST.get("version")
            try:
                services.price_rules_update(
                    actor=user,
                    jurisdiction=jurisdiction,
                    data={k: form.cleaned_data[k] for k in Thresholds.names()},
                    version=int(version) if version and version.isdigit() and own else None,
                    rule_class=rule_class,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            except Conflict as exc:
                form.add_error(None, str(exc))
                status = 409
            else:
                messages.success(request, _("Price rules saved."))
                return redirect(
                    f"{request.path}?jurisdiction={jurisdiction.pk}&rule_class={rule_class}"
                )
        else:
            status = 400
    bounds = law.minimums_text(rule_class)
    rows = [
        (
            PriceRuleSet._meta.get_field(name).verbose_name,
            getattr(current, name),
            current.sources.get(name, ""),
            bounds.get(name, ""),
        )
        for name in Thresholds.names()
    ]
    return render(
        request,
        "pricing/price_rules.html",
        {
            "picker": picker,
            "jurisdiction": jurisdiction,
            "rule_set": rule_set,
            "rule_class": RuleClass(rule_class),
            "class_law": law.CLASS_LAW[rule_class],
            "inherited": rule_set is None or rule_set.jurisdiction_id != jurisdiction.pk,
            "rows": rows,
            "form": form,
            "version": rule_set.version
            if rule_set and rule_set.jurisdiction_id == jurisdiction.pk
            else "",
        },
        status=status,
    )


# --- valuation model --------------------------------------------------------------------------


@section_required("avm")
def avm_runs_view(request):
    from panhuo.pricing.avm import avm_train
    from panhuo.pricing.selectors import avm_run_list

    user = request.user
    places = policy.jurisdictions_for(user, "avm", "train")
    if request.method == "POST":
        jurisdiction = places.filter(pk=request.POST.get("jurisdiction") or 0).first()
        if jurisdiction is None:
            raise PermissionDenied(_("Your roles do not allow training the valuation model."))
        button_write(
            request,
            lambda: avm_train(actor=user, jurisdiction=jurisdiction),
            lambda run: (
                _("Model trained on %(n)s deals; held-out error %(mape)s %%.")
                % {"n": run.n_train + run.n_test, "mape": f"{run.mape * 100:.1f}"}
            ),
        )
        return redirect("avm-runs")
    return render(
        request,
        "pricing/avm_runs.html",
        {"page": paginate(request, avm_run_list(user)), "places": places},
    )


@section_required("valuation", "create")
def avm_estimate_view(request, asset_pk):
    from panhuo.pricing.avm import avm_estimate

    if request.method != "POST":
        return redirect("valuation-list")
    asset = fetch_or_404(get_asset_for, request.user, asset_pk)
    try:
        v = avm_estimate(actor=request.user, asset=asset)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(asset)
    messages.success(request, _("Automated estimate recorded."))
    return redirect(v)
