"""Writes for receipts, debts and allocations: one transaction each, with its audit entry.

The two money rules are checked here under row locks and again by the database:
the sum allocated from a receipt never exceeds the receipt, and an allocation never exceeds the
debt's outstanding amount.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.busy import retry_when_busy
from panhuo.core.codes import next_code
from panhuo.core.errors import ValidationError
from panhuo.core.inputs import to_amount
from panhuo.disposal.models import DisposalProject
from panhuo.disposal.workflow import RECEIVING
from panhuo.finance import rollups
from panhuo.finance.debts import risk_rollups
from panhuo.finance.debts.details import DETAILS, cleaned
from panhuo.finance.debts.models import RepaymentSource
from panhuo.finance.debts.repayments import opening_entry, post_entry
from panhuo.finance.expected import paying
from panhuo.finance.models import Allocation, Debt, DebtSettlement, Receipt, ReceiptKind
from panhuo.integrity.services import audit_insert, audit_record, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, User
from panhuo.pricing.land_gates import require_land_proceeds_to_fund


def to_money(value: Any, field: str) -> Decimal:
    """Parse an amount above zero as Decimal with two places (``core.inputs.to_amount``)."""
    return to_amount(value, field)


def _default_kind(project: DisposalProject) -> str:
    return {"lease": ReceiptKind.RENT, "concession": ReceiptKind.CONCESSION_FEE}.get(
        project.channel, ReceiptKind.SALE_PRICE
    )


@retry_when_busy
def receipt_create(
    *,
    actor: User,
    project: DisposalProject,
    amount: Any,
    received_on: dt.date,
    voucher: str,
    budget_class: str,
    kind: str | None = None,
) -> Receipt:
    """Record proceeds of a concluded project; receipts never add up past the deal price.

    ``kind`` defaults from the channel (rent for a lease, a concession fee for a concession,
    else the sale price); a forfeited deposit is recorded only by forfeiting the deposit."""
    amount = to_money(amount, "amount")
    kind = kind or _default_kind(project)
    if kind not in ReceiptKind.values or kind == ReceiptKind.FORFEITED_DEPOSIT:
        raise ValidationError(
            {
                "kind": [
                    _(
                        "“%(kind)s” is not a kind of proceeds (forfeited deposits are recorded "
                        "by forfeiting the deposit)."
                    )
                    % {"kind": kind}
                ]
            }
        )
    policy.require(actor, "receipt", "create", jurisdiction=project.package.jurisdiction)
    kinds = set(project.package.items.values_list("asset__kind", flat=True))
    require_land_proceeds_to_fund(
        land_sale=kind == ReceiptKind.SALE_PRICE and kinds == {"land"},
        budget_class=budget_class,
    )
    with transaction.atomic():
        project = DisposalProject.objects.select_for_update().get(pk=project.pk)
        if project.status not in RECEIVING:
            raise ValidationError(
                {
                    "project": [
                        _(
                            "Proceeds are recorded for concluded projects and contracts in force; "
                            "%(project)s is %(project_status)s."
                        )
                        % {
                            "project": project.code,
                            "project_status": project.get_status_display().lower(),
                        }
                    ]
                }
            )
        received = paying(project.receipts.all()).aggregate(s=Sum("amount"))["s"] or Decimal("0")
        if received + amount > project.deal_price:
            raise ValidationError(
                {
                    "amount": [
                        _(
                            "%(amount)s would bring receipts to %(value)s, above the deal price "
                            "%(project_deal_price)s (%(value2)s still due)."
                        )
                        % {
                            "amount": amount,
                            "value": received + amount,
                            "project_deal_price": project.deal_price,
                            "value2": project.deal_price - received,
                        }
                    ]
                }
            )
        if received_on and received_on > timezone.localdate():
            raise ValidationError({"received_on": [_("A receipt cannot be dated in the future.")]})
        receipt = Receipt(
            project=project,
            amount=amount,
            received_on=received_on,
            voucher=(voucher or "").strip(),
            budget_class=budget_class,
            kind=kind,
            recorded_by=actor,
        )
        audit_insert(
            receipt,
            actor=actor,
            action="receipt.create",
            jurisdiction_path=project.package.jurisdiction.path,
        )
        rollups.receipt_added(receipt, project.package.jurisdiction_id)
    return receipt


DEBT_FIELDS = (
    "creditor",
    "debt_type",
    "principal",
    "rate",
    "issue_date",
    "maturity_date",
    "outstanding",
    *DETAILS,
)


def debt_create(*, actor: User, jurisdiction: Jurisdiction, data: dict[str, Any]) -> Debt:
    """Register a debt; outstanding defaults to the principal. A debt registered part-repaid
    (outstanding below the principal) gets an explicit opening entry in its repayment ledger,
    so that outstanding = principal − the ledger holds from the start."""
    unknown = sorted(set(data) - set(DEBT_FIELDS) - {"code"})
    if unknown:
        raise ValidationError({n: [_("This field cannot be set.")] for n in unknown})
    policy.require(actor, "debt", "create", jurisdiction=jurisdiction)
    data = cleaned(data)
    if data.get("principal") is not None:
        data["principal"] = to_money(data["principal"], "principal")
    if data.get("outstanding") in (None, ""):
        data["outstanding"] = data.get("principal")
    elif Decimal(str(data["outstanding"])) != 0:
        data["outstanding"] = to_money(data["outstanding"], "outstanding")
    with transaction.atomic(), risk_rollups.changing() as risk:
        debt = Debt(jurisdiction=jurisdiction, **data)
        if not debt.code:
            debt.code = next_code(Debt, "DEBT")
        audit_insert(debt, actor=actor, action="debt.create", jurisdiction_path=jurisdiction.path)
        risk.created(debt.pk)
        repaid = debt.principal - debt.outstanding
        if repaid > 0:
            # The row holds what was given (as audited); the opening entry explains the gap.
            debt.outstanding = debt.principal
            opening_entry(actor=actor, debt=debt, repaid=repaid)
        rollups.refresh_debts([jurisdiction.pk])
    return debt


@retry_when_busy
def allocation_create(
    *,
    actor: User,
    receipt: Receipt,
    debt: Debt,
    amount: Any,
    allocated_on: dt.date | None = None,
) -> Allocation:
    """Apply part of a receipt to a debt, under locks on both, or refuse naming the limit."""
    amount = to_money(amount, "amount")
    policy.require(actor, "allocation", "create", jurisdiction=debt.jurisdiction)
    with transaction.atomic():
        # Lock in a fixed order (receipt, then debt) so two allocators cannot deadlock.
        receipt = (
            Receipt.objects.select_for_update()
            .select_related("project__package__jurisdiction")
            .get(pk=receipt.pk)
        )
        debt = Debt.objects.select_for_update().select_related("jurisdiction").get(pk=debt.pk)
        if receipt.project.package.jurisdiction_id != debt.jurisdiction_id:
            raise ValidationError(
                {
                    "debt": [
                        _(
                            "Debt %(debt)s belongs to %(debt_jurisdiction)s; receipt %(receipt)s "
                            "to %(receipt_place)s."
                        )
                        % {
                            "debt": debt.code,
                            "debt_jurisdiction": debt.jurisdiction,
                            "receipt": receipt.voucher,
                            "receipt_place": receipt.project.package.jurisdiction,
                        }
                    ]
                }
            )
        if amount > receipt.amount - receipt.allocated:
            raise ValidationError(
                {
                    "amount": [
                        _("%(amount)s exceeds what is left of receipt %(receipt)s: %(value)s.")
                        % {
                            "amount": amount,
                            "receipt": receipt.voucher,
                            "value": receipt.amount - receipt.allocated,
                        }
                    ]
                }
            )
        if debt.voided_at is not None:
            raise ValidationError({"debt": [_("Debt %(debt)s is voided.") % {"debt": debt.code}]})
        if amount > debt.outstanding:
            raise ValidationError(
                {
                    "amount": [
                        _(
                            "%(amount)s exceeds the outstanding amount of debt %(debt)s: "
                            "%(debt_outstanding)s."
                        )
                        % {
                            "amount": amount,
                            "debt": debt.code,
                            "debt_outstanding": debt.outstanding,
                        }
                    ]
                }
            )
        allocated_on = allocated_on or timezone.localdate()
        if allocated_on < debt.issue_date:
            raise ValidationError(
                {
                    "allocated_on": [
                        _(
                            "%(allocated_on)s is before debt %(debt)s was issued "
                            "(%(debt_issue_date)s)."
                        )
                        % {
                            "allocated_on": allocated_on.isoformat(),
                            "debt": debt.code,
                            "debt_issue_date": debt.issue_date.isoformat(),
                        }
                    ]
                }
            )
        allocation = Allocation(
            receipt=receipt,
            debt=debt,
            amount=amount,
            allocated_on=allocated_on,
            allocated_by=actor,
        )
        audit_insert(
            allocation,
            actor=actor,
            action="allocation.create",
            jurisdiction_path=debt.jurisdiction.path,
        )
        # Both rows are locked, so their values read above are current. The new totals are
        # computed in Decimal here, not with F(): SQLite does F() arithmetic on these columns in
        # floating point (0.30 - 0.10 - 0.20 < 0), which would trip the check constraints
        # (still the last line of defence) on an exact repayment.
        Receipt.objects.filter(pk=receipt.pk).update(allocated=receipt.allocated + amount)
        before = _post_unaudited(
            actor, debt, source=RepaymentSource.DISPOSAL, amount=amount,
            repaid_on=allocation.allocated_on, document=receipt.voucher, allocation=allocation,
            date_field="allocated_on",
        )  # fmt: skip
        _audit_totals(actor, allocation, receipt, debt, receipt.allocated + amount,
                      before - amount)  # fmt: skip
        rollups.allocated(amount, _place_of(receipt), debt.jurisdiction_id)
    return allocation


def _place_of(receipt: Receipt) -> int:
    return Receipt.objects.filter(pk=receipt.pk).values_list(
        "project__package__jurisdiction_id", flat=True
    )[0]


def _post_unaudited(actor, debt, **entry) -> Decimal:
    """Post ``debt``'s ledger entry (``post_entry``) for a write that audits the balance in its
    own entries: the debt object keeps the outstanding amount it had, which those entries
    compare against, and that amount is returned."""
    before = debt.outstanding
    post_entry(actor=actor, debt=debt, audit_balance=False, **entry)
    debt.outstanding = before
    return before


def _audit_totals(actor, allocation, receipt, debt, allocated, outstanding) -> None:
    """The receipt's and the debt's control totals as the allocation left them, each in its
    own record's entries, so that `panhuo audit reconcile` replays them (integrity/reconcile.py)
    and a total changed outside the services shows."""
    for obj, name, old, new in (
        (receipt, "allocated", receipt.allocated, allocated),
        (debt, "outstanding", debt.outstanding, outstanding),
    ):
        audit_record(
            actor=actor,
            action=f"{obj._meta.model_name}.{name}",
            obj=obj,
            before={name: str(old)},
            after={name: str(new), "allocation": allocation.pk},
            jurisdiction_path=debt.jurisdiction.path,
        )


@retry_when_busy
def allocation_reverse(*, actor: User, allocation: Allocation, reason: str) -> Allocation:
    """Undo an allocation by a new, opposite entry (the ledger is never edited): the receipt
    gets the money back to allocate again and the debt's outstanding rises by the same."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("A reversal needs a written reason.")]})
    policy.require(actor, "allocation", "create", jurisdiction=allocation.debt.jurisdiction)
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().get(pk=allocation.receipt_id)
        debt = (
            Debt.objects.select_for_update()
            .select_related("jurisdiction")
            .get(pk=allocation.debt_id)
        )
        original = Allocation.objects.select_for_update().get(pk=allocation.pk)
        if original.reverses_id:
            raise ValidationError({"allocation": [_("A reversal cannot itself be reversed.")]})
        if Allocation.objects.filter(reverses=original).exists():
            raise ValidationError({"allocation": [_("This allocation is already reversed.")]})
        reversal = Allocation(
            receipt=receipt, debt=debt, amount=original.amount, reverses=original,
            reason=reason.strip()[:300], allocated_on=timezone.localdate(), allocated_by=actor,
        )  # fmt: skip
        audit_insert(
            reversal,
            actor=actor,
            action="allocation.reverse",
            jurisdiction_path=debt.jurisdiction.path,
        )
        Receipt.objects.filter(pk=receipt.pk).update(allocated=receipt.allocated - original.amount)
        before = debt.outstanding
        # Its own ledger entry, reversing the allocation's (a voided debt has none left to
        # reverse: debt_void refuses while proceeds are allocated).
        post_entry(
            actor=actor, debt=debt, source=RepaymentSource.DISPOSAL, amount=original.amount,
            repaid_on=max(reversal.allocated_on, debt.issue_date), document=receipt.voucher,
            note=reversal.reason, allocation=reversal,
            reverses=original.repayment,
            audit_balance=False,
        )  # fmt: skip
        debt.outstanding = before
        _audit_totals(actor, reversal, receipt, debt, receipt.allocated - original.amount,
                      before + original.amount)  # fmt: skip
        rollups.allocated(-original.amount, _place_of(receipt), debt.jurisdiction_id)
    return reversal


