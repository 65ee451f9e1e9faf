"""Pages of work plans: the list, a plan against its progress (targets, actuals, variance and
forecast per quarter, computed from the records), drafting and editing, and the buttons to
submit and to revise. Thin: selectors read, services write; decisions are in "My approvals"."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST, require_safe

from panhuo.approvals.services import approval_status
from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import button_write, fetch_allowed, fetch_or_404, form_post, section_required
from panhuo.decisions.optimiser.models import OptimiserRun
from panhuo.disposal.models import Channel
from panhuo.finance.models import DebtType
from panhuo.organisation import policy
from panhuo.organisation.models import Unit
from panhuo.planning import propose, services
from panhuo.planning.approval import PURPOSE
from panhuo.planning.forms import (
    PlanFilterForm,
    PlanForm,
    TaskFilterForm,
    milestone_lines,
    target_lines,
    task_lines,
)
from panhuo.planning.models import Measure, PlanStatus
from panhuo.planning.progress import plan_progress
from panhuo.planning.selectors import (
    PLAN_ORDERINGS,
    TASK_ORDERINGS,
    get_plan_for,
    get_task_for,
    lines_for,
    plan_list,
    task_list,
)


class PlanList(ObjectList):
    target, resource, filter_form = "plans", "work_plan", PlanFilterForm
    url_name = "plan-list"
    rows, orderings = plan_list, PLAN_ORDERINGS
    template = "planning/plan_list.html"
    export_name = "work-plans"
    columns = [
        Column("jurisdiction", _l("Jurisdiction"), "jurisdiction.name"),
        Column("year", _l("Year"), numeric=True),
        Column("number", _l("Version"), numeric=True),
        Column("status", _l("Status"), lambda p: p.get_status_display()),
        Column("money_total", _l("Money raised target"), numeric=True),
        Column("debt_total", _l("Debt resolved target"), numeric=True),
        Column("assets_total", _l("Assets activated target"), numeric=True),
    ]

    def extra_context(self, qs) -> dict:
        return {"can_draft": policy.can_any(self.user, "work_plan", "edit")}


plan_list_view = require_safe(PlanList.as_view())


class TaskList(ObjectList):
    """The plans' tasks (linked from a plan's page with its own): who does what by when."""

    target, resource, filter_form = "plan-tasks", "work_plan", TaskFilterForm
    url_name, template = "plan-task-list", "planning/task_list.html"
    rows, orderings = task_list, TASK_ORDERINGS
    columns = [
        Column("due_on", _l("Due on"), "due_on"),
        Column("title", _l("Task"), "title"),
        Column("plan", _l("Work plan"), lambda t: str(t.plan)),
        Column("owner", _l("Owner"), "owner.username"),
        Column("done", _l("Done"), lambda t: _("yes") if t.done else _("no")),
    ]


plan_task_list_view = require_safe(TaskList.as_view())


def _key_label(line, units: dict[int, str]) -> str:
    """What a line is a target of, in words: a debt type, or a unit and a channel."""
    if line.measure == Measure.DEBT:
        return str(DebtType(line.key[0]).label) if line.key[0] in DebtType.values else line.key[0]
    if line.measure == Measure.ASSETS:
        unit, channel = line.key
        name = str(Channel(channel).label) if channel in Channel.values else channel
        return f"{units.get(unit, unit)} · {name}"
    return ""


@require_safe
@section_required("work_plan")
def plan_detail_view(request, pk):
    plan = fetch_or_404(get_plan_for, request.user, pk)
    on = timezone.localdate()
    lines = lines_for(request.user, plan, plan_progress(plan, on))
    unit_ids = [ln.key[0] for ln in lines if ln.measure == Measure.ASSETS]
    units = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    for ln in lines:
        ln.label = Measure(ln.measure).label
        ln.detail = _key_label(ln, units)
    may_edit = policy.allowed(request.user, "work_plan", "edit", jurisdiction=plan.jurisdiction)
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "lines": lines,
            "on": on,
            "quarters": (1, 2, 3, 4),
            "approval": approval_status(plan, PURPOSE),
            "can_edit": may_edit and plan.status in (PlanStatus.DRAFT, PlanStatus.RETURNED),
            "can_revise": may_edit and plan.status == PlanStatus.APPROVED,
            "milestones": plan.milestones.all(),
            "tasks": plan.tasks.select_related("owner"),
        },
    )


def _by_line(exc: ValidationError, data: dict) -> ValidationError:
    """The service names targets, milestones and tasks by their place in their list; the
    form by their line in its box."""
    out: dict[str, list] = {}
    for key, errors in exc.message_dict.items():
        found = re.match(r"(targets|milestones|tasks)\[(\d+)\]\.?(.*)", key)
        rows = (data.get(found[1]) or []) if found else []
        if found and int(found[2]) < len(rows):
            line = rows[int(found[2])]["line"]
            prefix = _("Line %(n)s") % {"n": line} + (f" ({found[3]})" if found[3] else "")
            out.setdefault(found[1], []).extend(f"{prefix}: {m}" for m in errors)
        else:
            out.setdefault(key, []).extend(errors)
    return ValidationError(out)


def _plan_form_page(request, form, plan=None, status=200):
    return render(request, "planning/plan_form.html", {"form": form, "plan": plan}, status=status)


def _write(write, data):
    try:
        return write(data)
    except ValidationError as exc:
        raise _by_line(exc, data) from None


@section_required("work_plan", "edit")
def plan_create_view(request):
    if request.method != "POST":
        return _plan_form_page(request, PlanForm(user=request.user))
    form = PlanForm(request.POST, user=request.user)

    def draft(data):
        return services.plan_draft(actor=request.user, jurisdiction=data["jurisdiction"],
                                   data=data)  # fmt: skip

    return form_post(
        request, form, lambda data: _write(draft, data), _("The plan was drafted."),
        to=lambda plan: plan.get_absolute_url(),
        denied=("jurisdiction", _("Your roles do not allow drafting plans for this place.")),
        page=lambda form: _plan_form_page(request, form, status=400),
    )  # fmt: skip


@section_required("work_plan", "edit")
def plan_edit_view(request, pk):
    refusal = _("Your roles do not allow editing this plan.")
    plan = fetch_allowed(get_plan_for, request.user, pk, "work_plan", "edit", refusal)
    if request.method != "POST":
        fields = ("money_total", "debt_total", "assets_total", "note")
        initial = {f: getattr(plan, f) for f in fields} | {
            "targets": target_lines(plan),
            "milestones": milestone_lines(plan),
            "tasks": task_lines(plan),
        }
        form = PlanForm(user=request.user, plan=plan, initial=initial)
        return _plan_form_page(request, form, plan)
    form = PlanForm(request.POST, user=request.user, plan=plan)

    def update(data):
        return services.plan_update(actor=request.user, plan=plan, data=data)

    return form_post(
        request, form, lambda data: _write(update, data), _("The plan was saved."),
        to=plan.get_absolute_url(), page=lambda form: _plan_form_page(request, form, plan, 400),
    )  # fmt: skip


def _button(request, pk, action: str, write, message: str):
    refusal = _("Your roles do not allow this step on the plan.")
    plan = fetch_allowed(get_plan_for, request.user, pk, "work_plan", action, refusal)
    done = button_write(request, lambda: write(actor=request.user, plan=plan), message)
    return redirect((done or plan).get_absolute_url())


@require_POST
@section_required("work_plan", "submit")
def plan_submit_view(request, pk):
    return _button(request, pk, "submit", services.plan_submit,
                   _("The plan was sent for approval."))  # fmt: skip


@require_POST
@section_required("work_plan", "edit")
def plan_revise_view(request, pk):
    message = _("A revision was started; the approved plan stays in force until it is approved.")
    return _button(request, pk, "edit", services.plan_revise, message)


@require_POST
@section_required("work_plan")
def plan_task_done_view(request, pk):
    """Tick a task done (or not yet): its owner or the office; others are refused (403)."""
    task = fetch_or_404(get_task_for, request.user, pk)
    done = request.POST.get("done") == "1"
    write = lambda: services.task_set_done(actor=request.user, task=task, done=done)  # noqa: E731
    button_write(request, write, _("The task was updated."))
    return redirect(task.plan.get_absolute_url())


@require_POST
@section_required("work_plan", "edit")
def plan_from_optimiser_view(request, pk):
    """Propose an adopted optimiser plan's money raised and debt resolved of one year (the
    ``year`` posted) as that year's work plan targets: work_plan.edit in the run's place. A run
    not adopted, or a year outside its horizon, is refused on the run's page, named."""
    run = OptimiserRun.objects.visible_to(request.user).filter(pk=pk).first()
    if run is None:
        raise Http404(_("No such record, or it is not visible to you."))
    if not policy.allowed(request.user, "work_plan", "edit", jurisdiction=run.jurisdiction):
        raise PermissionDenied(_("Your roles do not allow editing this plan."))
    back = redirect("plan-optimiser-run", run.pk)
    year = str(request.POST.get("year", ""))
    done = button_write(
        request,
        lambda: propose.propose_from_run(actor=request.user, run=run, year=year),
        lambda plan: _("The optimiser plan's targets of %(year)s were written into the work "
                       "plan.") % {"year": plan.year},
    )  # fmt: skip
    return redirect(done.get_absolute_url()) if done is not None else back
