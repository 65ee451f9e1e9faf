"""Pages: "My approvals" (the inbox), requests and their history, chains, delegations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from panhuo.approvals import services
from panhuo.approvals.forms import (
    ChainFilterForm,
    ChainForm,
    DecisionForm,
    DelegationFilterForm,
    DelegationForm,
    InboxFilterForm,
    RequestFilterForm,
    WithdrawForm,
)
from panhuo.approvals.models import ApprovalStatus
from panhuo.approvals.registry import PURPOSES
from panhuo.approvals.selectors import (
    CHAIN_ORDERINGS,
    DELEGATION_ORDERINGS,
    REQUEST_ORDERINGS,
    chain_list,
    delegation_list,
    get_chain_for,
    get_delegation_for,
    get_request_for,
    inbox,
    request_figures,
    request_list,
    who_acts,
)
from panhuo.approvals.services.gates import missing_documents, step_roles_now
from panhuo.core.errors import Conflict
from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import (
    add_service_errors,
    button_write,
    fetch_allowed,
    fetch_or_404,
    form_post,
    paginate,
    section_required,
)
from panhuo.integrity.document_models import DocumentKind
from panhuo.organisation import policy
from panhuo.organisation.models import Role

ROLE_LABELS = {r.value: r.label for r in Role}


def _roles_text(roles) -> str:
    return _(" or ").join(str(ROLE_LABELS.get(r, r)) for r in roles)


def _annotate(r, *, figures: bool = False) -> None:
    pending = r.status == ApprovalStatus.PENDING
    r.current_roles = _roles_text(step_roles_now(r, r.current_step)) if pending else ""
    if figures:
        # What the head weighs: the purpose's figures (appraisal, amount, ratio), who may take
        # the step now and which roles come after it.
        r.figures = request_figures(r)
        r.acting = who_acts(r) if pending else []
        after = r.current_step + 1
        r.then_roles = (
            _roles_text(step_roles_now(r, after)) if pending and after <= r.step_count else ""
        )
        kinds = dict(DocumentKind.choices)
        r.missing_documents = (
            [str(kinds.get(k, k)) for k in missing_documents(r)] if pending else []
        )


# --- inbox and requests -----------------------------------------------------------------------


@section_required("approval")
def inbox_view(request):
    form = InboxFilterForm(request.GET or None)
    purpose = form.cleaned_data.get("purpose", "") if form.is_valid() else ""
    rows = inbox(request.user, purpose=purpose)
    page = paginate(request, rows)
    for r in page:
        _annotate(r, figures=True)
    return render(
        request,
        "approvals/inbox.html",
        {"filter_form": form, "page": page, "count": len(rows)},
    )


def _decisions(r) -> str:
    return "; ".join(
        f"{d.step}:{d.outcome}:{d.actor.get_username()}"
        + (f"/{d.on_behalf_of.get_username()}" if d.on_behalf_of_id else "")
        for d in r.decisions.all()
    )


def _minutes(when) -> str:
    return timezone.localtime(when).isoformat(timespec="minutes") if when else ""


class RequestList(ObjectList):
    target, resource, url_name = "approvals", "approval", "approval-list"
    template, filter_form = "approvals/request_list.html", RequestFilterForm
    rows, orderings = request_list, REQUEST_ORDERINGS  # searches q itself (object, chain)
    export_name = "approvals"
    columns = [
        Column("id", _l("Id"), "pk", show=False),
        Column("purpose", _l("Purpose"), "purpose_label"),
        Column("object", _l("Object"), "object_repr"),
        Column("amount", _l("Amount (yuan)"), numeric=True),
        Column("channel", _l("Channel"), show=False),
        Column("chain", _l("Approval chain"), "chain_name", show=False),
        Column("status", _l("Status"), "get_status_display"),
        Column("step", _l("Step"), lambda r: f"{r.current_step}/{r.step_count}"),
        Column("requested_by", _l("Requested by"), "requested_by.get_username"),
        Column("created_at", _l("Requested at"), lambda r: _minutes(r.created_at)),
        Column("closed_at", _l("Closed at"), lambda r: _minutes(r.closed_at)),
        Column("decisions", _l("Decisions"), _decisions, show=False),
    ]

    def decorate(self, rows) -> None:
        for r in rows:
            _annotate(r)


request_list_view = RequestList.as_view()
request_export = RequestList.as_view(export="csv")


def _steps(r) -> list[dict]:
    decided = {d.step: d for d in r.decisions.all()}
    out = []
    for i, roles in enumerate(r.steps, start=1):
        d = decided.get(i)
        if d is not None:
            state = "done" if d.outcome == "approve" else "rejected"
        elif r.status == ApprovalStatus.PENDING and i == r.current_step:
            state = "current"
        elif r.status == ApprovalStatus.PENDING:
            state = "todo"
        else:
            state = "skipped"
        out.append({"n": i, "roles": _roles_text(roles), "decision": d, "state": state})
    return out


def _request_page(request, r, *, decision_form=None, withdraw_form=None, status=200):
    user = request.user
    capacity, why = services.decide_check(user, r)
    purpose = PURPOSES.get(r.purpose)
    may_withdraw = (
        r.status == ApprovalStatus.PENDING
        and not (purpose and purpose.follows_target)
        and (
            user.pk == r.requested_by_id
            or policy.allowed(user, "approval", "withdraw", jurisdiction=r.jurisdiction)
        )
    )
    if capacity is not None and decision_form is None:
        decision_form = DecisionForm(initial={"version": r.version, "step": r.current_step})
    _annotate(r, figures=True)
    return render(
        request,
        "approvals/request_detail.html",
        {
            "r": r,
            "steps": _steps(r),
            "capacity": capacity,
            "why_not": why if r.status == ApprovalStatus.PENDING else "",
            "decision_form": decision_form if capacity is not None else None,
            "withdraw_form": (withdraw_form or WithdrawForm()) if may_withdraw else None,
            "target_url": r.target_url(),
            "follows_target": bool(purpose and purpose.follows_target),
        },
        status=status,
    )


@section_required("approval")
def request_detail(request, pk):
    return _request_page(request, fetch_or_404(get_request_for, request.user, pk))


def _next_url(request, default: str) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


@require_POST
@section_required("approval")
def decide_view(request, pk):
    r = fetch_or_404(get_request_for, request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _request_page(request, r, decision_form=form, status=400)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        r = services.approval_decide(
            actor=request.user,
            request=r,
            approve=approve,
            comment=form.cleaned_data["comment"],
            version=form.cleaned_data.get("version"),
            step=form.cleaned_data.get("step"),
        )
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect(r)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _request_page(request, r, decision_form=form, status=400)
    done = _("Step approved: %(obj)s — now %(status)s.") if approve else _("Rejected: %(obj)s.")
    messages.success(request, done % {"obj": r.object_repr, "status": r.get_status_display()})
    return redirect(_next_url(request, r.get_absolute_url()))


@require_POST
@section_required("approval")
def withdraw_view(request, pk):
    r = fetch_or_404(get_request_for, request.user, pk)
    return form_post(
        request, WithdrawForm(request.POST),
        lambda data: services.approval_withdraw(actor=request.user, request=r, **data),
        _("Request withdrawn."), to=lambda _done: r,
        page=lambda form: _request_page(request, r, withdraw_form=form, status=400),
    )  # fmt: skip


# --- chains -----------------------------------------------------------------------------------


class ChainList(ObjectList):
    target, resource, url_name = "chains", "approval_chain", "approval-chain-list"
    template, filter_form = "approvals/chain_list.html", ChainFilterForm
    rows, orderings = chain_list, CHAIN_ORDERINGS
    columns = [
        Column("jurisdiction", _l("Jurisdiction"), "jurisdiction.name"),
        Column("purpose", _l("Purpose"), "purpose_label"),
        Column("channel", _l("Channel")),
        Column("min_amount", _l("From amount (yuan)"), numeric=True),
        Column("name", _l("Name")),
        Column("steps", _l("Steps"), lambda c: " → ".join(_steps_text(c))),
    ]

    def decorate(self, rows) -> None:
        for chain in rows:
            chain.steps_text = _steps_text(chain)

    def extra_context(self, qs) -> dict:
        return {
            "can_set": policy.can_any(self.user, "approval_chain", "set"),
            "default_roles": _roles_text(services.DEFAULT_STEPS[0]),
        }


def _steps_text(chain) -> list[str]:
    return [_roles_text(roles) for roles in chain.step_roles()]


chain_list_view = ChainList.as_view()


def _chain_form_page(request, form, chain=None):
    status = 400 if form.errors else 200
    return render(
        request, "approvals/chain_form.html", {"form": form, "chain": chain}, status=status
    )


def _chain_post(request, form, chain=None):
    """The chain form, shown or posted: saved, to the list of chains; a refusal or a chain
    changed since it was read (Conflict) shows the form again with the reason."""

    def save(data):
        try:
            return services.chain_set(
                actor=request.user, jurisdiction=data["jurisdiction"], purpose=data["purpose"],
                channel=data["channel"], min_amount=data["min_amount"], name=data["name"],
                steps=form.steps(), chain=chain,
                version=data.get("version") if chain else None,
            )  # fmt: skip
        except Conflict as exc:
            raise ValidationError(str(exc)) from None

    return form_post(
        request, form, save,
        lambda saved: _("Approval chain “%(name)s” saved.") % {"name": saved.name},
        to="approval-chain-list",
        page=lambda form: _chain_form_page(request, form, chain),
    )  # fmt: skip


@section_required("approval_chain", "set")
def chain_create_view(request):
    return _chain_post(request, ChainForm(request.POST or None, user=request.user))


@section_required("approval_chain")
def chain_edit_view(request, pk):
    chain = fetch_allowed(get_chain_for, request.user, pk, "approval_chain", "set",
                          _("You may not change this approval chain."))  # fmt: skip
    initial = ChainForm.initial_for(chain)
    return _chain_post(
        request, ChainForm(request.POST or None, user=request.user, initial=initial), chain
    )


@require_POST
@section_required("approval_chain", "set")
def chain_delete_view(request, pk):
    chain = fetch_or_404(get_chain_for, request.user, pk)
    try:
        services.chain_delete(actor=request.user, chain=chain)
    except ValidationError as exc:
        # A chain with requests under way stays (the refusal names them and the way through).
        for text in exc.messages:
            messages.error(request, text)
        return redirect(chain.get_absolute_url())
    messages.success(request, _("Approval chain “%(name)s” removed.") % {"name": chain.name})
    return redirect("approval-chain-list")


# --- delegations ------------------------------------------------------------------------------


@section_required("approval")
def delegation_list_view(request):
    user = request.user
    can_set = policy.can_any(user, "delegation", "set")
    form = None
    if can_set:
        form = DelegationForm(request.POST or None, user=user)
    elif request.method == "POST":
        raise PermissionDenied(_("Only people who decide approval steps may delegate them."))
    if form is None:
        return DelegationList(request).dispatch(form=None, status=200)
    return form_post(
        request, form, lambda data: services.delegation_set(actor=user, **data),
        _("Delegation saved."), to="delegation-list",
        page=lambda form: DelegationList(request).dispatch(
            form=form, status=400 if form.errors else 200),
    )  # fmt: skip


class DelegationList(ObjectList):
    target, resource, url_name = "delegations", "approval", "delegation-list"
    template, filter_form = "approvals/delegation_list.html", DelegationFilterForm
    rows, orderings, default_sort = delegation_list, DELEGATION_ORDERINGS, "-starts_at"
    columns = [
        Column("from", _l("Delegator"), "from_user.get_username"),
        Column("to", _l("Delegate"), "to_user.get_username"),
        Column("starts_at", _l("From"), lambda d: _minutes(d.starts_at)),
        Column("ends_at", _l("Until"), lambda d: _minutes(d.ends_at)),
        Column("purposes", _l("Purposes"), lambda d: ", ".join(_purpose_labels(d))),
        Column("reason", _l("Reason")),
        Column("revoked_at", _l("Revoked at"), lambda d: _minutes(d.revoked_at), show=False),
        Column("status", _l("Status"), export=False),
    ]

    def decorate(self, rows) -> None:
        now = timezone.now()
        for d in rows:
            d.is_active = d.revoked_at is None and d.starts_at <= now < d.ends_at
            d.purpose_labels = _purpose_labels(d)

    def extra_context(self, qs) -> dict:
        return {"now": timezone.now()}


def _purpose_labels(d) -> list[str]:
    return [str(PURPOSES[p].label) for p in d.purposes if p in PURPOSES]


@require_POST
@section_required("delegation", "set")
def delegation_revoke_view(request, pk):
    d = fetch_or_404(get_delegation_for, request.user, pk)
    button_write(
        request,
        lambda: services.delegation_revoke(actor=request.user, delegation=d),
        _("Delegation revoked."),
    )
    return redirect(reverse("delegation-list"))