def debt_settle_non_cash(
    *, actor: User, debt: Debt, project: DisposalProject, amount: Any, on: dt.date | None = None
) -> DebtSettlement:
    """Reduce a debt by the agreed value of a debt-for-asset swap: no cash moves, the creditor
    takes the assets. The debt falls by exactly ``amount``; more than is outstanding is refused,
    so outstanding never goes negative. Called inside the swap's transition (same transaction)."""
    amount = to_money(amount, "amount")
    policy.require(actor, "allocation", "create", jurisdiction=debt.jurisdiction)
    with transaction.atomic():
        debt = Debt.objects.select_for_update().select_related("jurisdiction").get(pk=debt.pk)
        if amount > debt.outstanding:
            raise ValidationError(
                {
                    "debt": [
                        _(
                            "The agreed value %(amount)s exceeds the outstanding amount of debt "
                            "%(debt)s: %(debt_outstanding)s."
                        )
                        % {
                            "amount": amount,
                            "debt": debt.code,
                            "debt_outstanding": debt.outstanding,
                        }
                    ]
                }
            )
        settlement = DebtSettlement(
            debt=debt, project=project, amount=amount,
            settled_on=on or timezone.localdate(), settled_by=actor,
        )  # fmt: skip
        if debt.voided_at is not None:
            raise ValidationError({"debt": [_("Debt %(debt)s is voided.") % {"debt": debt.code}]})
        settlement.full_clean()
        settlement.save(force_insert=True)
        _post_unaudited(
            actor, debt, source=RepaymentSource.SWAP, amount=amount,
            repaid_on=settlement.settled_on, document=project.code, settlement=settlement,
            date_field="debt",
        )  # fmt: skip
        audit_record(
            actor=actor,
            action="debt.settle_non_cash",
            obj=settlement,
            before={"outstanding": str(debt.outstanding)},
            after={**snapshot(settlement), "outstanding": str(debt.outstanding - amount)},
            jurisdiction_path=debt.jurisdiction.path,
        )
        # And on the debt itself, so that its outstanding amount replays (audit reconcile).
        audit_record(
            actor=actor,
            action="debt.outstanding",
            obj=debt,
            before={"outstanding": str(debt.outstanding)},
            after={"outstanding": str(debt.outstanding - amount), "settlement": settlement.pk},
            jurisdiction_path=debt.jurisdiction.path,
        )
    return settlement


