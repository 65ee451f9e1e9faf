"""Pages of the disposal plan optimiser, under the work plans (beside the scenarios): start a
run, follow it, read its plan (packages by quarter and channel, the cover of each quarter
against its debt service, the gap, the binding quarters, shadow prices, the greedy baseline),
cancel it, adopt it. plan_run.view to read, plan_run.create to start or cancel, plan_run.adopt
to adopt."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import form_write, section_required
from panhuo.decisions.forms_runs import RunFilterForm
from panhuo.decisions.optimiser import runs
from panhuo.decisions.optimiser.listing import RUN_ORDERINGS, optimiser_run_list
from panhuo.decisions.optimiser.models import OptimiserRun, RunStatus
from panhuo.decisions.optimiser.targets import plan_targets
from panhuo.organisation import policy


class OptimiseForm(forms.Form):
    """The optimiser's question: the plan date and the parameters (blank: the default)."""

    on = forms.DateField(label=_("Plan date"), required=False,
                         widget=forms.DateInput({"type": "date"}))  # fmt: skip
    horizon = forms.IntegerField(label=_("Horizon (quarters)"), required=False)
    buffer = forms.DecimalField(label=_("Minimum cash buffer (yuan)"), required=False,
                                max_digits=18, decimal_places=2)  # fmt: skip
    opening = forms.DecimalField(label=_("Cash at the start (yuan)"), required=False,
                                 max_digits=18, decimal_places=2)  # fmt: skip
    absorption_pct = forms.DecimalField(
        label=_("Market absorption (per cent of a kind's proceeds a quarter)"), required=False
    )
    time_limit = forms.IntegerField(label=_("Time limit (seconds)"), required=False)
    gap_pct = forms.DecimalField(label=_("Optimality gap accepted (per cent)"), required=False)
    approval_days = forms.IntegerField(
        label=_("Approval lead time (calendar days)"), required=False,
        help_text=_("Leave empty for each package's price rules (30 by default)."),
    )  # fmt: skip
    finance_approval_days = forms.IntegerField(
        label=_("Finance bureau's approval lead time (calendar days)"), required=False,
        help_text=_("Above the rule set's threshold. Leave empty for each package's price rules "
                    "(60 by default)."),
    )  # fmt: skip


#: The worker's stages, as the run page says them while it follows the run.
STAGES = {"": _("queued"), "gathering": _("gathering the records"), "solving": _("solving"),
          "finished": _("finished")}  # fmt: skip


def _place(user):
    return policy.jurisdictions_for(user, "debt", "view").order_by("path").first()


class OptimiserRunFilterForm(RunFilterForm):
    """The stored runs' filters (places where the reader sees optimiser runs) and the status."""

    resource = "plan_run"
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *RunStatus.choices])  # fmt: skip


class OptimiserRunList(ObjectList):
    """The optimiser runs the reader sees, under the form that starts one."""

    target, resource, filter_form = "optimiser-runs", "plan_run", OptimiserRunFilterForm
    url_name, template = "plan-optimiser", "decisions/optimiser.html"
    rows, orderings = optimiser_run_list, RUN_ORDERINGS
    export_name = "optimiser-runs"
    columns = [
        Column("id", "#", "pk", numeric=True),
        Column("jurisdiction", _("Place"), "jurisdiction.name"),
        Column("on", _("Plan date"), "on"),
        Column("status", _("Status"), lambda r: r.get_status_display()),
        Column(
            "value_lost",
            _("Value lost against holding"),
            lambda r: r.result.get("value_lost"),
            money=True,
            numeric=True,
        ),
        Column("gap_pct", _("Optimality gap"), lambda r: r.result.get("gap_pct", ""), numeric=True),
        Column("created_by", _("Run by"), "created_by.username"),
        Column("created_at", _("Run at"), "created_at"),
        Column("message", _("Message"), "message"),
    ]


@require_http_methods(["GET", "POST"])
@section_required("plan_run")
def optimiser_view(request):
    """The runs the reader sees (a list: search, filters, sort, pages, CSV/XLSX), and the form
    to start one (plan_run.create)."""
    can_run = policy.can_any(request.user, "plan_run", "create")
    form = OptimiseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied(policy.refusal("plan_run", "create", one=False))
        if form.is_valid():
            data = dict(form.cleaned_data)
            on = data.pop("on", None) or timezone.localdate()
            place = _place(request.user)
            if place is None:
                raise PermissionDenied(policy.refusal("debt", "view", one=False))
            done = form_write(
                request, form,
                lambda: runs.run_create(actor=request.user, place=place, on=on, params=data),
                _("The optimiser run is queued."),
            )  # fmt: skip
            if done is not None:
                return redirect("plan-optimiser-run", done.pk)
        return OptimiserRunList(request).render(400 if form.errors else 200,
                                                form=form if can_run else None)  # fmt: skip
    return OptimiserRunList(request).dispatch(form=form if can_run else None)


def _run(request, pk) -> OptimiserRun:
    run = OptimiserRun.objects.visible_to(request.user).filter(pk=pk).first()
    if run is None:
        raise Http404(_("No such record, or it is not visible to you."))
    return run


@require_safe
@section_required("plan_run")
def optimiser_run_view(request, pk):
    run = _run(request, pk)
    place = run.jurisdiction
    context = {
        "run": run, "result": run.result, "progress": runs.progress(run),
        "can_cancel": run.status in (RunStatus.QUEUED, RunStatus.RUNNING)
        and policy.allowed(request.user, "plan_run", "create", jurisdiction=place),
        "can_adopt": run.status == RunStatus.DONE and bool(run.result.get("plan"))
        and policy.allowed(request.user, "plan_run", "adopt", jurisdiction=place),
        "targets": plan_targets(request.user, run),
        "can_propose": run.status == RunStatus.ADOPTED
        and policy.allowed(request.user, "work_plan", "edit", jurisdiction=place),
    }  # fmt: skip
    following = run.status in (RunStatus.QUEUED, RunStatus.RUNNING)
    stage = context["progress"].get("stage", "")
    context.update(following=following, stage_label=STAGES.get(stage, stage))
    return render(request, "decisions/optimiser_run.html", context)


def _act(request, pk, write, message):
    run = _run(request, pk)
    try:
        write(run)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, message)
    return redirect("plan-optimiser-run", run.pk)


@require_POST
@section_required("plan_run", "create")
def optimiser_cancel_view(request, pk):
    return _act(request, pk, lambda run: runs.run_cancel(actor=request.user, run=run),
                _("The run is asked to stop."))  # fmt: skip


@require_POST
@section_required("plan_run", "adopt")
def optimiser_adopt_view(request, pk):
    return _act(request, pk, lambda run: runs.run_adopt(actor=request.user, run=run),
                _("The plan is adopted: its draft disposal projects are open."))  # fmt: skip
