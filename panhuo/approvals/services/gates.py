"""The gates of the approval engine: approvals that configuration cannot weaken (issue 12).

Each gate is one named function that refuses with :class:`panhuo.core.gates.GateRefused`:

- :func:`chain_within_authority` — a chain's last step may be decided only by the least
  authority its purpose names (the purpose's ``least_roles``; e.g. the head's written approval
  of a price below 90 % of the appraisal). Checked when a chain is saved; at decision time
  :func:`decider_has_authority` holds requests copied before the rule (or from a weaker
  any-channel chain) to the same authority.
- :func:`chain_cannot_deadlock` — one person decides one step, so a later step whose roles are
  all allowed at an earlier step can be left with nobody (the head takes step one of "deputy or
  head, then head"). At decision time :func:`decider_leaves_later_steps_open` refuses the one
  decision that would strand a later step, for chains saved before the rule.
- :func:`chain_free_to_edit` — a chain with requests under way is not edited or removed.
- :func:`documents_present` — the documents a purpose needs (an approval document with its
  number, an appraisal report, collective decision minutes) are on the record before its last
  step is approved.

The engine knows no purpose's app: authorities and documents are data on the purpose
registration (``registry.configure_purpose``), set by the app that owns the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from panhuo.approvals.models import ApprovalRequest, ApprovalStatus
from panhuo.approvals.registry import PURPOSES, Purpose
from panhuo.core.gates import GateRefused, Rule, rule
from panhuo.integrity.document_models import Document, DocumentKind
from panhuo.organisation import policy
from panhuo.organisation.models import Role, RoleAssignment, User

LEAST_AUTHORITY = rule(
    "approval_least_authority",
    _l("The exception is approved by at least the authority the rule names"),
    _l("Order 32 art. 31; Order 12 art. 13 (written approval); Decree 738 art. 19"),
    owner="approvals.services.gates",
)
CHAIN_DEADLOCK = rule(
    "approval_chain_deadlock",
    _l("An approval chain can always be finished: one person decides one step"),
    _l("Separation of duties (one person, one step); Decree 738 art. 19 (collective decision)"),
    owner="approvals.services.gates",
)
CHAIN_IN_USE = rule(
    "approval_chain_in_use",
    _l("A chain with requests under way is not changed"),
    _l("Separation of duties: the chain a request started under stays as it was"),
    owner="approvals.services.gates",
)
DOCUMENT_REQUIRED = rule(
    "approval_document_required",
    _l("The decision rests on its documents"),
    _l("Decree 738 art. 19 (collective decision, approval document); Order 12 art. 13"),
    owner="approvals.services.gates",
)

ROLE_LABELS = {r.value: r.label for r in Role}


def roles_text(roles: Iterable[str]) -> str:
    return _(" or ").join(str(ROLE_LABELS.get(r, r)) for r in roles)


def _authority_rule(purpose: Purpose | None) -> Rule:
    return (purpose.authority if purpose and purpose.authority else None) or LEAST_AUTHORITY


def least_roles(purpose_name: str, channel: str = "") -> frozenset[str] | None:
    purpose = PURPOSES.get(purpose_name)
    return purpose.least_for(channel) if purpose is not None else None


# --- when a chain is saved ---------------------------------------------------------------------


def chain_within_authority(*, purpose: str, channel: str, steps: Sequence[Sequence[str]]) -> None:
    """Refuse a chain whose last step lets a role below the least authority decide.

    A chain for any channel is held to the purpose's authority; a request of a channel with a
    stricter one (``channel_least_roles``) is narrowed to it when it starts
    (:func:`narrow_steps`), so no configuration lets a lower role decide it."""
    least = least_roles(purpose, channel)
    if not least or not steps:
        return
    weaker = sorted(set(steps[-1]) - set(least))
    if weaker:
        p = PURPOSES[purpose]
        raise GateRefused(
            _authority_rule(p),
            field="steps",
            message=_(
                "The last step of a %(purpose)s chain lets %(weaker)s decide; only %(least)s "
                "may approve it."
            ),
            unblock=_("let only %(least)s decide the last step (earlier steps may prepare it)."),
            params={
                "purpose": str(p.label),
                "weaker": roles_text(weaker),
                "least": roles_text(sorted(least)),
            },
        )


def _used_up_by(roles: Sequence[str], earlier: Sequence[Sequence[str]]) -> dict[str, int] | None:
    """A way for the earlier steps, one person each, to use up every role of ``roles``: role ->
    the earlier step (0-based) that takes it; None when there is none (a bipartite matching)."""
    owner: dict[int, str] = {}

    def place(role: str, seen: set[int]) -> bool:
        for i, step in enumerate(earlier):
            if role in step and i not in seen:
                seen.add(i)
                if i not in owner or place(owner[i], seen):
                    owner[i] = role
                    return True
        return False

    for role in roles:
        if not place(role, set()):
            return None
    return {role: i for i, role in owner.items()}


def chain_cannot_deadlock(steps: Sequence[Sequence[str]]) -> None:
    """Refuse a chain whose earlier steps can use up every role a later step allows.

    One person decides one step, and a jurisdiction usually has one head: if the earlier steps
    may be taken, one person each, by the holders of all the roles a later step names, nobody
    may take that later step (the head taking step one of "deputy or head, then head"). The
    chain is accepted only when no order of deciders can strand a step, with one holder per
    role."""
    for j in range(1, len(steps)):
        used = _used_up_by(list(steps[j]), steps[:j])
        if used is None:
            continue
        taken = sorted({i + 1 for i in used.values()})
        raise GateRefused(
            CHAIN_DEADLOCK,
            field="steps",
            message=_(
                "Step %(later)s (%(later_roles)s) can deadlock: whoever holds these roles may "
                "take step %(earlier)s, and one person decides one step, so nobody would be "
                "left for step %(later)s."
            ),
            unblock=_(
                "remove %(later_roles)s from step %(earlier)s, or add to step %(later)s a role "
                "that no earlier step allows."
            ),
            params={
                "later": j + 1,
                "earlier": ", ".join(str(i) for i in taken),
                "later_roles": roles_text(sorted(steps[j])),
            },
        )


def chain_free_to_edit(chain) -> None:
    """Refuse to change or remove a chain while requests that started under it are pending."""
    if chain is None or chain.pk is None:
        return
    pending = list(
        ApprovalRequest.objects.filter(chain=chain, status=ApprovalStatus.PENDING)
        .order_by("pk")
        .values_list("pk", "object_repr")[:5]
    )
    if pending:
        raise GateRefused(
            CHAIN_IN_USE,
            field="steps",
            message=_("The chain “%(chain)s” has requests under way: %(requests)s."),
            unblock=_(
                "let these requests be decided or withdrawn first, or save a new chain for the "
                "requests to come."
            ),
            params={
                "chain": chain.name,
                "requests": "; ".join(f"#{pk} {label}" for pk, label in pending),
            },
        )


# --- when a request starts ---------------------------------------------------------------------


def narrow_steps(purpose: str, channel: str, steps: Sequence[Sequence[str]]) -> list[list[str]]:
    """The steps a request copies: the last step keeps only the least authority's roles (a
    chain for any channel applied to a channel with a stricter authority), or the authority is
    added as a last step when none of its roles was there."""
    out = [list(s) for s in steps]
    least = least_roles(purpose, channel)
    if not least or not out:
        return out
    kept = [r for r in out[-1] if r in least]
    if kept:
        out[-1] = kept
    else:
        out.append(sorted(least))
    return out


# --- when a step is decided ---------------------------------------------------------------------


def step_roles_now(request: ApprovalRequest, step: int | None = None) -> list[str]:
    """The roles that may decide ``step`` now: the copied roles, and at the last step only those
    of the least authority (requests copied before the rule keep working, not weakened)."""
    step = step or request.current_step
    return roles_at(request.steps, step, request.purpose, request.channel)


def roles_at(steps: Sequence[Sequence[str]], step: int, purpose: str, channel: str) -> list[str]:
    """:func:`step_roles_now` from a request's stored values (its ``steps``, ``purpose`` and
    ``channel``), for a count that reads those values without building the request."""
    roles = list(steps[step - 1]) if 1 <= step <= len(steps) else []
    least = least_roles(purpose, channel)
    if least and step == len(steps):
        narrowed = [r for r in roles if r in least]
        return narrowed or sorted(least)
    return roles


def decider_has_authority(user: User, request: ApprovalRequest) -> None:
    """Refuse the last step to someone who holds only a copied role below the least authority
    (a deputy on a request copied from "head or deputy")."""
    step = request.current_step
    roles = request.roles_of_step(step)
    now = step_roles_now(request, step)
    if set(now) == set(roles):
        return
    if policy.allowed(
        user, "approval", "decide", jurisdiction=request.jurisdiction, roles_subset=roles
    ):
        p = PURPOSES.get(request.purpose)
        raise GateRefused(
            _authority_rule(p),
            field="step",
            message=_(
                "Step %(step)s approves the %(purpose)s of %(object)s: only %(least)s may "
                "approve it, not %(roles)s."
            ),
            unblock=_("%(least)s decides it (or someone holding their delegation)."),
            params={
                "step": step,
                "purpose": str(p.label) if p else request.purpose,
                "object": request.object_repr,
                "least": roles_text(now),
                "roles": roles_text(sorted(set(roles) - set(now))),
            },
        )


def _holders(roles: Iterable[str], request: ApprovalRequest) -> set[int]:
    """Active people holding one of ``roles`` over the request's jurisdiction."""
    ancestors = [int(p) for p in request.jurisdiction.path.strip("/").split("/") if p]
    return set(
        RoleAssignment.objects.filter(
            role__in=list(roles),
            jurisdiction_id__in=ancestors,
            user__is_active=True,
            ended_at__isnull=True,
        ).values_list("user_id", flat=True)
    )


