"""Amounts cannot be misread (issue 12, item 6): the plausibility gate on a project's reserve
and prices, applied where they are set.

A reserve or price below half the package's appraisal (``plausible_low_pct``) or above a
plausible multiple of it (``plausible_high_multiple``) — typically an amount typed in yuan on a
page showing 万元, or the reverse — is held: the step is refused with gate
``amount_implausible`` (``pricing.gates.require_plausible_amount``) unless the caller confirms
the amount (``confirm_amount``). The confirmation is recorded as a timeline event
(``confirm_amount``) and in the step's audit entry, so an approver sees it; a confirmed amount
is not asked again at submission or listing.

Where it runs: ``project_create`` and ``project_update`` (the reserve), and the transitions
that set or take an amount — submit and list (the project's reserve), relist (the reduced
reserve) and every deal step (the deal price). Only channels that sell, transfer or swap the
asset are judged (a lease's reserve is a rent, not a price of the asset), and only once the
package has a complete appraisal to judge by.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from panhuo.disposal.models import ProjectEvent
from panhuo.disposal.pricing_guard import input_amount
from panhuo.pricing import rules
from panhuo.pricing.gates import require_plausible_amount
from panhuo.pricing.selectors import package_appraisal, thresholds_for_package

#: The timeline event that records a confirmation.
EVENT = "confirm_amount"
#: Transitions that take the project's reserve as it stands.
RESERVE_STEPS = frozenset({"submit", "list"})


def _marker(field: str, amount: Decimal) -> str:
    return f"[{field}={Decimal(amount):.2f}]"


def already_confirmed(project, field: str, amount: Decimal) -> bool:
    """Whether ``amount`` of ``field`` was confirmed on ``project`` before."""
    if project.pk is None:
        return False
    return ProjectEvent.objects.filter(
        project=project, transition=EVENT, comment__contains=_marker(field, amount)
    ).exists()


def check(
    package,
    channel: str,
    values: dict[str, Decimal | None],
    *,
    confirmed: bool,
    project=None,
    on: dt.date | None = None,
) -> list[str]:
    """Judge each amount in ``values`` (field → yuan) against the package's appraisal: raise
    ``GateRefused`` for an implausible one not confirmed; return the confirmation notes to
    record (one per implausible amount confirmed now, each ending with its marker)."""
    if channel not in rules.SELLING_CHANNELS:
        return []
    values = {k: input_amount(v) for k, v in values.items()}
    values = {k: v for k, v in values.items() if v is not None and v > 0}
    if not values:
        return []
    found = package_appraisal(package, on=on or timezone.localdate())
    if found.total is None:
        return []
    t = thresholds_for_package(package)
    notes = []
    for field, amount in values.items():
        ok_before = project is not None and already_confirmed(project, field, amount)
        note = require_plausible_amount(
            amount=Decimal(amount),
            appraised=found.total,
            t=t,
            field=field,
            confirmed=confirmed or ok_before,
        )
        if note and not ok_before:
            notes.append(f"{note} {_marker(field, amount)}")
    return notes


def for_transition(project, transition, *, deal_price, data: dict, confirmed: bool) -> list[str]:
    """The amounts a transition sets or takes, judged (see ``check``)."""
    values: dict[str, Decimal | None] = {}
    if transition.name in RESERVE_STEPS:
        values["reserve_price"] = project.reserve_price
    if "relist" in transition.needs:
        values["reserve_price"] = data.get("reserve_price")
    if transition.needs_deal:
        values["deal_price"] = deal_price
    return check(project.package, project.channel, values, confirmed=confirmed, project=project)


def record(project, *, actor, notes: list[str]) -> None:
    """Put the confirmations on the project's timeline (state unchanged)."""
    for note in notes:
        ProjectEvent.objects.create(
            project=project,
            transition=EVENT,
            from_status=project.status,
            to_status=project.status,
            actor=actor,
            comment=note,
        )
