"""Approval requests and their decisions: opening a request on a record, deciding its steps in
order, withdrawing it, and closing it when its record no longer needs it.

Separation of duties, checked here and held by the database too: whoever asked for a decision
cannot decide any step of it, and one person (in their own right or as someone's delegate)
decides at most one step of a request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    Delegation,
    Outcome,
)
from panhuo.approvals.registry import PURPOSES, handlers_for, purpose_label
from panhuo.approvals.selectors import active_delegations_to
from panhuo.approvals.services import gates
from panhuo.approvals.services.chains import match_chain
from panhuo.approvals.services.checks import (
    DEFAULT_CHAIN_NAME,
    DEFAULT_STEPS,
    _amount_at_least_zero,
    _check_purpose,
    role_names,
)
from panhuo.core.errors import Conflict, ValidationError
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, User


def approval_status(obj: models.Model, purpose: str) -> ApprovalRequest | None:
    """The latest request for ``obj`` and ``purpose`` (whatever its status), or None."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return (
        ApprovalRequest.objects.filter(content_type=ct, object_id=obj.pk, purpose=purpose)
        .order_by("-created_at", "-pk")
        .first()
    )


def pending_for(obj: models.Model, purpose: str, *, lock: bool = False) -> ApprovalRequest | None:
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    qs = ApprovalRequest.objects.filter(
        content_type=ct, object_id=obj.pk, purpose=purpose, status=ApprovalStatus.PENDING
    )
    if lock:
        qs = qs.select_for_update()
    return qs.first()


def _request_state(r: ApprovalRequest) -> dict:
    return snapshot(
        r,
        [
            "purpose",
            "amount",
            "channel",
            "status",
            "current_step",
            "chain_name",
            "steps",
            "requested_by",
            "object_repr",
            "jurisdiction",
        ],
    )


def open_request(
    *,
    actor: User,
    requested_by: User,
    obj: models.Model,
    purpose: str,
    jurisdiction: Jurisdiction,
    amount: Decimal | None = None,
    channel: str = "",
    reason: str = "",
    label: str = "",
    audited: bool = True,
) -> ApprovalRequest:
    """Start a request without the permission check (for callers that checked their own:
    e.g. disposal's submit). Use :func:`approval_request` otherwise.

    ``audited=False`` is only for a caller whose own audit entry records the same write in the
    same transaction (a disposal project's transition: disposal pins one entry per transition).
    """
    _check_purpose(purpose)
    if amount is not None:
        amount = _amount_at_least_zero(amount, "amount", "The amount is zero or more.")
    chain = match_chain(
        jurisdiction=jurisdiction, purpose=purpose, channel=channel or "", amount=amount
    )
    p = PURPOSES[purpose]
    default = [list(s) for s in p.default_steps] if p.default_steps else DEFAULT_STEPS
    steps = gates.narrow_steps(purpose, channel or "", chain.step_roles() if chain else default)
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    try:
        with transaction.atomic():
            if pending_for(obj, purpose, lock=True) is not None:
                raise ValidationError(
                    {
                        "purpose": [
                            _(
                                "%(obj)s already has an approval for “%(purpose)s” in progress; "
                                "decide or withdraw it first."
                            )
                            % {"obj": obj, "purpose": purpose_label(purpose)}
                        ]
                    }
                )
            request = ApprovalRequest.objects.create(
                content_type=ct,
                object_id=obj.pk,
                object_repr=(label or str(obj))[:255],
                purpose=purpose,
                amount=amount,
                channel=channel or "",
                jurisdiction=jurisdiction,
                chain=chain,
                chain_name=chain.name if chain is not None else DEFAULT_CHAIN_NAME,
                steps=steps,
                documents=list(p.documents_for(obj) if p.documents_for else p.documents),
                requested_by=requested_by,
                reason=(reason or "").strip(),
            )
            if audited:
                audit_record(
                    actor=actor,
                    action="approval.request",
                    obj=request,
                    after={**_request_state(request), "reason": request.reason},
                    jurisdiction_path=jurisdiction.path,
                )
    except IntegrityError as exc:
        # Another writer started one for the same object and purpose a moment earlier.
        raise ValidationError(
            {
                "purpose": [
                    _("%(obj)s already has an approval for “%(purpose)s” in progress.")
                    % {"obj": obj, "purpose": purpose_label(purpose)}
                ]
            }
        ) from exc
    return request


