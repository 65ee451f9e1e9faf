"""Writes of the approval engine; each is one transaction with its audit entry.

Separation of duties, checked here and held by the database too: whoever asked for a decision
cannot decide any step of it, and one person (in their own right or as someone's delegate)
decides at most one step of a request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from panhuo.approvals.models import (
    STEP_ROLES,
    ApprovalChain,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    ApprovalStep,
    Delegation,
    Outcome,
)
from panhuo.approvals.registry import PURPOSES, channel_choices, handlers_for, purpose_label
from panhuo.approvals.selectors import active_delegations_to
from panhuo.core.errors import Conflict, ValidationError
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, Role, User

#: What applies where nobody configured a chain: one step, the head or a deputy.
DEFAULT_STEPS: list[list[str]] = [[Role.HEAD.value, Role.DEPUTY.value]]
DEFAULT_CHAIN_NAME = "Default: task-force head or deputy"
MAX_STEPS = 10


def _role_names(roles: Iterable[str]) -> str:
    labels = {r.value: str(r.label) for r in Role}
    return " or ".join(labels.get(r, r) for r in roles)


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise ValidationError(
            {"purpose": [f"Unknown purpose {purpose!r}; one of {sorted(PURPOSES)}."]}
        )


def _known_channels() -> set[str]:
    return {value for value, _label in channel_choices()}


def _check_channel(channel: str) -> None:
    known = _known_channels()
    if channel and known and channel not in known:
        raise ValidationError(
            {"channel": [f"Unknown channel {channel!r}; one of {sorted(known)}."]}
        )


def _ancestor_ids(jurisdiction: Jurisdiction) -> list[int]:
    """The jurisdiction and its ancestors, nearest first (from its materialised path)."""
    return [int(p) for p in reversed(jurisdiction.path.strip("/").split("/")) if p]


# --- Chains -----------------------------------------------------------------------------------


def match_chain(
    *, jurisdiction: Jurisdiction, purpose: str, channel: str = "", amount: Decimal | None = None
) -> ApprovalChain | None:
    """The chain that applies, or None for the default chain.

    The nearest jurisdiction (itself, then its ancestors) that has a matching chain decides.
    Among its chains, a matching channel beats "any channel", then the highest threshold not
    above the amount wins (an unknown amount matches only thresholds of zero).
    """
    value = amount if amount is not None else Decimal("0")
    candidates = ApprovalChain.objects.filter(
        jurisdiction_id__in=_ancestor_ids(jurisdiction),
        purpose=purpose,
        min_amount__lte=value,
    ).filter(Q(channel="") | Q(channel=channel) if channel else Q(channel=""))
    best: dict[int, ApprovalChain] = {}
    for c in candidates.prefetch_related("steps"):
        key = (bool(c.channel), c.min_amount)
        held = best.get(c.jurisdiction_id)
        if held is None or key > (bool(held.channel), held.min_amount):
            best[c.jurisdiction_id] = c
    for jid in _ancestor_ids(jurisdiction):
        if jid in best:
            return best[jid]
    return None


def _clean_steps(steps: Sequence[Sequence[str]], purpose: str) -> list[list[str]]:
    if not isinstance(steps, list | tuple) or not steps:
        raise ValidationError({"steps": ["A chain needs at least one step."]})
    if len(steps) > MAX_STEPS:
        raise ValidationError({"steps": [f"A chain has at most {MAX_STEPS} steps."]})
    allowed = {r.value for r in STEP_ROLES}
    if PURPOSES[purpose].step_roles is not None:
        allowed &= set(PURPOSES[purpose].step_roles)
    clean = []
    for i, roles in enumerate(steps, start=1):
        if isinstance(roles, str) or not isinstance(roles, list | tuple):
            raise ValidationError({"steps": [f"Step {i}: a list of roles."]})
        names = list(dict.fromkeys(str(r) for r in roles))
        if not names:
            raise ValidationError({"steps": [f"Step {i} names no role."]})
        bad = [r for r in names if r not in allowed]
        if bad:
            raise ValidationError(
                {
                    "steps": [
                        f"Step {i}: {bad} cannot decide {purpose} approvals; "
                        f"one of {sorted(allowed)}."
                    ]
                }
            )
        clean.append(sorted(names))
    return clean


def _chain_state(chain: ApprovalChain) -> dict:
    return {**snapshot(chain), "steps": chain.step_roles()}


def chain_set(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    purpose: str,
    steps: Sequence[Sequence[str]],
    channel: str = "",
    min_amount: Decimal | str | int = Decimal("0.00"),
    name: str = "",
    chain: ApprovalChain | None = None,
    version: int | None = None,
) -> ApprovalChain:
    """Create or replace a chain: ``chain`` names the one to change; without it, the chain with
    the same jurisdiction, purpose, channel and threshold is replaced (or a new one made).
    Requests under way keep the steps they started with."""
    policy.require(actor, "approval_chain", "set", jurisdiction=jurisdiction)
    if chain is not None:
        policy.require(actor, "approval_chain", "set", jurisdiction=chain.jurisdiction)
    _check_purpose(purpose)
    _check_channel(channel or "")
    try:
        threshold = Decimal(str(min_amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"min_amount": ["A decimal amount."]}) from None
    if not threshold.is_finite() or threshold < 0:
        raise ValidationError({"min_amount": ["The threshold is an amount of zero or more."]})
    clean = _clean_steps(steps, purpose)
    name = (name or "").strip() or (
        f"{purpose_label(purpose)} · {channel or '*'} · ≥ {threshold:,}"
    )[:200]
    try:
        with transaction.atomic():
            if chain is None:
                chain = (
                    ApprovalChain.objects.select_for_update()
                    .filter(
                        jurisdiction=jurisdiction,
                        purpose=purpose,
                        channel=channel or "",
                        min_amount=threshold,
                    )
                    .first()
                )
            else:
                chain = ApprovalChain.objects.select_for_update().get(pk=chain.pk)
            if chain is not None and version is not None and chain.version != version:
                raise Conflict(
                    f"Chain “{chain.name}” was changed by someone else (version {chain.version},"
                    f" you edited {version}). Reload and try again."
                )
            before = _chain_state(chain) if chain is not None else None
            if chain is None:
                chain = ApprovalChain(created_by=actor)
            else:
                chain.version += 1
            chain.jurisdiction = jurisdiction
            chain.purpose = purpose
            chain.channel = channel or ""
            chain.min_amount = threshold
            chain.name = name
            chain.full_clean(validate_unique=False)
            chain.save()
            chain.steps.all().delete()
            ApprovalStep.objects.bulk_create(
                ApprovalStep(chain=chain, position=i, roles=r) for i, r in enumerate(clean, 1)
            )
            audit_record(
                actor=actor,
                action="approval_chain.set",
                obj=chain,
                before=before,
                after=_chain_state(chain),
                jurisdiction_path=jurisdiction.path,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {
                "min_amount": [
                    "Another chain of this jurisdiction, purpose and channel already starts "
                    f"at {threshold:,}."
                ]
            }
        ) from exc
    return chain


def chain_delete(*, actor: User, chain: ApprovalChain) -> None:
    """Remove a chain; requests that used it keep their steps and the chain's name."""
    policy.require(actor, "approval_chain", "set", jurisdiction=chain.jurisdiction)
    with transaction.atomic():
        chain = ApprovalChain.objects.select_for_update().get(pk=chain.pk)
        before = _chain_state(chain)
        audit_record(
            actor=actor,
            action="approval_chain.delete",
            obj=chain,
            before=before,
            jurisdiction_path=chain.jurisdiction.path,
        )
        chain.delete()


