"""Asking the head for a price exception: the written approval of a relisting reserve or a deal
below 90 % of the appraisal (Order 32; Order 12 art. 13).

The pricing guard refuses such a step with gate ``below_approval_floor`` until an approved
``price_exception`` request on the project covers the price
(``disposal.pricing_guard.written_approval``).
This is the way to ask for one from the project: whoever may take the project's listing or deal
step opens the request, for the amount they mean to list or sell at and with their reason; the
head (or the chain configured for the purpose) decides it under "My approvals". The approvals app
holds one pending request per project and purpose.

Disposal does not depend on approvals or pricing at import time (they hook into disposal), so
both are imported where they are used.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from panhuo.approvals.services import approval_status, open_request
from panhuo.core.errors import ValidationError
from panhuo.disposal.models import DisposalProject
from panhuo.disposal.workflow import Transition, table_for
from panhuo.organisation import policy
from panhuo.organisation.models import User
from panhuo.pricing.rules import needs_written_approval
from panhuo.pricing.selectors import (
    package_appraisal,
    package_rent_appraisal,
    thresholds_for_package,
)

#: The approvals purpose the pricing guard reads (``disposal.pricing_guard.APPROVAL_PURPOSE``).
PURPOSE = "price_exception"
#: The rule name the pricing guard's refusal carries.
RULE = "below_approval_floor"
MAX_REASON = 10_000


def priced_steps(project: DisposalProject) -> list[Transition]:
    """The steps of the project's channel that the approval floor judges: a listing (first or
    again) or the step that records the deal."""
    rows = table_for(project.channel).values()
    return [
        t
        for t in rows
        if t.name in {"list", "relist"}
        or t.needs_deal
        or (project.channel == "lease" and t.needs & {"contract", "renewal"})
    ]


def _units(project: DisposalProject) -> set[int]:
    return set(project.package.items.values_list("asset__unit_id", flat=True))


def may_request(actor: User, project: DisposalProject) -> bool:
    """Whether ``actor``'s roles and scope let them take one of the project's priced steps
    (whatever the project's state): those are the people who meet the refusal."""
    units = _units(project)
    return any(t.allowed_for(actor, project, units) for t in priced_steps(project))


def open_for_request(project: DisposalProject) -> bool:
    """Whether a priced step can still come from the project's state (before the deal)."""
    return any(project.status in t.sources for t in priced_steps(project))


def latest(project: DisposalProject):
    """The project's latest price-exception request (any status), or None."""

    return approval_status(project, PURPOSE)


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "")) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError({"amount": [_("The amount is a decimal number of yuan.")]})
    amount = amount.quantize(Decimal("0.01"))
    if amount <= 0:
        raise ValidationError({"amount": [_("The amount is more than zero.")]})
    return amount


def _check_below_floor(project: DisposalProject, amount: Decimal) -> None:
    """An amount at or above the floor needs no exception: say so rather than ask the head."""
    from django.utils import timezone

    if project.channel == "lease":
        # A lease's exception covers a yearly rent below the appraised yearly rent.
        rent = package_rent_appraisal(project.package, on=timezone.localdate())
        if rent.yearly and amount >= rent.yearly:
            raise ValidationError(
                {
                    "amount": [
                        _(
                            "A yearly rent of %(amount)s yuan is not below the appraised yearly "
                            "rent %(rent_yearly)s yuan: it needs no exception."
                        )
                        % {"amount": f"{amount:,}", "rent_yearly": f"{rent.yearly:,}"}
                    ]
                }
            )
        return
    found = package_appraisal(project.package, on=timezone.localdate())
    if not found.total:
        return  # no appraisal yet: the guard asks for one first; the request may still go ahead
    t = thresholds_for_package(project.package)
    if not needs_written_approval(price=amount, appraised=found.total, t=t):
        raise ValidationError(
            {
                "amount": [
                    _(
                        "%(amount)s yuan is not below %(t_approval_floor_pct)s %% of the "
                        "appraised value %(found_total)s yuan: it needs no price exception."
                    )
                    % {
                        "amount": f"{amount:,}",
                        "t_approval_floor_pct": t.approval_floor_pct,
                        "found_total": f"{found.total:,}",
                    }
                ]
            }
        )


def price_exception_request(
    *, actor: User, project: DisposalProject, amount: Decimal | str, reason: str
):
    """Open a ``price_exception`` approval request on ``project`` for ``amount`` (the lowest
    reserve or deal price the approval is to cover) with the requester's written reason.

    Refused (NotPermitted) unless the actor may take one of the project's listing or deal
    steps; refused naming the field when the amount needs no exception, the reason is missing,
    the project is past its deal, or a request is already pending. One transaction, audited by
    the approvals app (``approval.request``)."""

    if not may_request(actor, project):
        raise policy.NotPermitted(
            _(
                "You may not request a price exception for this project: it is asked "
                "for by whoever may list it or record its deal."
            )
        )
    amount = _amount(amount)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("A price exception needs a written reason.")]})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {
                "reason": [
                    _("At most %(max_reason)s characters.") % {"max_reason": f"{MAX_REASON:,}"}
                ]
            }
        )
    with transaction.atomic():
        project = project.locked()
        if not open_for_request(project):
            raise ValidationError(
                {
                    "project": [
                        _(
                            "Project %(project)s is %(project_status)s: no listing or deal is "
                            "ahead that a price exception could cover."
                        )
                        % {
                            "project": project.code,
                            "project_status": project.get_status_display().lower(),
                        }
                    ]
                }
            )
        _check_below_floor(project, amount)
        return open_request(
            actor=actor,
            requested_by=actor,
            obj=project,
            purpose=PURPOSE,
            jurisdiction=project.jurisdiction,
            amount=amount,
            channel=project.channel,
            reason=reason,
            label=f"{project.code} {project.package.name}",
        )
