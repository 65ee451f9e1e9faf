"""The money side of a disposal, which finance (the layer above) keeps: a hook.

A deal, the tranches of a sale or a lease's schedule create money due; finance is the only
writer of its expected receipts, so disposal hands the rows to the provider finance registers
in its AppConfig.ready (``receivables.register("finance", <module>)``) and reads totals and
arrears back through it. The provider is a module with the functions below (see
``panhuo/finance/disposal_receivables.py``); every call runs inside the disposal transition that
needs it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from panhuo.core.hooks import Hook

receivables = Hook("disposal.money.receivables")

# The kinds of money due (finance's ExpectedKind values).
RENT, PAYMENT, INSTALMENT, FEE = "rent", "payment", "instalment", "fee"
TRANCHE, DEPOSIT = "tranche", "deposit"


def _finance() -> Any:
    return receivables.one()


def expect(project, rows: list[tuple[dt.date, Decimal, str, str]]) -> Decimal:
    """Record money due on ``project``: rows of (due date, amount, kind, label); their total."""
    return _finance().expect(project, rows)


def received_total(project) -> Decimal:
    return _finance().received_total(project)


def scheduled_total(project) -> Decimal:
    return _finance().scheduled_total(project)


def arrears(project, *, today: dt.date) -> tuple[Decimal, dt.date | None]:
    return _finance().arrears(project, today=today)


def cancel_due_after(project, *, cut: dt.date) -> int:
    """Cancel what falls due after ``cut`` (the first period stays owed); how many."""
    return _finance().cancel_due_after(project, cut=cut)


def cancel_open(project) -> int:
    """Cancel every live expected receipt (the deal passed to another buyer); how many."""
    return _finance().cancel_open(project)


def lines(project, *, today: dt.date) -> list:
    """The expected receipts matched to what came in (for the project page and API)."""
    return _finance().lines(project, today=today)


def receipts(user, project) -> list:
    """The receipts of ``project`` ``user`` may see."""
    return _finance().receipts(user, project)


def open_debts():
    """The debts a swap may settle (outstanding > 0), for the step's form."""
    return _finance().open_debts()


def debt_for(actor, ref):
    """The debt ``ref`` (the debt or its id) visible to ``actor``; ValidationError if unknown."""
    return _finance().debt_for(actor, ref)


def settle_debt(*, actor, debt, project, amount: Decimal, on: dt.date):
    """Reduce ``debt`` by a swap's agreed value (finance refuses more than is outstanding)."""
    return _finance().settle_debt(actor=actor, debt=debt, project=project, amount=amount, on=on)
