"""Bidders' deposits: receive, then refund, forfeit or apply to the winner's price.

The state machine is the table :data:`TRANSITIONS`: each step names the state it leaves, the
state it reaches, and the policy action (``deposit.<action>``) whose roles may take it
(organisation/policy.py: finance receives, refunds and applies; the head or a deputy forfeits).
Every step is one transaction with its audit entry, under a row lock, so a deposit leaves the
held state exactly once.

A deposit is never a receipt while held. Forfeiting it creates a receipt of kind "forfeited
deposit" (treasury money, allocatable to debts, paying nothing the project is owed); applying it
creates a sale-price receipt of the project (counting towards the deal, so the project must be
concluded and the deposit no larger than what is still due).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.busy import retry_when_busy
from panhuo.core.errors import ValidationError
from panhuo.disposal.models import DisposalProject, ProjectStatus
from panhuo.disposal.workflow import RECEIVING
from panhuo.finance import rollups
from panhuo.finance.deposits.models import Deposit, DepositStatus
from panhuo.finance.expected import paying
from panhuo.finance.models import BudgetClass, Receipt, ReceiptKind
from panhuo.finance.services import to_money
from panhuo.integrity.services import audit_insert, audit_update, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import User

H = DepositStatus.HELD


@dataclass(frozen=True)
class Step:
    name: str
    source: str
    target: str
    needs_reason: bool
    #: Suffix of the voucher of the receipt the step creates (None: no receipt).
    receipt_suffix: str | None


#: The deposit state machine: finance confirms a deposit a registered bidder declared paid
#: (``parties.deposit_declare_paid``: due → paid), and every way out of "held".
TRANSITIONS: dict[str, Step] = {
    "confirm": Step("confirm", DepositStatus.PAID, H, False, None),
    "refund": Step("refund", H, DepositStatus.REFUNDED, False, None),
    "forfeit": Step("forfeit", H, DepositStatus.FORFEITED, True, "F"),
    "apply": Step("apply", H, DepositStatus.APPLIED, False, "A"),
}

#: Projects that may take deposits: listed for bids, or with the deal just struck.
OPEN_FOR_DEPOSITS = frozenset(
    {ProjectStatus.APPROVED, ProjectStatus.LISTED, ProjectStatus.CONCLUDED}
)


def _today_or(on: dt.date | None, field: str = "on") -> dt.date:
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationError({field: [_("%(on)s is in the future.") % {"on": on}]})
    return on


@retry_when_busy
def deposit_receive(
    *,
    actor: User,
    project: DisposalProject,
    bidder: str,
    amount: Any,
    received_on: dt.date,
    voucher: str,
    round=None,
) -> Deposit:
    """Record a bidder's deposit for a project (and listing round) that takes bids."""
    amount = to_money(amount, "amount")
    policy.require(actor, "deposit", "receive", jurisdiction=project.jurisdiction)
    bidder, voucher = (bidder or "").strip(), (voucher or "").strip()
    if not bidder:
        raise ValidationError({"bidder": [_("Name the bidder.")]})
    if not voucher:
        raise ValidationError({"voucher": [_("This field is required.")]})
    received_on = _today_or(received_on, "received_on")
    with transaction.atomic():
        project = project.locked()
        if project.status not in OPEN_FOR_DEPOSITS:
            raise ValidationError(
                {
                    "project": [
                        _(
                            "Deposits are taken while a project is approved, listed or just "
                            "concluded; %(project)s is %(project_status)s."
                        )
                        % {
                            "project": project.code,
                            "project_status": project.get_status_display().lower(),
                        }
                    ]
                }
            )
        if round is not None and round.project_id != project.pk:
            raise ValidationError(
                {
                    "round": [
                        _("Round %(round)s is not a round of %(project)s.")
                        % {"round": round, "project": project.code}
                    ]
                }
            )
        if Deposit.objects.filter(voucher=voucher).exists():
            raise ValidationError(
                {"voucher": [_("Voucher %(voucher)s is already recorded.") % {"voucher": voucher}]}
            )
        deposit = Deposit(
            project=project, round=round, bidder=bidder, amount=amount,
            received_on=received_on, voucher=voucher, recorded_by=actor,
        )  # fmt: skip
        audit_insert(
            deposit,
            actor=actor,
            action="deposit.receive",
            jurisdiction_path=project.jurisdiction.path,
        )
    return deposit