def approval_request(
    *, actor: User, units: Iterable[int] | None = None, **what: Any
) -> ApprovalRequest:
    """Ask for ``purpose`` on ``obj``: the matching chain's steps are copied onto the request.
    ``what`` is :func:`open_request`'s (obj, purpose, jurisdiction, and optionally amount,
    channel, reason); the actor is the one who asks.

    ``units`` are the holding units the object touches (lets a unit asset officer ask for
    their own unit's records)."""
    policy.require(actor, "approval", "request", jurisdiction=what["jurisdiction"], units=units)
    return open_request(actor=actor, requested_by=actor, **what)


@dataclass(frozen=True)
class Capacity:
    """How someone may decide the current step: in their own right or for a delegator."""

    on_behalf_of: User | None = None


def decide_check(
    user: User, request: ApprovalRequest, *, when=None, delegations: list[Delegation] | None = None
) -> tuple[Capacity | None, str]:
    """``(capacity, "")`` if ``user`` may decide the current step now, else ``(None, why)``."""
    if user is None or not user.is_authenticated:
        return None, "Sign in to decide."
    if request.status != ApprovalStatus.PENDING:
        return None, f"This request is {request.status}; nothing is left to decide."
    step = request.current_step
    roles = gates.step_roles_now(request, step)
    earlier = {
        uid for d in request.decisions.all() for uid in (d.actor_id, d.on_behalf_of_id) if uid
    }
    if user.pk == request.requested_by_id:
        return None, "The requester cannot decide any step of their own request."
    if user.pk in earlier:
        return None, (
            f"You already decided a step of this request; step {step} needs another person."
        )
    if policy.allowed(
        user, "approval", "decide", jurisdiction=request.jurisdiction, roles_subset=roles
    ):
        return Capacity(), ""
    if delegations is None:
        delegations = active_delegations_to(user, when)
    for d in delegations:
        if not d.covers(request.purpose, when or timezone.now()):
            continue
        if d.from_user_id == request.requested_by_id or d.from_user_id in earlier:
            continue
        if d.from_user.is_active and policy.allowed(
            d.from_user,
            "approval",
            "decide",
            jurisdiction=request.jurisdiction,
            roles_subset=roles,
        ):
            return Capacity(on_behalf_of=d.from_user), ""
    return None, f"Step {step} needs one of these roles here: {role_names(roles)}."


