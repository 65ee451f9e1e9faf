"""Writes for packages and disposal projects; each is one transaction with its audit entry."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.codes import next_code
from panhuo.core.errors import Conflict, ValidationError
from panhuo.core.gates import GateRefused
from panhuo.core.validation import full_clean
from panhuo.disposal import amounts, channels, deadlines, guards, money, notices, periods
from panhuo.disposal.models import (
    NO_COUNTERPARTY_CHANNELS,
    Channel,
    DisposalProject,
    Package,
    PackageItem,
    ProjectEvent,
    ProjectStatus,
)
from panhuo.disposal.workflow import TRANSITIONS, Transition, table_for
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, User
from panhuo.register.models import GONE_STATUSES, Asset, AssetStatus, Criticality
from panhuo.register.services import asset_set_status


class TransitionRefused(ValidationError):
    """A transition not allowed from this state or for this actor; the message names both."""


def _resolve_assets(actor: User, asset_ids: Iterable[int], jurisdiction: Jurisdiction):
    ids = list(dict.fromkeys(int(a) for a in asset_ids))
    assets = list(
        Asset.objects.visible_to(actor)
        .select_related("unit__jurisdiction")
        .filter(pk__in=ids)
        .select_for_update()
    )
    found = {a.pk for a in assets}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {"assets": [_("Unknown asset id(s): %(missing)s.") % {"missing": missing}]}
        )
    for a in assets:
        if not a.unit.jurisdiction.path.startswith(jurisdiction.path):
            raise ValidationError(
                {
                    "assets": [
                        _("Asset %(code)s is outside %(jurisdiction)s.")
                        % {"code": a.code, "jurisdiction": jurisdiction}
                    ]
                }
            )
        if a.criticality == Criticality.ESSENTIAL:
            raise ValidationError(
                {
                    "assets": [
                        _(
                            "Asset %(code)s serves an essential public service and cannot enter a "
                            "package."
                        )
                        % {"code": a.code}
                    ]
                }
            )
        if a.status in GONE_STATUSES:
            raise ValidationError(
                {"assets": [_("Asset %(code)s is already disposed.") % {"code": a.code}]}
            )
    from panhuo.disposal.candidates import assets_in_scope

    assets_in_scope(assets)  # gate scope_not_included
    busy = PackageItem.objects.filter(asset__in=assets, live=True).select_related(
        "package", "asset"
    )
    if busy:
        first = busy[0]
        raise ValidationError(
            {
                "assets": [
                    _("Asset %(first_asset)s is already in live package %(first_package)s.")
                    % {"first_asset": first.asset.code, "first_package": first.package.code}
                ]
            }
        )
    return assets


def package_create(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    name: str,
    channel: str,
    asset_ids: Iterable[int] = (),
) -> Package:
    """Group in-scope assets into a lot for one channel."""
    policy.require(actor, "package", "create", jurisdiction=jurisdiction)
    if channel not in Channel.values:
        raise ValidationError(
            {"channel": [_("Unknown channel “%(channel)s”.") % {"channel": channel}]}
        )
    if not (name or "").strip():
        raise ValidationError({"name": [_("This field is required.")]})
    with transaction.atomic():
        package = Package(
            code=next_code(Package, "PKG"),
            name=name.strip(),
            jurisdiction=jurisdiction,
            channel=channel,
            created_by=actor,
        )
        full_clean(package)
        package.save(force_insert=True)
        assets = _resolve_assets(actor, asset_ids, jurisdiction)
        PackageItem.objects.bulk_create(PackageItem(package=package, asset=a) for a in assets)
        audit_record(
            actor=actor,
            action="package.create",
            obj=package,
            after={**snapshot(package), "assets": sorted(a.pk for a in assets)},
            jurisdiction_path=jurisdiction.path,
        )
    return package


def _refuse_unless_open(package: Package) -> None:
    if package.status != Package.Status.OPEN:
        raise ValidationError(
            {
                "package": [
                    _("Package %(package)s is %(package_status)s.")
                    % {
                        "package": package.code,
                        "package_status": package.get_status_display().lower(),
                    }
                ]
            }
        )


def _package_is_editable(package: Package) -> None:
    _refuse_unless_open(package)
    if package.projects.exclude(status__in=[ProjectStatus.DRAFT, ProjectStatus.WITHDRAWN]).exists():
        raise ValidationError(
            {
                "package": [
                    _("Package %(package)s has a project under way; withdraw it first.")
                    % {"package": package.code}
                ]
            }
        )


def package_add_assets(*, actor: User, package: Package, asset_ids: Iterable[int]) -> Package:
    policy.require(actor, "package", "edit", jurisdiction=package.jurisdiction)
    try:
        with transaction.atomic():
            package = Package.objects.select_for_update().get(pk=package.pk)
            _package_is_editable(package)
            assets = _resolve_assets(actor, asset_ids, package.jurisdiction)
            PackageItem.objects.bulk_create(PackageItem(package=package, asset=a) for a in assets)
            audit_record(
                actor=actor,
                action="package.add_assets",
                obj=package,
                after={"assets": sorted(a.pk for a in assets)},
                jurisdiction_path=package.jurisdiction.path,
            )
    except IntegrityError as exc:
        # Another writer put one of these assets into a live package first.
        raise ValidationError({"assets": [_("An asset is already in a live package.")]}) from exc
    return package


def package_remove_asset(*, actor: User, package: Package, asset_id: int) -> Package:
    policy.require(actor, "package", "edit", jurisdiction=package.jurisdiction)
    with transaction.atomic():
        package = Package.objects.select_for_update().get(pk=package.pk)
        _package_is_editable(package)
        deleted = PackageItem.objects.filter(package=package, asset_id=asset_id).delete()[0]
        if not deleted:
            raise ValidationError(
                {
                    "asset": [
                        _("Asset %(asset_id)s is not in %(package)s.")
                        % {"asset_id": asset_id, "package": package.code}
                    ]
                }
            )
        audit_record(
            actor=actor,
            action="package.remove_asset",
            obj=package,
            before={"assets": [int(asset_id)]},
            jurisdiction_path=package.jurisdiction.path,
        )
    return package


def _package_units(package: Package) -> set[int]:
    return set(package.items.values_list("asset__unit_id", flat=True))


def project_create(
    *,
    actor: User,
    package: Package,
    reserve_price: Decimal,
    channel: str | None = None,
    note: str = "",
    confirm_amount: bool = False,
) -> DisposalProject:
    """Open a draft disposal project for a package (one active project per package). A
    reserve far from the package's appraisal is held unless ``confirm_amount`` (gate
    ``amount_implausible``, see ``disposal.amounts``); a confirmation is recorded."""
    policy.require(
        actor, "project", "create", jurisdiction=package.jurisdiction, units=_package_units(package)
    )
    _refuse_unless_open(package)
    if not package.items.exists():
        raise ValidationError(
            {"package": [_("Package %(package)s has no assets.") % {"package": package.code}]}
        )
    with transaction.atomic():
        if package.projects.exclude(status=ProjectStatus.WITHDRAWN).exists():
            raise ValidationError(
                {
                    "package": [
                        _("Package %(package)s already has an active project.")
                        % {"package": package.code}
                    ]
                }
            )
        project = DisposalProject(
            code=next_code(DisposalProject, "DP"),
            package=package,
            channel=channel or package.channel,
            reserve_price=reserve_price,
            note=note,
            created_by=actor,
        )
        full_clean(project)
        notes = amounts.check(
            package, project.channel, {"reserve_price": project.reserve_price},
            confirmed=confirm_amount,
        )  # fmt: skip
        project.save(force_insert=True)
        amounts.record(project, actor=actor, notes=notes)
        audit_record(
            actor=actor,
            action="project.create",
            obj=project,
            after={**snapshot(project), **({"amount_confirmed": notes} if notes else {})},
            jurisdiction_path=package.jurisdiction.path,
        )
    return project


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


def project_update(
    *,
    actor: User,
    project: DisposalProject,
    data: dict[str, Any],
    version: int | None = None,
    confirm_amount: bool = False,
) -> DisposalProject:
    """Edit a draft's reserve price, channel or note (only drafts may change). ``version``
    (if given) must match, so that no one's edit is silently lost. A new reserve far from the
    appraisal is held unless ``confirm_amount`` (``amounts``)."""
    allowed = {"reserve_price", "channel", "note"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({n: [_("This field cannot be set.")] for n in unknown})
    policy.require(
        actor,
        "project",
        "create",
        jurisdiction=project.jurisdiction,
        units=_package_units(project.package),
    )
    with transaction.atomic():
        project = DisposalProject.objects.select_for_update().get(pk=project.pk)
        if version is not None and project.version != version:
            raise Conflict(
                _(
                    "Project %(project)s was changed by someone else (version "
                    "%(project_version)s, you edited %(version)s). Reload and try again."
                )
                % {"project": project.code, "project_version": project.version, "version": version}
            )
        if project.status != ProjectStatus.DRAFT:
            raise ValidationError({"status": [_("Only a draft project can be edited.")]})
        before = snapshot(project)
        if "note" in data and data["note"] is None:
            data["note"] = ""  # null clears the note: the column holds text, never NULL
        for k, v in data.items():
            setattr(project, k, v)
        project.version += 1
        full_clean(project)
        notes = []
        if "reserve_price" in data or "channel" in data:
            notes = amounts.check(
                project.package, project.channel, {"reserve_price": project.reserve_price},
                confirmed=confirm_amount, project=project,
            )  # fmt: skip
        project.save()
        amounts.record(project, actor=actor, notes=notes)
        after = snapshot(project)
        audit_record(
            actor=actor,
            action="project.update",
            obj=project,
            before={k: v for k, v in before.items() if after.get(k) != v},
            after={
                **{k: v for k, v in after.items() if before.get(k) != v},
                **({"amount_confirmed": notes} if notes else {}),
            },
            jurisdiction_path=project.jurisdiction.path,
        )
    return project