def _same_party(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@retry_when_busy
def deposit_transition(
    *,
    actor: User,
    deposit: Deposit,
    action: str,
    on: dt.date | None = None,
    reason: str = "",
) -> Deposit:
    """Take one step of :data:`TRANSITIONS`, or refuse naming the transition or field."""
    step = TRANSITIONS.get(action)
    if step is None:
        raise ValidationError(
            {
                "action": [
                    _("Unknown step “%(action)s”; one of %(choices)s.")
                    % {"action": action, "choices": ", ".join(TRANSITIONS)}
                ]
            }
        )
    policy.require(actor, "deposit", action, jurisdiction=deposit.project.package.jurisdiction)
    return take_step(actor=actor, deposit=deposit, step=step, on=on, reason=reason)


def take_step(
    *, actor, deposit: Deposit, step: Step, on: dt.date | None, reason: str, by_rule: bool = False
) -> Deposit:
    """The body of a step, once the caller checked the actor may take it (``deposit_transition``
    by the step's roles; ``settle.deposit_settle`` as a sale's rules say: ``by_rule``)."""
    action = step.name
    reason = (reason or "").strip()
    if step.needs_reason and not reason:
        raise ValidationError(
            {
                "reason": [
                    _("Give the reason to %(action)s this deposit.")
                    % {"action": policy.ACTION_NAMES.get(action, action)}
                ]
            }
        )
    given, on = on, _today_or(on)
    with transaction.atomic():
        d = (
            Deposit.objects.select_for_update()
            .select_related("project__package__jurisdiction")
            .get(pk=deposit.pk)
        )
        if d.status != step.source:
            raise ValidationError(
                {
                    "action": [
                        _(
                            "Deposit %(deposit)s is %(status)s: only a deposit that is "
                            "%(source)s can take the step “%(action)s”."
                        )
                        % {
                            "deposit": d.voucher or d.pk,
                            "status": d.get_status_display().lower(),
                            "source": DepositStatus(step.source).label.lower(),
                            "action": policy.ACTION_NAMES.get(action, action),
                        }
                    ]
                }
            )
        if step.name == "confirm":
            # The day the money arrived (the bidder's declared day unless finance says).
            d.received_on = on if given is not None else d.received_on
        if on < d.received_on:
            raise ValidationError(
                {
                    "on": [
                        _("%(on)s is before the deposit came in (%(d_received_on)s).")
                        % {"on": on, "d_received_on": d.received_on}
                    ]
                }
            )
        before = snapshot(d)
        receipt = None
        if step.name == "apply":
            receipt = _apply_receipt(actor, d, on, by_rule=by_rule)
        elif step.name == "forfeit":
            receipt = _forfeit_receipt(actor, d, on)
        d.status, d.receipt = step.target, receipt
        d.closed_on = None if step.target == H else on
        d.reason = reason[:300]
        d.version += 1
        d.full_clean()
        d.save()
        audit_update(
            d,
            actor=actor,
            action=f"deposit.{action}",
            before=before,
            jurisdiction_path=d.project.jurisdiction.path,
        )
    return d


def _voucher(d: Deposit, suffix: str) -> str:
    voucher = f"{d.voucher}/{suffix}"
    if Receipt.objects.filter(voucher=voucher).exists():
        raise ValidationError(
            {
                "action": [
                    _("A receipt with voucher %(voucher)s already exists.") % {"voucher": voucher}
                ]
            }
        )
    return voucher


def _apply_receipt(actor: User, d: Deposit, on: dt.date, *, by_rule: bool = False) -> Receipt:
    """The deposit counts towards the winner's price: a sale-price receipt of the project."""
    project = DisposalProject.objects.select_for_update().get(pk=d.project_id)
    if project.status not in RECEIVING or not project.deal_price:
        raise ValidationError(
            {
                "action": [
                    _(
                        "A deposit is applied to the price once the deal is recorded; "
                        "%(project)s is %(project_status)s."
                    )
                    % {
                        "project": project.code,
                        "project_status": project.get_status_display().lower(),
                    }
                ]
            }
        )
    if not _same_party(d.bidder, project.buyer):
        raise ValidationError(
            {
                "bidder": [
                    _(
                        "Only the winner's deposit is applied to the price: %(d_bidder)s is "
                        "not the buyer %(project_buyer)s."
                    )
                    % {"d_bidder": d.bidder, "project_buyer": project.buyer}
                ]
            }
        )
    received = paying(project.receipts.all()).aggregate(s=Sum("amount"))["s"] or 0
    if received + d.amount > project.deal_price:
        raise ValidationError(
            {
                "amount": [
                    _(
                        "The deposit %(d_amount)s is more than is still due on %(project)s "
                        "(%(value)s): refund the rest."
                    )
                    % {
                        "d_amount": d.amount,
                        "project": project.code,
                        "value": project.deal_price - received,
                    }
                ]
            }
        )
    if not by_rule:
        policy.require(actor, "receipt", "create", jurisdiction=project.package.jurisdiction)
    return _receipt(actor, d, on, ReceiptKind.SALE_PRICE, _voucher(d, "A"))


def _forfeit_receipt(actor: User, d: Deposit, on: dt.date) -> Receipt:
    """The treasury keeps the deposit: non-tax revenue, allocatable, paying no price."""
    return _receipt(actor, d, on, ReceiptKind.FORFEITED_DEPOSIT, _voucher(d, "F"))


def _receipt(actor: User, d: Deposit, on: dt.date, kind: str, voucher: str) -> Receipt:
    receipt = Receipt(
        project_id=d.project_id, amount=d.amount, received_on=on, voucher=voucher,
        budget_class=BudgetClass.NON_TAX, kind=kind,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    audit_insert(
        receipt,
        actor=actor,
        action="receipt.create",
        jurisdiction_path=d.project.package.jurisdiction.path,
    )
    rollups.receipt_added(receipt, d.project.package.jurisdiction_id)
    return receipt


def steps_for(user, deposit: Deposit) -> list[str]:
    """The steps ``user`` may take on ``deposit`` now (to show the buttons)."""
    j = deposit.project.package.jurisdiction
    return [
        name
        for name, step in TRANSITIONS.items()
        if step.source == deposit.status and policy.allowed(user, "deposit", name, jurisdiction=j)
    ]
