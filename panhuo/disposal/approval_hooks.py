"""The approval chain inside the disposal project workflow.

- ``submit`` starts a "disposal" request (amount: the reserve price; channel: the project's).
- ``approve`` on the project *is* the decision of the chain's last step: the guard refuses it
  while earlier steps are undecided (they are decided under "My approvals"), and otherwise
  records the last step's decision in the same transaction, by the same person. With the
  default one-step chain this is exactly the head/deputy approval of before.
- Deciding the last step under "My approvals" instead comes to the same thing: the
  ``on_decided`` handler takes the project's ``approve`` (or ``reject``) for the decider.
- ``reject`` (send back) rejects the request; ``withdraw`` withdraws it.

What the guard writes is audited by the project transition's own entry (same transaction, same
actor; disposal keeps exactly one audit entry per transition); a decision taken under "My
approvals" has its own entry and then the project's. The guard and the handler call each other's
side; a context variable marks the project whose transition is already under way so neither
repeats the other.

It lives in disposal (installed by DisposalConfig.ready): approvals, a layer below, is a chain
engine that knows no purpose's app; disposal joins it through approvals' ``on_decided``
callbacks and its own guard registry.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

from django.utils.translation import gettext as _

from panhuo.approvals import services
from panhuo.approvals.models import ApprovalStatus
from panhuo.approvals.registry import on_decided
from panhuo.approvals.services.gates import documents_present
from panhuo.core.errors import ValidationError
from panhuo.core.gates import GateRefused
from panhuo.disposal import guards
from panhuo.disposal.models import DisposalProject, ProjectStatus
from panhuo.disposal.services import TransitionRefused, project_transition
from panhuo.organisation import policy

PURPOSE = "disposal"
_applying: ContextVar[frozenset[int]] = ContextVar(
    "approvals_disposal_applying", default=frozenset()
)


@contextlib.contextmanager
def _busy(project_id: int):
    token = _applying.set(_applying.get() | {project_id})
    try:
        yield
    finally:
        _applying.reset(token)


def _units(project) -> set[int]:
    return set(project.package.items.values_list("asset__unit_id", flat=True))


def _label(project) -> str:
    return f"{project.code} {project.package.name}"


def _refused(message: str):
    return TransitionRefused({"transition": [message]})


def _pending_or_open(actor, project):
    """The project's pending request; a project submitted before approvals existed gets one
    now, asked by its submitter."""
    pending = services.pending_for(project, PURPOSE, lock=True)
    if pending is None:
        pending = services.open_request(
            actor=actor,
            requested_by=project.submitted_by or project.created_by,
            obj=project,
            purpose=PURPOSE,
            jurisdiction=project.jurisdiction,
            amount=project.reserve_price,
            channel=project.channel,
            label=_label(project),
            audited=False,
        )
    return pending


def guard(*, actor, project, transition: str, data: dict) -> None:
    comment = (data.get("comment") or "").strip()
    busy = project.pk in _applying.get()
    if transition == "submit":
        services.open_request(
            actor=actor,
            requested_by=actor,
            obj=project,
            purpose=PURPOSE,
            jurisdiction=project.jurisdiction,
            amount=project.reserve_price,
            channel=project.channel,
            reason=comment,
            label=_label(project),
            audited=False,
        )
    elif transition in {"approve", "reject"}:
        if busy:
            latest = services.approval_status(project, PURPOSE)
            wanted = ApprovalStatus.APPROVED if transition == "approve" else ApprovalStatus.REJECTED
            if latest is None or latest.status != wanted:
                raise ValidationError(
                    {
                        "transition": [
                            _("The disposal approval is not “%(wanted)s”.")
                            % {"wanted": ApprovalStatus(wanted).label}
                        ]
                    }
                )
            return
        request = _pending_or_open(actor, project)
        if transition == "approve" and request.current_step < request.step_count:
            step = request.current_step
            roles = services.role_names(request.roles_of_step(step))
            raise ValidationError(
                {
                    "transition": [
                        _(
                            "“approve” waits for the approval chain “%(request_chain_name)s”: step "
                            "%(step)s of %(request_step_count)s (%(roles)s) is not decided yet; it "
                            "is decided under My approvals, and the last step approves the project."
                        )
                        % {
                            "request_chain_name": request.chain_name,
                            "step": step,
                            "request_step_count": request.step_count,
                            "roles": roles,
                        }
                    ]
                }
            )
        with _busy(project.pk):
            try:
                services.approval_decide(
                    actor=actor,
                    request=request,
                    approve=transition == "approve",
                    comment=comment,
                    audited=False,
                )
            except policy.NotPermitted as exc:
                raise _refused(
                    _("“%(transition)s”: %(reason)s") % {"transition": transition, "reason": exc}
                ) from exc
    elif transition == "withdraw":
        request = services.pending_for(project, PURPOSE, lock=True)
        if request is not None:
            services.close_request(
                actor=actor,
                request=request,
                status=ApprovalStatus.WITHDRAWN,
                reason=comment,
                audited=False,
            )


def explain(*, actor, project, transition: str) -> str:
    """Why ``approve`` / ``reject`` would be refused now (for the project page), writing
    nothing; "" when the chain does not stand in the way."""
    if transition not in {"approve", "reject"}:
        return ""
    request = services.pending_for(project, PURPOSE)
    if request is None:
        return ""
    if transition == "approve" and request.current_step < request.step_count:
        return _(
            "Waits for the approval chain “%(chain)s”: step %(step)s of %(steps)s (%(roles)s) "
            "is decided under My approvals first."
        ) % {
            "chain": request.chain_name,
            "step": request.current_step,
            "steps": request.step_count,
            "roles": services.role_names(request.roles_of_step(request.current_step)),
        }
    capacity, why = services.decide_check(actor, request)
    if capacity is None:
        return why
    if transition == "approve":
        try:
            documents_present(request)
        except GateRefused as refused:
            return refused.text
    return ""


guard.explain = explain


@on_decided(PURPOSE)
def project_follows_decision(*, request, decision) -> None:
    """The last step decided under "My approvals": take the project's transition too."""
    if request.object_id in _applying.get():
        return
    project = DisposalProject.objects.filter(pk=request.object_id).first()
    if project is None or project.status != ProjectStatus.SUBMITTED:
        return
    # A delegate acts in the delegator's name on the project (the delegator holds the role the
    # project's transition needs); the decision records both, and the comment says so.
    actor = decision.on_behalf_of or decision.actor
    comment = decision.comment
    if decision.on_behalf_of is not None:
        note = f"Decided by {decision.actor} on behalf of {decision.on_behalf_of}."
        comment = f"{comment}\n{note}".strip()
    with _busy(project.pk):
        project_transition(
            actor=actor,
            project=project,
            transition="approve" if request.status == ApprovalStatus.APPROVED else "reject",
            comment=comment,
        )


def install() -> None:
    guards.register("approvals", guard)
