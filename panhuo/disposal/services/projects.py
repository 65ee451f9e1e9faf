"""Writes of a disposal project's draft: opening it on a package and editing its reserve,
channel or note; each write is one transaction with its audit entry."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panhuo.core.codes import next_code
from panhuo.core.errors import Conflict, ValidationError
from panhuo.core.validation import full_clean
from panhuo.disposal import amounts, rollups
from panhuo.disposal.models import (
    DisposalProject,
    Package,
    ProjectStatus,
)
from panhuo.disposal.services.packages import _package_units, _refuse_unless_open
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import User


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
        rollups.refresh([package.jurisdiction_id])
        amounts.record(project, actor=actor, notes=notes)
        audit_record(
            actor=actor,
            action="project.create",
            obj=project,
            after={**snapshot(project), **({"amount_confirmed": notes} if notes else {})},
            jurisdiction_path=package.jurisdiction.path,
        )
    return project


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
