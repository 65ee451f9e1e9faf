"""A registered bidder's own side of the deposit ledger (issue 16): the deposit falls due when
they register for a lot (``deposit_due``, called by the auctions app), and they declare it paid
with the voucher of their transfer (``deposit_declare_paid``); finance then confirms it
(``services.deposit_transition(action="confirm")``: paid → held). Only the bidder themselves
takes these two steps; their refusals are in the bidder's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.busy import retry_when_busy
from panhuo.core.errors import ValidationError
from panhuo.finance.deposits.models import Deposit, DepositStatus
from panhuo.finance.deposits.services import OPEN_FOR_DEPOSITS
from panhuo.finance.services import to_money
from panhuo.integrity.services import audit_insert, audit_update, snapshot
from panhuo.organisation import policy


def _own(actor, party) -> None:
    if party is None or getattr(actor, "pk", None) is None or party.user_id != actor.pk:
        raise policy.NotPermitted(_("Only the bidder themselves may do this."))


def deposit_due(*, actor, project, round, party, amount: Any) -> Deposit:
    """Open a due deposit of ``amount`` for the registered bidder ``party`` on ``round`` of
    ``project``. Runs inside the caller's transaction (the lot registration's)."""
    _own(actor, party)
    amount = to_money(amount, "amount")
    if project.status not in OPEN_FOR_DEPOSITS:
        raise ValidationError({"project": [_("This sale takes no deposits now.")]})
    if round is not None and round.project_id != project.pk:
        raise ValidationError({"round": [_("The listing round is not this sale's.")]})
    deposit = Deposit(
        project=project, round=round, party=party, bidder=party.name[:200], amount=amount,
        status=DepositStatus.DUE, recorded_by=actor,
    )  # fmt: skip
    audit_insert(
        deposit, actor=actor, action="deposit.due", jurisdiction_path=project.jurisdiction.path
    )
    return deposit


@retry_when_busy
def deposit_declare_paid(*, actor, deposit: Deposit, voucher: str, paid_on: dt.date) -> Deposit:
    """The bidder declares their due deposit paid: the voucher (bank reference) of the
    transfer and its day. Finance confirms it when the money shows on the account."""
    voucher = (voucher or "").strip()[:60]
    if not voucher:
        raise ValidationError({"voucher": [_("Give the voucher (bank reference) of the payment.")]})
    if paid_on is None or paid_on > timezone.localdate():
        raise ValidationError({"paid_on": [_("The day of payment cannot be in the future.")]})
    with transaction.atomic():
        d = (
            Deposit.objects.select_for_update(of=("self",))
            .select_related("party", "project__package__jurisdiction")
            .get(pk=deposit.pk)
        )
        _own(actor, d.party)
        if d.status != DepositStatus.DUE:
            raise ValidationError(
                {"voucher": [_("This deposit is %(status)s; only a due deposit is declared paid.")
                             % {"status": d.get_status_display().lower()}]}
            )  # fmt: skip
        if Deposit.objects.filter(voucher=voucher).exists():
            raise ValidationError({"voucher": [_("This voucher is already recorded.")]})
        before = snapshot(d)
        d.status, d.voucher, d.received_on = DepositStatus.PAID, voucher, paid_on
        d.version += 1
        d.full_clean()
        d.save()
        audit_update(
            d, actor=actor, action="deposit.declare_paid", before=before,
            jurisdiction_path=d.project.jurisdiction.path,
        )  # fmt: skip
    return d
