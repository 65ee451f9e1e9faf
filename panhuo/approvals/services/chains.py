"""Approval chains: which steps (and which roles at each) a purpose needs in a jurisdiction; the
nearest configured chain up the tree applies, the default where none is. One transaction and one
audit entry per write."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from panhuo.approvals.models import (
    STEP_ROLES,
    ApprovalChain,
    ApprovalStep,
)
from panhuo.approvals.registry import PURPOSES, purpose_label
from panhuo.approvals.services import gates
from panhuo.approvals.services.checks import (
    MAX_STEPS,
    _amount_at_least_zero,
    _ancestor_ids,
    _check_channel,
    _check_purpose,
)
from panhuo.core.errors import Conflict, ValidationError
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, User


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
        raise ValidationError({"steps": [_("A chain needs at least one step.")]})
    if len(steps) > MAX_STEPS:
        raise ValidationError(
            {"steps": [_("A chain has at most %(max_steps)s steps.") % {"max_steps": MAX_STEPS}]}
        )
    allowed = {r.value for r in STEP_ROLES}
    if PURPOSES[purpose].step_roles is not None:
        allowed &= set(PURPOSES[purpose].step_roles)
    clean = []
    for i, roles in enumerate(steps, start=1):
        if isinstance(roles, str) or not isinstance(roles, list | tuple):
            raise ValidationError({"steps": [_("Step %(i)s: a list of roles.") % {"i": i}]})
        names = list(dict.fromkeys(str(r) for r in roles))
        if not names:
            raise ValidationError({"steps": [_("Step %(i)s names no role.") % {"i": i}]})
        bad = [r for r in names if r not in allowed]
        if bad:
            raise ValidationError(
                {
                    "steps": [
                        _(
                            "Step %(i)s: %(bad)s cannot decide approvals for “%(purpose)s”; one "
                            "of %(choices)s."
                        )
                        % {
                            "i": i,
                            "bad": bad,
                            "purpose": purpose_label(purpose),
                            "choices": sorted(allowed),
                        }
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
    Refused (``approvals.services.gates``) when the last step lets a role below the purpose's
    least authority decide, when the chain can deadlock, or while requests started under the
    chain are pending (requests copy their steps, but a chain under way is not changed)."""
    policy.require(actor, "approval_chain", "set", jurisdiction=jurisdiction)
    if chain is not None:
        policy.require(actor, "approval_chain", "set", jurisdiction=chain.jurisdiction)
    _check_purpose(purpose)
    _check_channel(channel or "")
    threshold = _amount_at_least_zero(
        min_amount, "min_amount", "The threshold is an amount of zero or more."
    )
    clean = _clean_steps(steps, purpose)
    gates.chain_within_authority(purpose=purpose, channel=channel or "", steps=clean)
    gates.chain_cannot_deadlock(clean)
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
                    _(
                        "Chain “%(chain)s” was changed by someone else (version "
                        "%(chain_version)s, you edited %(version)s). Reload and try again."
                    )
                    % {"chain": chain.name, "chain_version": chain.version, "version": version}
                )
            gates.chain_free_to_edit(chain)
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
                    _(
                        "Another chain of this jurisdiction, purpose and channel already "
                        "starts at %(threshold)s."
                    )
                    % {"threshold": f"{threshold:,}"}
                ]
            }
        ) from exc
    return chain


def chain_delete(*, actor: User, chain: ApprovalChain) -> None:
    """Remove a chain; requests that used it keep their steps and the chain's name."""
    policy.require(actor, "approval_chain", "set", jurisdiction=chain.jurisdiction)
    with transaction.atomic():
        chain = ApprovalChain.objects.select_for_update().get(pk=chain.pk)
        gates.chain_free_to_edit(chain)
        before = _chain_state(chain)
        audit_record(
            actor=actor,
            action="approval_chain.delete",
            obj=chain,
            before=before,
            jurisdiction_path=chain.jurisdiction.path,
        )
        chain.delete()