STRATEGIES = {
    "earliest_maturity": "Earliest maturity first",
    "highest_rate": "Highest rate first",
    "most_interest_saved": "Most interest saved",
}


def allocation_suggest(*, receipt: Receipt, debts, strategy: str, on: dt.date | None = None):
    """How a strategy would spread what is left of ``receipt`` over ``debts``: a list of
    (debt, amount), never more than is left nor more than any debt's outstanding."""
    if strategy not in STRATEGIES:
        raise ValidationError(
            {"strategy": [_("Unknown strategy “%(strategy)s”.") % {"strategy": strategy}]}
        )
    on = on or timezone.localdate()
    open_debts = [d for d in debts if d.outstanding > 0]

    def years_left(d: Debt) -> Decimal:
        return Decimal(max(1, (d.maturity_date - on).days)) / Decimal("365.25")

    keys = {
        "earliest_maturity": lambda d: (d.maturity_date, -d.rate, d.pk),
        "highest_rate": lambda d: (-d.rate, d.maturity_date, d.pk),
        # Repaying a yuan of this debt now saves rate × years left of interest.
        "most_interest_saved": lambda d: (-(d.rate * years_left(d)), d.maturity_date, d.pk),
    }
    left = receipt.amount - receipt.allocated
    plan = []
    for d in sorted(open_debts, key=keys[strategy]):
        if left <= 0:
            break
        amount = min(left, d.outstanding)
        plan.append((d, amount))
        left -= amount
    return plan


@retry_when_busy
def allocation_apply_strategy(*, actor: User, receipt: Receipt, strategy: str) -> list[Allocation]:
    """Allocate what is left of a receipt by a strategy, all in one transaction."""
    debts = (
        Debt.objects.active()
        .visible_to(actor)
        .filter(jurisdiction=receipt.project.package.jurisdiction, outstanding__gt=0)
    )
    with transaction.atomic():
        receipt = (
            Receipt.objects.select_for_update()
            .select_related("project__package__jurisdiction")
            .get(pk=receipt.pk)
        )
        plan = allocation_suggest(receipt=receipt, debts=list(debts), strategy=strategy)
        return [allocation_create(actor=actor, receipt=receipt, debt=d, amount=str(a))
                for d, a in plan]  # fmt: skip