def decider_leaves_later_steps_open(
    user: User, request: ApprovalRequest, on_behalf_of: User | None = None
) -> None:
    """Refuse a decision that would leave a later step with nobody allowed to take it: the
    decider (or their delegator) is the only one left holding a role that later step needs."""
    me = {user.pk} | ({on_behalf_of.pk} if on_behalf_of is not None else set())
    taken = {request.requested_by_id} | {
        uid for d in request.decisions.all() for uid in (d.actor_id, d.on_behalf_of_id) if uid
    }
    for later in range(request.current_step + 1, request.step_count + 1):
        roles = step_roles_now(request, later)
        holders = _holders(roles, request) - taken
        if holders and holders <= me:
            raise GateRefused(
                CHAIN_DEADLOCK,
                field="step",
                message=_(
                    "If you take step %(step)s, nobody is left to take step %(later)s "
                    "(%(roles)s): you are the only one who may, and one person decides one step."
                ),
                unblock=_(
                    "let another person allowed at step %(step)s (%(step_roles)s) decide it, "
                    "and take step %(later)s yourself; then fix the chain."
                ),
                params={
                    "step": request.current_step,
                    "later": later,
                    "roles": roles_text(roles),
                    "step_roles": roles_text(request.roles_of_step(request.current_step)),
                },
            )