# --- Requests ---------------------------------------------------------------------------------


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
        try:
            amount = Decimal(str(amount)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise ValidationError({"amount": ["A decimal amount."]}) from None
        if not amount.is_finite() or amount < 0:
            raise ValidationError({"amount": ["The amount is zero or more."]})
    chain = match_chain(
        jurisdiction=jurisdiction, purpose=purpose, channel=channel or "", amount=amount
    )
    steps = chain.step_roles() if chain is not None else DEFAULT_STEPS
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    try:
        with transaction.atomic():
            if pending_for(obj, purpose, lock=True) is not None:
                raise ValidationError(
                    {
                        "purpose": [
                            f"{obj} already has a {purpose} approval in progress; decide or "
                            "withdraw it first."
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
            {"purpose": [f"{obj} already has a {purpose} approval in progress."]}
        ) from exc
    return request


def approval_request(
    *,
    actor: User,
    obj: models.Model,
    purpose: str,
    jurisdiction: Jurisdiction,
    amount: Decimal | None = None,
    channel: str = "",
    reason: str = "",
    units: Iterable[int] | None = None,
) -> ApprovalRequest:
    """Ask for ``purpose`` on ``obj``: the matching chain's steps are copied onto the request.

    ``units`` are the holding units the object touches (lets a unit asset officer ask for
    their own unit's records)."""
    policy.require(actor, "approval", "request", jurisdiction=jurisdiction, units=units)
    return open_request(
        actor=actor,
        requested_by=actor,
        obj=obj,
        purpose=purpose,
        jurisdiction=jurisdiction,
        amount=amount,
        channel=channel,
        reason=reason,
    )


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
    roles = request.roles_of_step(step)
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
    return None, f"Step {step} needs one of these roles here: {_role_names(roles)}."


def approval_decide(
    *,
    actor: User,
    request: ApprovalRequest,
    approve: bool,
    comment: str = "",
    version: int | None = None,
    audited: bool = True,
) -> ApprovalRequest:
    """Decide the current step. A rejection needs a comment and ends the request; approving
    the last step approves it. Handlers registered with ``on_decided`` run on either outcome,
    in this transaction.

    ``audited=False`` is only for a caller whose own audit entry records the same write in the
    same transaction (a disposal project's transition: disposal pins one entry per transition).
    """
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": ["A rejection needs a written reason."]})
    with transaction.atomic():
        request = (
            ApprovalRequest.objects.select_for_update()
            .select_related("jurisdiction")
            .get(pk=request.pk)
        )
        if version is not None and request.version != version:
            raise Conflict(
                f"Request {request.pk} moved on since you read it (version {request.version}, "
                f"you read {version}). Reload and try again."
            )
        if request.status != ApprovalStatus.PENDING:
            raise ValidationError(
                {"status": [f"This request is {request.status}; nothing is left to decide."]}
            )
        capacity, why = decide_check(actor, request)
        if capacity is None:
            raise policy.NotPermitted(why)
        before = _request_state(request)
        decision = ApprovalDecision.objects.create(
            request=request,
            step=request.current_step,
            actor=actor,
            on_behalf_of=capacity.on_behalf_of,
            outcome=Outcome.APPROVE if approve else Outcome.REJECT,
            comment=comment,
        )
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
            raise ValidationError({"status": [f"This request is already {request.status}."]})
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
        raise policy.NotPermitted("Only the requester or the task force may withdraw this request.")
    if purpose is not None and purpose.follows_target:
        raise ValidationError(
            {
                "status": [
                    f"A {request.purpose} approval follows its {request.content_type.name}: "
                    "withdraw or send back that instead."
                ]
            }
        )
    return close_request(
        actor=actor, request=request, status=ApprovalStatus.WITHDRAWN, reason=(reason or "").strip()
    )


# --- Delegations ------------------------------------------------------------------------------


def _decider_paths(user: User) -> list[str]:
    return [g.path for g in policy.grants(user) if g.role in STEP_ROLES]


def delegation_set(
    *,
    actor: User,
    to_user: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    purposes: Iterable[str] = (),
    reason: str = "",
) -> Delegation:
    """While away, let ``to_user`` decide one's steps. Only for oneself; the delegate must hold
    a task-force role where the delegator decides."""
    if not policy.can_any(actor, "delegation", "set"):
        raise policy.NotPermitted("Only people who decide approval steps may delegate them.")
    errors: dict[str, list[str]] = {}
    if to_user is None or not to_user.is_active:
        errors["to_user"] = ["Choose an active user."]
    elif to_user.pk == actor.pk:
        errors["to_user"] = ["You cannot delegate to yourself."]
    else:
        mine = _decider_paths(actor)
        theirs = _decider_paths(to_user)
        if not any(a.startswith(b) or b.startswith(a) for a in mine for b in theirs):
            errors["to_user"] = [
                f"{to_user} holds no head, deputy, office or finance role where you decide."
            ]
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, dt.datetime) or timezone.is_naive(value):
            errors[name] = ["A date and time with its time zone."]
    if not errors and ends_at <= starts_at:
        errors["ends_at"] = ["The end comes after the start."]
    if not errors and ends_at <= timezone.now():
        errors["ends_at"] = ["The delegation would already be over."]
    purposes = list(dict.fromkeys(purposes or ()))
    unknown = [p for p in purposes if p not in PURPOSES]
    if unknown:
        errors["purposes"] = [f"Unknown purpose(s) {unknown}; one of {sorted(PURPOSES)}."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        delegation = Delegation.objects.create(
            from_user=actor,
            to_user=to_user,
            starts_at=starts_at,
            ends_at=ends_at,
            purposes=purposes,
            reason=(reason or "").strip()[:200],
        )
        audit_record(
            actor=actor,
            action="delegation.set",
            obj=delegation,
            after=snapshot(delegation),
            jurisdiction_path=(_decider_paths(actor) or [""])[0],
        )
    return delegation


def delegation_revoke(*, actor: User, delegation: Delegation) -> Delegation:
    """End a delegation now (only the delegator may)."""
    if delegation.from_user_id != actor.pk:
        raise policy.NotPermitted("Only the delegator may revoke a delegation.")
    with transaction.atomic():
        delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
        if delegation.revoked_at is not None:
            raise ValidationError({"revoked_at": ["This delegation is already revoked."]})
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="delegation.revoke",
            obj=delegation,
            before={"revoked_at": None},
            after={"revoked_at": delegation.revoked_at.isoformat()},
            jurisdiction_path=(_decider_paths(actor) or [""])[0],
        )
    return delegation
