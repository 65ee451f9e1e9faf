"""Pages of disposal projects: the list, a project with its steps and channel records, making one,
taking a transition and asking for a price exception."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import (
    add_service_errors,
    fetch_or_404,
    form_post,
    form_write,
    section_required,
)
from panhuo.disposal import deadlines, money, price_exceptions, services
from panhuo.disposal.forms import (
    PriceExceptionForm,
    ProjectFilterForm,
    ProjectForm,
    TransitionForm,
)
from panhuo.disposal.links import links_for
from panhuo.disposal.models import Package, ProjectStatus
from panhuo.disposal.selectors import (
    PROJECT_ORDERINGS,
    STATE_ORDER,
    get_package_for,
    get_project_for,
    project_list,
    with_figures,
)
from panhuo.disposal.views.packages import package_units
from panhuo.disposal.workflow import RECEIVING, reachable, table_for
from panhuo.organisation import policy
from panhuo.pricing.selectors import applied_rules

#: States off the main path: shown only when the project is in them.
MAIN_PATH_SKIPS = {ProjectStatus.WITHDRAWN, ProjectStatus.IN_ARREARS}

# --- projects -------------------------------------------------------------------------------


class ProjectList(ObjectList):
    target, resource, filter_form = "projects", "project", ProjectFilterForm
    rows, orderings = project_list, PROJECT_ORDERINGS  # searches q itself (code, buyer, package)
    columns = [
        Column("code", _l("Code")),
        Column("package", _l("Package"), lambda p: f"{p.package.name} {p.package.code}"),
        Column("channel", _l("Channel"), "get_channel_display"),
        Column("status", _l("State"), "get_status_display"),
        Column("reserve_price", _l("Reserve price"), numeric=True, money=True),
        Column("deal_price", _l("Deal price"), numeric=True, money=True),
        Column("buyer", _l("Buyer")),
        Column("updated_at", _l("Last changed"), lambda p: p.updated_at.date()),
    ]


project_list_view = ProjectList.as_view()


def _price_exception(user, project, form=None, refused_price=None) -> dict:
    """The price-exception panel: the latest request while pending or approved, and the form
    to ask for one when the pricing guard has just refused a step for the approval floor (or a
    submitted request came back with errors) and the user may ask."""
    latest = price_exceptions.latest(project)
    pending = latest is not None and latest.status == "pending"
    if form is None and refused_price is not None:
        form = PriceExceptionForm(initial={"amount": refused_price})
    show_form = (
        form is not None
        and not pending
        and price_exceptions.open_for_request(project)
        and price_exceptions.may_request(user, project)
    )
    shown = latest is not None and latest.status in {"pending", "approved"}
    return {
        "price_exception": latest if shown else None,
        "price_exception_form": form if show_form else None,
    }


def _project_page(
    request, project, bound=None, status: int = 200, *, price_form=None, refused_price=None
):
    """The project page; ``bound`` is a submitted transition form to show with its errors,
    ``refused_price`` the price the approval floor just refused (offers a price exception)."""
    user = request.user
    forms = [
        bound
        if bound is not None and bound.transition.name == t.name
        else TransitionForm(transition=t)
        for t in services.available_transitions(user, project)
    ]
    receipts = received = None
    if policy.allowed(user, "receipt", "view", jurisdiction=project.jurisdiction):
        receipts = money.receipts(user, project)
        received = sum((r.amount for r in receipts), Decimal("0.00"))
    due = None
    if project.deal_price is not None and received is not None:
        due = project.deal_price - received
    for form in forms:
        # Another stage's rule (an approval chain not yet through, money still due) says why
        # not: the same rule the API's available_transitions applies.
        form.blocked = services.transition_blocker(user, project, form.transition)
    can_record_receipt = project.status in RECEIVING and policy.allowed(
        user, "receipt", "create", jurisdiction=project.jurisdiction
    )
    return render(
        request,
        "disposal/project_detail.html",
        {
            "project": project,
            "package": project.package,
            "package_figures": with_figures(Package.objects.filter(pk=project.package_id)).get(),
            "events": project.events.select_related("actor"),
            "transition_forms": forms,
            "receipts": receipts,
            "received": received,
            "due": due,
            "can_record_receipt": can_record_receipt,
            "steps": _steps(project),
            "rule_set": applied_rules(project.package),
            # The records the apps above keep about it (its auction lots: disposal/links.py).
            "links": links_for(user, project),
            **_channel_records(project, receipts is not None),
            **_price_exception(user, project, price_form, refused_price),
        },
        status=status,
    )


def _channel_records(project, sees_money: bool) -> dict:
    """What the project's channel recorded: rounds, counterparty, contract, tranches, and the
    expected receipts matched to what came in (for those who see the money)."""
    from django.utils import timezone

    return {
        "today": timezone.localdate(),
        # A disclosure or result notice end is a date to wait for, not a deadline to meet.
        "due_is_wait": deadlines.is_wait(project.channel, project.status),
        "rounds": list(project.rounds.all()),
        "terms": getattr(project, "terms", None),
        "contract": getattr(project, "contract", None),
        "renewals": list(project.contract.renewals.all()) if hasattr(project, "contract") else [],
        "tranches": list(project.tranches.all()),
        "expected_lines": money.lines(project, today=timezone.localdate()) if sees_money else [],
    }


def _steps(project) -> list[dict]:
    """The main path of the state machine, marking where the project stands."""
    states = reachable(project.channel)
    path = [s for s in STATE_ORDER if s in states and s not in MAIN_PATH_SKIPS]
    if project.status == ProjectStatus.WITHDRAWN:
        # Reached steps stay ticked; the ones it never got to are struck through.
        left = project.events.filter(transition="withdraw").values_list("from_status", flat=True)
        reached = path.index(ProjectStatus(left.last() or ProjectStatus.DRAFT))
        return [
            {"label": s.label, "state": "done" if i <= reached else "skipped"}
            for i, s in enumerate(path)
        ] + [{"label": ProjectStatus.WITHDRAWN.label, "state": "current"}]
    if project.status == ProjectStatus.IN_ARREARS:
        path.insert(path.index(ProjectStatus.IN_FORCE) + 1, ProjectStatus.IN_ARREARS)
    here = path.index(ProjectStatus(project.status))
    return [
        {"label": s.label, "state": "done" if i < here else "current" if i == here else "todo"}
        for i, s in enumerate(path)
    ]


@section_required("project")
def project_detail(request, pk):
    return _project_page(request, fetch_or_404(get_project_for, request.user, pk))


@section_required("project")
def project_create_view(request, package_pk):
    package = fetch_or_404(get_package_for, request.user, package_pk)
    if request.method != "POST" and not policy.allowed(
        request.user,
        "project",
        "create",
        jurisdiction=package.jurisdiction,
        units=package_units(package),
    ):
        raise PermissionDenied(_("You may not open a project for this package."))
    form = ProjectForm(
        request.POST or None,
        initial={"channel": package.channel, "reserve_price": package.total_appraised_value},
    )
    if request.method == "POST" and form.is_valid():
        project = form_write(
            request,
            form,
            lambda: services.project_create(
                actor=request.user, package=package, **form.cleaned_data
            ),
            lambda project: _("Draft project %(code)s opened.") % {"code": project.code},
        )
        if project is not None:
            return redirect(project)
    return render(request, "disposal/project_form.html", {"form": form, "package": package})


@require_POST
@section_required("project")
def project_transition_view(request, pk, name):
    project = fetch_or_404(get_project_for, request.user, pk)
    transition = table_for(project.channel).get(name)
    if transition is None:
        raise Http404(_("No such transition."))
    form = TransitionForm(request.POST, transition=transition)
    if not form.is_valid():
        return _project_page(request, project, bound=form)
    try:
        project = services.project_transition(
            actor=request.user, project=project, transition=name, **form.service_kwargs()
        )
    except services.TransitionRefused as exc:
        reason = " ".join(exc.messages)
        project.refresh_from_db(fields=["status"])
        if project.status in transition.sources:
            # The state allows it, so the actor does not: roles, scope or separation of duties.
            raise PermissionDenied(reason) from exc
        # The project moved on since the page was loaded: show where it stands now.
        messages.error(request, reason)
        return redirect(project)
    except ValidationError as exc:
        refused_price = None
        if getattr(getattr(exc, "rule", None), "code", "") == price_exceptions.RULE:
            # Read before the errors are attached: a field's error drops its cleaned value.
            data = form.cleaned_data
            refused_price = data.get("reserve_price") or data.get("deal_price")
        add_service_errors(form, exc)
        return _project_page(request, project, bound=form, refused_price=refused_price)
    messages.success(
        request,
        _("%(code)s: %(label)s — now %(status)s.")
        % {
            "code": project.code,
            "label": transition.label,
            "status": project.get_status_display(),
        },
    )
    return redirect(project)


@require_POST
@section_required("project")
def project_price_exception_view(request, pk):
    """Ask the head for a price exception (see ``price_exceptions``); errors show on the page."""
    project = fetch_or_404(get_project_for, request.user, pk)
    if not price_exceptions.may_request(request.user, project):
        raise PermissionDenied(_("You may not request a price exception for this project."))
    form = PriceExceptionForm(request.POST)
    return form_post(
        request, form,
        lambda data: price_exceptions.price_exception_request(
            actor=request.user, project=project, **data
        ),
        lambda _request: _("Price exception requested for %(amount)s yuan; the head decides it "
                           "under My approvals.") % {"amount": f"{form.cleaned_data['amount']:,}"},
        to=project, page=lambda form: _project_page(request, project, price_form=form),
    )  # fmt: skip