def missing_documents(request: ApprovalRequest) -> list[str]:
    """The document kinds the request still needs before its last step is approved. An
    approval document counts only with its number; for a purpose whose approval answers one
    request (``Purpose.fresh_approval``: a price exception for one amount), only when it was
    put on the record after the request was opened, so that an earlier approval on the same
    record (the disposal's own) does not stand in for it."""
    needed = list(getattr(request, "documents", None) or [])
    if not needed:
        return []
    purpose = PURPOSES.get(request.purpose)
    fresh = bool(purpose and purpose.fresh_approval and request.created_at)
    docs = Document.objects.filter(
        target_type_id=request.content_type_id, target_id=request.object_id, kind__in=needed
    )
    have = set()
    for kind, number, at in docs.values_list("kind", "number", "uploaded_at"):
        if kind != "approval" or (
            (number or "").strip() and not (fresh and at < request.created_at)
        ):
            have.add(kind)
    return [k for k in needed if k not in have]


def documents_present(request: ApprovalRequest) -> None:
    """Refuse to approve the last step while a document it rests on is missing."""
    if request.current_step < request.step_count:
        return
    missing = missing_documents(request)
    if not missing:
        return

    labels = dict(DocumentKind.choices)
    raise GateRefused(
        DOCUMENT_REQUIRED,
        field="documents",
        message=_("Approving %(object)s needs %(documents)s on the record first."),
        unblock=_(
            "upload %(documents)s to the record's documents (an approval document with its "
            "document number), then decide."
        ),
        params={
            "object": request.object_repr,
            "documents": "; ".join(str(labels.get(k, k)) for k in missing),
        },
    )


def approved_by_least_authority(request: ApprovalRequest) -> bool:
    """Whether an approved request's last step was decided by its least authority (in their own
    right or through their delegate): an approval given before the rule by a lower role (a
    deputy on "head or deputy") does not count as the head's."""
    if request.status != ApprovalStatus.APPROVED:
        return False
    least = least_roles(request.purpose, request.channel)
    if not least:
        return True
    last = request.decisions.filter(step=request.step_count, outcome="approve").first()
    if last is None:
        return False
    principal = last.on_behalf_of or last.actor
    return policy.allowed(
        principal, "approval", "decide", jurisdiction=request.jurisdiction, roles_subset=least
    )