def approval_decide(
    *,
    actor: User,
    request: ApprovalRequest,
    approve: bool,
    comment: str = "",
    version: int | None = None,
    step: int | None = None,
    audited: bool = True,
) -> ApprovalRequest:
    """Decide the current step (``step``, when given, is the one the decider read: a request
    that moved on meanwhile is a conflict, never a decision of the next step). A rejection
    needs a comment and ends the request; approving the last step approves it. Handlers
    registered with ``on_decided`` run on either outcome, in this transaction.

    Gates (``approvals.services.gates``): the last step only by the purpose's least authority,
    no decision that strands a later step, and the documents the purpose needs on the record.

    ``audited=False`` is only for a caller whose own audit entry records the same write in the
    same transaction (a disposal project's transition: disposal pins one entry per transition).
    """
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": [_("A rejection needs a written reason.")]})
    with transaction.atomic():
        request = (
            ApprovalRequest.objects.select_for_update()
            .select_related("jurisdiction")
            .get(pk=request.pk)
        )
        if version is not None and request.version != version:
            raise Conflict(
                _(
                    "Request %(request)s moved on since you read it (version "
                    "%(request_version)s, you read %(version)s). Reload and try again."
                )
                % {"request": request.pk, "request_version": request.version, "version": version}
            )
        if request.status != ApprovalStatus.PENDING:
            raise ValidationError(
                {
                    "status": [
                        _("This request is %(request_status)s; nothing is left to decide.")
                        % {"request_status": request.get_status_display().lower()}
                    ]
                }
            )
        if step is not None and step != request.current_step:
            raise Conflict(
                _(
                    "Step %(step)s of request %(request)s was already decided by someone "
                    "else; it is now at step %(request_current_step)s. Reload and look "
                    "again."
                )
                % {
                    "step": step,
                    "request": request.pk,
                    "request_current_step": request.current_step,
                }
            )
        capacity, why = decide_check(actor, request)
        if capacity is None:
            gates.decider_has_authority(actor, request)
            raise policy.NotPermitted(why)
        if approve:
            gates.decider_leaves_later_steps_open(actor, request, capacity.on_behalf_of)
            gates.documents_present(request)
        before = _request_state(request)
        try:
            with transaction.atomic():
                decision = ApprovalDecision.objects.create(
                    request=request,
                    step=request.current_step,
                    actor=actor,
                    on_behalf_of=capacity.on_behalf_of,
                    outcome=Outcome.APPROVE if approve else Outcome.REJECT,
                    comment=comment,
                )
        except IntegrityError as exc:
            # Two deciders of the same step at once (the lock is a no-op on SQLite), or one
            # person on two steps: the database's one-decision rules hold; nothing is written.
            raise Conflict(
                _(
                    "Step %(request_current_step)s of request %(request)s was decided by "
                    "someone else at the same moment. Reload and look again."
                )
                % {"request_current_step": request.current_step, "request": request.pk}
            ) from exc
        if not approve:
            request.status = ApprovalStatus.REJECTED
        elif request.current_step >= request.step_count:
            request.status = ApprovalStatus.APPROVED
        else:
            request.current_step += 1
        if request.status != ApprovalStatus.PENDING:
            request.closed_at = timezone.now()
        request.version += 1
        request.save()
        after = _request_state(request)
        if audited:
            audit_record(
                actor=actor,
                action="approval.approve" if approve else "approval.reject",
                obj=request,
                before={k: v for k, v in before.items() if after.get(k) != v},
                after={
                    **{k: v for k, v in after.items() if before.get(k) != v},
                    "step": decision.step,
                    "on_behalf_of": capacity.on_behalf_of.pk if capacity.on_behalf_of else None,
                    **({"comment": comment} if comment else {}),
                },
                jurisdiction_path=request.jurisdiction.path,
            )
        if request.status != ApprovalStatus.PENDING:
            for handler in handlers_for(request.purpose):
                handler(request=request, decision=decision)
    return request


def close_request(
    *,
    actor: User,
    request: ApprovalRequest,
    status: str,
    reason: str = "",
    audited: bool = True,
) -> ApprovalRequest:
    """Withdraw a pending request for a workflow that checked its own permission (e.g. a
    disposal project withdrawn).

    ``audited=False`` is only for a caller whose own audit entry records the same write in the
    same transaction (a disposal project's transition: disposal pins one entry per transition).
    """
    with transaction.atomic():
        request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ApprovalStatus.PENDING:
            raise ValidationError(
                {
                    "status": [
                        _("This request is already %(request_status)s.")
                        % {"request_status": request.get_status_display().lower()}
                    ]
                }
            )
        before = _request_state(request)
        request.status = status
        request.closed_at = timezone.now()
        request.version += 1
        request.save()
        if audited:
            audit_record(
                actor=actor,
                action=f"approval.{status}",
                obj=request,
                before={"status": before["status"]},
                after={"status": request.status, **({"reason": reason} if reason else {})},
                jurisdiction_path=request.jurisdiction.path,
            )
    return request


def approval_withdraw(
    *, actor: User, request: ApprovalRequest, reason: str = ""
) -> ApprovalRequest:
    """The requester (or the task force of the jurisdiction) takes a pending request back."""
    purpose = PURPOSES.get(request.purpose)
    if not (
        actor.pk == request.requested_by_id
        or policy.allowed(actor, "approval", "withdraw", jurisdiction=request.jurisdiction)
    ):
        raise policy.NotPermitted(
            _("Only the requester or the task force may withdraw this request.")
        )
    if purpose is not None and purpose.follows_target:
        raise ValidationError(
            {
                "status": [
                    _(
                        "An approval for “%(purpose)s” follows its %(target)s: "
                        "withdraw or send back that instead."
                    )
                    % {"purpose": purpose.label, "target": request.content_type.name}
                ]
            }
        )
    return close_request(
        actor=actor, request=request, status=ApprovalStatus.WITHDRAWN, reason=(reason or "").strip()
    )
