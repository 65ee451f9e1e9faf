"""Finance's side of ``panhuo.disposal.money``: the money a disposal creates, kept here.

Registered in FinanceConfig.ready. Disposal (a layer below) never writes finance's tables:
it calls these through the hook, inside its own transition.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.finance import expected as fx
from panhuo.finance.expected_models import ExpectedReceipt
from panhuo.finance.models import Debt
from panhuo.finance.selectors import receipt_list
from panhuo.finance.services import debt_settle_non_cash


def expect(project, rows: list[tuple[dt.date, Decimal, str, str]]) -> Decimal:
    ExpectedReceipt.objects.bulk_create(
        ExpectedReceipt(project=project, due_date=d, amount=a, kind=k, label=label)
        for d, a, k, label in rows
    )
    return sum((a for _d, a, _k, _l in rows), Decimal("0.00"))


def cancelled_now() -> dict:
    """The fields of a row cancelled now: the figures as of an earlier day still count it."""
    return {"cancelled": True, "cancelled_at": timezone.now()}


def cancel_due_after(project, *, cut: dt.date) -> int:
    live = ExpectedReceipt.objects.filter(project=project, cancelled=False)
    first = live.order_by("due_date", "pk").values_list("pk", flat=True).first()
    return live.filter(due_date__gt=cut).exclude(pk=first).update(**cancelled_now())


def cancel_open(project) -> int:
    """Cancel every live row (kept, marked cancelled): the deal they were for changed hands."""
    live = ExpectedReceipt.objects.filter(project=project, cancelled=False)
    return live.update(**cancelled_now())


received_total = fx.received_total
scheduled_total = fx.scheduled_total
arrears = fx.arrears
lines = fx.lines


def receipts(user, project) -> list:
    return list(receipt_list(user, project=project.pk))


def open_debts():
    return Debt.objects.active().filter(outstanding__gt=0)


def debt_for(actor, ref) -> Debt:
    if isinstance(ref, Debt):
        return ref
    try:
        return Debt.objects.visible_to(actor).get(pk=int(ref))
    except (Debt.DoesNotExist, TypeError, ValueError):
        raise ValidationError({"debt": [_("Unknown debt “%(ref)s”.") % {"ref": ref}]}) from None


def settle_debt(*, actor, debt, project, amount, on):
    return debt_settle_non_cash(actor=actor, debt=debt, project=project, amount=amount, on=on)
