"""Expected receipts matched to actual receipts, and arrears.

Receipts of a project are applied to its expected receipts in due-date order (first due, first
covered), so each expected receipt is paid, part paid or unpaid; one due before today and not
fully covered is in arrears. Nothing of this is stored: it follows from the two ledgers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from panhuo.core.money import ZERO
from panhuo.finance.expected_models import ExpectedReceipt


@dataclass(frozen=True)
class Line:
    expected: ExpectedReceipt
    paid: Decimal
    due: Decimal
    overdue: bool

    @property
    def state(self) -> str:
        if self.due == 0:
            return "paid"
        if self.overdue:
            return "arrears"
        return "part_paid" if self.paid > 0 else "open"


def received_total(project) -> Decimal:
    """What the project was paid towards what it is owed (forfeited deposits excluded)."""
    return paying(project.receipts.all()).aggregate(s=Sum("amount"))["s"] or ZERO


def lines(
    project,
    *,
    today: dt.date,
    received: Decimal | None = None,
    expected: list[ExpectedReceipt] | None = None,
) -> list[Line]:
    """The project's expected receipts (not cancelled) with what covers each. ``received`` and
    ``expected`` (its expected receipts not cancelled, by due date then id), when given, are
    what a caller judging many projects read for all of them at once."""
    left = received_total(project) if received is None else received
    out = []
    if expected is None:
        expected = list(
            ExpectedReceipt.objects.filter(project=project, cancelled=False).order_by(
                "due_date", "pk"
            )
        )
    for e in expected:
        paid = min(e.amount, max(left, ZERO))
        left -= paid
        due = e.amount - paid
        out.append(Line(e, paid, due, overdue=due > 0 and e.due_date < today))
    return out


def arrears(project, *, today: dt.date, **read) -> tuple[Decimal, dt.date | None]:
    """What is due and unpaid before ``today``, and since when (the oldest unpaid due date);
    ``read``: ``received`` and ``expected`` read beforehand, as ``lines`` takes them."""
    late = [line for line in lines(project, today=today, **read) if line.overdue]
    return sum((line.due for line in late), ZERO), (late[0].expected.due_date if late else None)


def scheduled_total(project) -> Decimal:
    return (
        ExpectedReceipt.objects.filter(project=project, cancelled=False).aggregate(s=Sum("amount"))[
            "s"
        ]
        or ZERO
    )


def paying(receipts):
    """The receipts that pay what a project owes (a forfeited deposit pays nothing it owes)."""
    return receipts.exclude(kind="forfeited_deposit")
