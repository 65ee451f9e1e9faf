"""Deposits settled as a sale's rules say (issue 16, the award queue): when the office records
that the winner signed, their deposit is applied to the price and the runners-up's refunded;
when a winner defaults, their deposit is forfeited. The step is the deposit table's own
(``services.TRANSITIONS``, taken by ``services.take_step``, audited, under the row lock); who
may ask for it is ``("deposit", "settle")`` (the office, the head, a deputy) or the operator of a
command (``panhuo auctions award-defaults``)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.finance.deposits.models import Deposit
from panhuo.finance.deposits.services import TRANSITIONS, take_step
from panhuo.integrity.services import Operator
from panhuo.organisation import policy

#: The ways out of "held" a sale's rules take.
RULE_STEPS = ("refund", "forfeit", "apply")


def deposit_settle(
    *, actor, deposit: Deposit, action: str, reason: str, on: dt.date | None = None
) -> Deposit:
    """Refund, forfeit or apply ``deposit`` because the sale's rules say so (``reason``)."""
    if action not in RULE_STEPS:
        raise ValidationError({"action": [_("A sale's rules refund, forfeit or apply a deposit.")]})
    if not isinstance(actor, Operator):
        policy.require(actor, "deposit", "settle", jurisdiction=deposit.project.jurisdiction)
    return take_step(
        actor=actor, deposit=deposit, step=TRANSITIONS[action], on=on, reason=reason, by_rule=True
    )
