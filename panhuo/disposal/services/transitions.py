"""A disposal project's steps through its channel's table: what the caller may take now and
why not, and ``project_transition``, which applies one step (the channel's records, the
package's disposal, notices, the event and the audit entry) in one transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.core.gates import GateRefused
from panhuo.core.validation import full_clean
from panhuo.disposal import amounts, channels, deadlines, guards, money, notices, periods, rollups
from panhuo.disposal.models import (
    NO_COUNTERPARTY_CHANNELS,
    DisposalProject,
    Package,
    ProjectEvent,
)
from panhuo.disposal.services.packages import _package_units
from panhuo.disposal.workflow import TRANSITIONS, Transition, table_for
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation.models import User
from panhuo.register.models import Asset, AssetStatus
from panhuo.register.services import asset_set_status


class TransitionRefused(ValidationError):
    """A transition not allowed from this state or for this actor; the message names both."""


def transition_check(actor: User, project: DisposalProject, t: Transition) -> str | None:
    """Why ``actor`` may not take ``t`` on ``project`` now, or None if they may."""
    if project.status not in t.sources:
        return (
            f"“{t.name}” is not allowed from state “{project.status}” "
            f"(only from {', '.join(sorted(t.sources))})."
        )
    if not t.allowed_for(actor, project, _package_units(project.package)):
        names = ", ".join(sorted(str(r.label) for r in t.roles))
        return (
            f"“{t.name}” needs one of these roles here: {names} "
            f"(the project is in state “{project.status}”)."
        )
    if t.not_by_submitter and project.submitted_by_id == actor.pk:
        return f"“{t.name}” must be taken by someone other than the submitter."
    return None


def transition_blocker(actor: User, project: DisposalProject, t: Transition) -> str:
    """Why a transition the table and the caller's roles allow cannot be taken *yet*, or "".

    Other stages say so through their guards' ``explain`` (an approval chain not through,
    ...); a step that needs the money in says what is still due. The project page shows such
    steps disabled with this reason; the API lists them apart from the ones it may take now.
    Nothing is written."""
    reason = guards.registry.explain(actor=actor, project=project, transition=t.name)
    if reason:
        return reason
    if t.needs_paid and project.deal_price is not None:
        due = project.deal_price - money.received_total(project)
        if due > 0:
            return _("This step needs the deal price received in full: %(due)s yuan still due.") % {
                "due": f"{due:,}"
            }
    return ""


def available_transitions(
    actor: User, project: DisposalProject, *, actionable: bool = False
) -> list[Transition]:
    """The transitions the table and the caller's roles allow from the project's state; with
    ``actionable``, only those no other rule holds back now (see ``transition_blocker``)."""
    allowed = [
        t
        for t in table_for(project.channel).values()
        if transition_check(actor, project, t) is None
    ]
    if actionable:
        allowed = [t for t in allowed if not transition_blocker(actor, project, t)]
    return allowed


def blocked_transitions(actor: User, project: DisposalProject) -> list[tuple[Transition, str]]:
    """The allowed transitions something else holds back now, each with the reason."""
    out = []
    for t in available_transitions(actor, project):
        reason = transition_blocker(actor, project, t)
        if reason:
            out.append((t, reason))
    return out


def _lookup(project: DisposalProject, name: str) -> Transition:
    table = table_for(project.channel)
    t = table.get(name)
    if t is not None:
        return t
    if name in TRANSITIONS:
        raise TransitionRefused(
            {
                "transition": [
                    _(
                        "“%(name)s” is not allowed from state “%(project_status)s”: it is no "
                        "step of the %(project_channel)s channel (its steps: %(choices)s)."
                    )
                    % {
                        "name": name,
                        "project_status": project.get_status_display().lower(),
                        "project_channel": project.get_channel_display().lower(),
                        "choices": ", ".join(table),
                    }
                ]
            }
        )
    raise TransitionRefused(
        {
            "transition": [
                _("Unknown transition “%(name)s”; one of %(choices)s.")
                % {"name": name, "choices": sorted(TRANSITIONS)}
            ]
        }
    )


def project_transition(
    *,
    actor: User,
    project: DisposalProject,
    transition: str,
    comment: str = "",
    deal_price: Decimal | None = None,
    buyer: str = "",
    confirm_amount: bool = False,
    **data: Any,
) -> DisposalProject:
    """Apply one transition of the project's channel table, or refuse it naming the transition
    and the state. ``data`` carries the channel input the step needs (see ``channels``):
    listed_on, platform, reserve_price, bidders, counterparty_unit, counterparty,
    counterparty_soe, debt, tranches, term_start, term_end, period_amount, frequency, deposit.
    An implausible reserve or deal price is held unless ``confirm_amount`` (``amounts``).
    Everything the step writes is one transaction: a refusal leaves nothing behind."""
    comment = comment or ""
    with transaction.atomic():
        project = project.locked()
        t = _lookup(project, transition)
        reason = transition_check(actor, project, t)
        if reason:
            raise TransitionRefused({"transition": [reason]})
        if t.needs_comment and not comment.strip():
            raise ValidationError(
                {"comment": [_("“%(name)s” needs a written reason.") % {"name": t.name}]}
            )
        confirmations = amounts.for_transition(
            project, t, deal_price=deal_price, data=data, confirmed=confirm_amount
        )
        guards.registry.run(
            actor=actor,
            project=project,
            transition=t.name,
            data={"comment": comment, "deal_price": deal_price, "buyer": buyer, **data},
        )
        before = snapshot(project)
        source = project.status
        today = timezone.localdate()
        plan = channels.prepare(
            t, project=project, actor=actor, today=today, deal_price=deal_price, buyer=buyer,
            comment=comment, data=data,
        )  # fmt: skip
        if t.name == "submit":
            project.submitted_by = actor
        if t.name == "approve":
            project.approved_by = actor
        if t.needs_paid:
            received = money.received_total(project)
            if received < project.deal_price:
                raise GateRefused(
                    periods.PAYMENT,
                    field="transition",
                    message=_("“%(step)s” needs the deal price received in full: %(received)s "
                              "of %(price)s received."),
                    unblock=_("Record the receipts of the remaining %(due)s yuan (finance)."),
                    params={"step": t.name, "received": received, "price": project.deal_price,
                            "due": f"{project.deal_price - received:,}"},
                )  # fmt: skip
        note = channels.finish(t, project=project, actor=actor, today=today, plan=plan)
        project.status = t.target
        if source != t.target or "due_on" in plan:
            project.state_since = today
            project.due_on = plan.get("due_on") or _due_on(project, t.target, today)
        project.version += 1
        full_clean(project)
        project.save()
        if source != t.target:
            rollups.refresh([project.package.jurisdiction_id])
        if t.disposes:
            _conclude_package(project, actor=actor, transition=t.name)
        amounts.record(project, actor=actor, notes=confirmations)
        if t.name in notices.PUBLISHING and project.channel in periods.MARKET:
            notices.published.call(actor=actor, project=project, transition=t.name)
        ProjectEvent.objects.create(
            project=project,
            transition=t.name,
            from_status=source,
            to_status=t.target,
            actor=actor,
            comment="\n".join(x for x in (comment.strip(), plan.get("event_note", "")) if x),
        )
        after = snapshot(project)
        audit_record(
            actor=actor,
            action=f"project.{t.name}",
            obj=project,
            before={k: v for k, v in before.items() if after.get(k) != v},
            after={
                **{k: v for k, v in after.items() if before.get(k) != v},
                **({"comment": comment.strip()} if comment.strip() else {}),
                # Not "channel": that is a field of the project (audit reconcile replays it).
                **({"channel_step": note} if note else {}),
                **({"amount_confirmed": confirmations} if confirmations else {}),
            },
            jurisdiction_path=project.jurisdiction.path,
        )
    return project


def _due_on(project: DisposalProject, state: str, today) -> Any:
    kind = deadlines.deadline_kind(project.channel, state)
    if kind in deadlines.DEFAULTS:
        return deadlines.due(kind, project, today)
    if kind == "term_end" and hasattr(project, "contract"):
        return project.contract.term_end
    return None


def _conclude_package(project: DisposalProject, *, actor: User, transition: str) -> None:
    """A deal disposes of the package: its assets leave the live set and change status (the
    register writes that, refusing a change it does not allow, with its own audit entries)."""
    package = project.package
    old_status = package.status
    package.status = Package.Status.DISPOSED
    package.save(update_fields=["status"])
    package.items.update(live=False)
    audit_record(
        actor=actor,
        action="package.dispose",
        obj=package,
        before={"status": old_status},
        after={"status": package.status, "project": project.pk},
        jurisdiction_path=package.jurisdiction.path,
    )
    if project.channel in {"lease", "concession"}:
        new_status = AssetStatus.LEASED_OUT
    elif project.channel in NO_COUNTERPARTY_CHANNELS:
        new_status = AssetStatus.WRITTEN_OFF  # scrapped, lost or written off: no price
    else:
        new_status = AssetStatus.DISPOSED
    asset_set_status(
        actor=actor,
        assets=Asset.objects.filter(package_items__package=package),
        status=new_status,
        reason=f"{project.code}: {transition}",
        checked_by=f"project.{transition}",
    )
