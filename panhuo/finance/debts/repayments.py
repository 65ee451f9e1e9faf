"""A debt's repayment ledger: recording entries from every source, reversing them, voiding a
debt entered by mistake, and reading the balance on any date.

One truth: ``Debt.outstanding`` = principal − the net of the debt's ``Repayment`` entries. Every
write that moves the balance goes through :func:`post_entry` under a lock on the debt, in the
caller's transaction: a manual repayment (budget, refinancing bond, write-off), an allocation of
disposal proceeds and its reversal (``finance.services``), a debt-for-asset swap, and the opening
entry of a debt registered part-repaid. The database holds the balance within [0, principal];
the services refuse anything that would leave it, naming the field, before writing anything.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import (
    Case,
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.busy import retry_when_busy
from panhuo.core.errors import ValidationError
from panhuo.core.inputs import to_amount
from panhuo.finance import rollups
from panhuo.finance.debts import risk_rollups
from panhuo.finance.debts.models import MANUAL_SOURCES, Repayment, RepaymentSource
from panhuo.finance.models import Allocation, Debt
from panhuo.integrity.services import audit_insert, audit_record
from panhuo.organisation import policy
from panhuo.organisation.models import User


def _refuse_voided(debt: Debt) -> None:
    if debt.voided_at is not None:
        raise ValidationError(
            {
                "debt": [
                    _(
                        "Debt %(debt)s is voided (%(debt_void_reason)s); nothing is recorded "
                        "against a voided debt."
                    )
                    % {"debt": debt.code, "debt_void_reason": debt.void_reason}
                ]
            }
        )


def post_entry(
    *,
    actor: User,
    debt: Debt,
    source: str,
    amount: Decimal,
    repaid_on: dt.date,
    document: str = "",
    note: str = "",
    allocation: Allocation | None = None,
    settlement=None,
    reverses: Repayment | None = None,
    date_field: str = "repaid_on",
    audit_balance: bool = True,
) -> Repayment:
    """Append one entry to the ledger of ``debt`` (locked by the caller, inside its transaction)
    and move ``outstanding`` by it. Refuses, before writing, an entry on a voided debt, dated
    before issue, or taking the balance below zero (or above the principal, for a reversal).

    ``audit_balance``: also append the debt's ``outstanding`` entry (callers that already audit
    the balance themselves, as an allocation does, pass False)."""
    _refuse_voided(debt)
    if repaid_on < debt.issue_date:
        raise ValidationError(
            {
                date_field: [
                    _("%(repaid_on)s is before debt %(debt)s was issued (%(debt_issue_date)s).")
                    % {
                        "repaid_on": repaid_on.isoformat(),
                        "debt": debt.code,
                        "debt_issue_date": debt.issue_date.isoformat(),
                    }
                ]
            }
        )
    new = debt.outstanding + amount if reverses is not None else debt.outstanding - amount
    if new < 0:
        raise ValidationError(
            {
                "amount": [
                    _(
                        "%(amount)s exceeds the outstanding amount of debt %(debt)s: "
                        "%(debt_outstanding)s."
                    )
                    % {"amount": amount, "debt": debt.code, "debt_outstanding": debt.outstanding}
                ]
            }
        )
    if new > debt.principal:
        raise ValidationError(
            {
                "amount": [
                    _(
                        "Reversing %(amount)s would take debt %(debt)s above its principal "
                        "%(debt_principal)s."
                    )
                    % {"amount": amount, "debt": debt.code, "debt_principal": debt.principal}
                ]
            }
        )
    entry = Repayment(
        debt=debt, source=source, amount=amount, repaid_on=repaid_on,
        document=(document or "").strip()[:200], note=(note or "").strip()[:300],
        allocation=allocation, settlement=settlement, reverses=reverses,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    audit_insert(
        entry,
        actor=actor,
        action="repayment.reverse" if reverses is not None else "repayment.create",
        jurisdiction_path=debt.jurisdiction.path,
    )
    # Decimal arithmetic, not F(): SQLite does F() arithmetic on these columns in floats.
    with risk_rollups.changing([debt.pk]):
        Debt.objects.filter(pk=debt.pk).update(outstanding=new, version=F("version") + 1)
    rollups.refresh_debts([debt.jurisdiction_id])
    if audit_balance:
        audit_record(
            actor=actor,
            action="debt.outstanding",
            obj=debt,
            before={"outstanding": str(debt.outstanding)},
            after={"outstanding": str(new), "repayment": entry.pk},
            jurisdiction_path=debt.jurisdiction.path,
        )
    debt.outstanding = new
    return entry


def _locked(debt: Debt) -> Debt:
    return Debt.objects.select_for_update().select_related("jurisdiction").get(pk=debt.pk)


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                {field: [_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}]}
            ) from None
    if not isinstance(value, dt.date):
        raise ValidationError({field: [_("A date is required.")]})
    if value > timezone.localdate():
        raise ValidationError({field: [_("A repayment cannot be dated in the future.")]})
    return value


@retry_when_busy
def repayment_create(
    *,
    actor: User,
    debt: Debt,
    source: str,
    amount: Any,
    repaid_on: Any,
    document: str,
    note: str = "",
) -> Repayment:
    """Record a repayment from the budget, from refinancing bond proceeds, or a write-off by
    agreement, with the document that shows it. Disposal proceeds are recorded by allocating a
    receipt and swaps by the swap, so that each reduction has one entry."""
    if source not in [s.value for s in MANUAL_SOURCES]:
        raise ValidationError(
            {
                "source": [
                    _(
                        "“%(source)s” is not recorded here: give one of %(choices)s (disposal "
                        "proceeds are allocated from a receipt, swaps are made by the swap)."
                    )
                    % {"source": source, "choices": ", ".join(s.value for s in MANUAL_SOURCES)}
                ]
            }
        )
    amount = to_amount(amount, "amount")
    repaid_on = _date(repaid_on, "repaid_on")
    if not (document or "").strip():
        raise ValidationError({"document": [_("Name the document that shows the repayment.")]})
    policy.require(actor, "debt", "edit", jurisdiction=debt.jurisdiction)
    with transaction.atomic():
        return post_entry(
            actor=actor, debt=_locked(debt), source=source, amount=amount,
            repaid_on=repaid_on, document=document, note=note,
        )  # fmt: skip


@retry_when_busy
def repayment_reverse(*, actor: User, repayment: Repayment, reason: str) -> Repayment:
    """Undo a repayment recorded by hand (or an opening entry) with an opposite entry dated
    today; the original stays. Disposal proceeds are undone by reversing the allocation."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("A reversal needs a written reason.")]})
    policy.require(actor, "debt", "edit", jurisdiction=repayment.debt.jurisdiction)
    with transaction.atomic():
        debt = _locked(repayment.debt)
        original = Repayment.objects.select_for_update().get(pk=repayment.pk)
        if original.source not in [*MANUAL_SOURCES, RepaymentSource.OPENING]:
            raise ValidationError(
                {
                    "repayment": [
                        _(
                            "Disposal proceeds are undone by reversing the allocation; a swap "
                            "cannot be undone here."
                        )
                    ]
                }
            )
        if original.reverses_id:
            raise ValidationError({"repayment": [_("A reversal cannot itself be reversed.")]})
        if Repayment.objects.filter(reverses=original).exists():
            raise ValidationError({"repayment": [_("This repayment is already reversed.")]})
        return post_entry(
            actor=actor, debt=debt, source=original.source, amount=original.amount,
            repaid_on=max(timezone.localdate(), debt.issue_date), document=original.document,
            note=reason, reverses=original,
        )  # fmt: skip


def opening_entry(*, actor: User, debt: Debt, repaid: Decimal, on: dt.date | None = None):
    """The explicit record of what a debt registered part-repaid had already repaid (inside the
    registration's transaction, the debt inserted at its full principal)."""
    on = max(on or timezone.localdate(), debt.issue_date)
    return post_entry(
        actor=actor, debt=debt, source=RepaymentSource.OPENING, amount=repaid, repaid_on=on,
        note="repaid before registration", audit_balance=False,
    )  # fmt: skip


@retry_when_busy
def debt_void(*, actor: User, debt: Debt, reason: str) -> Debt:
    """Void a debt entered by mistake: kept, marked with who, when and why, and excluded from
    lists, indicators and allocation targets from then on. Never deleted.

    Refused while proceeds are allocated to it or a swap settled it: that money went somewhere
    real, so the allocation is reversed first (and the swap cannot have been a mistake)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the debt is voided.")]})
    policy.require(actor, "debt", "edit", jurisdiction=debt.jurisdiction)
    with transaction.atomic():
        debt = _locked(debt)
        _refuse_voided(debt)
        entries = Repayment.objects.filter(debt=debt)
        if entries.filter(source=RepaymentSource.DISPOSAL).net_total() != 0:
            raise ValidationError(
                {
                    "debt": [
                        _(
                            "Proceeds are allocated to debt %(debt)s: reverse the allocations "
                            "before voiding it."
                        )
                        % {"debt": debt.code}
                    ]
                }
            )
        if entries.filter(source=RepaymentSource.SWAP).exists():
            raise ValidationError(
                {
                    "debt": [
                        _("A swap settled part of debt %(debt)s; it cannot be voided.")
                        % {"debt": debt.code}
                    ]
                }
            )
        now = timezone.now()
        with risk_rollups.changing([debt.pk]):
            Debt.objects.filter(pk=debt.pk).update(
                voided_at=now, voided_by=actor, void_reason=reason[:300],
                version=F("version") + 1,
            )  # fmt: skip
        audit_record(
            actor=actor,
            action="debt.void",
            obj=debt,
            before={"voided_at": None, "voided_by": None, "void_reason": ""},
            after={
                "voided_at": now.isoformat(),
                "voided_by": actor.pk,
                "void_reason": reason[:300],
            },
            jurisdiction_path=debt.jurisdiction.path,
        )
        rollups.refresh_debts([debt.jurisdiction_id])
    debt.refresh_from_db()
    return debt


# --- reads ------------------------------------------------------------------------------------


def repayment_list(user, *, debt: int | None = None, source: str = "") -> QuerySet[Repayment]:
    """The ledger entries the reader may see, newest first."""
    qs = Repayment.objects.visible_to(user).select_related(
        "debt", "recorded_by", "allocation__receipt", "settlement__project", "reverses"
    )
    if debt is not None:
        qs = qs.filter(debt_id=debt)
    if source:
        qs = qs.filter(source=source)
    return qs


def _signed_sum_until(on: dt.date):
    """Subquery: the net repaid on a debt up to and including ``on``."""
    money = DecimalField(max_digits=18, decimal_places=2)
    signed = Case(When(reverses__isnull=True, then=F("amount")), default=-F("amount"),
                  output_field=money)  # fmt: skip
    return Coalesce(
        Subquery(
            Repayment.objects.filter(debt=OuterRef("pk"), repaid_on__lte=on)
            .order_by()
            .values("debt")
            .annotate(s=Sum(signed))
            .values("s")[:1],
            output_field=money,
        ),
        Value(Decimal("0.00")),
        output_field=money,
    )


def with_outstanding_as_of(debt_qs: QuerySet[Debt], on: dt.date) -> QuerySet[Debt]:
    """``debt_qs`` as the ledger stood at the end of ``on``: debts issued after it left out,
    voided debts left out, each annotated ``outstanding_on`` = principal − the net repaid by
    then. One SQL statement (PostgreSQL exact; SQLite sums in floats, so for exact sums there use
    :func:`outstanding_as_of`)."""
    return (
        debt_qs.filter(voided_at__isnull=True, issue_date__lte=on)
        .annotate(repaid_on_date=_signed_sum_until(on))
        .annotate(outstanding_on=F("principal") - F("repaid_on_date"))
    )


def outstanding_as_of(debt_qs: QuerySet[Debt], on: dt.date) -> dict[int, Decimal]:
    """Each debt of ``debt_qs`` issued by ``on`` (and not voided) with its outstanding amount at
    the end of ``on``: principal less the entries dated on or before it. Summed in Decimal, so
    exact on every database. Repayments and reversals dated later are ignored."""
    debts = dict(
        debt_qs.filter(voided_at__isnull=True, issue_date__lte=on)
        .order_by()
        .values_list("pk", "principal")
    )
    rows = Repayment.objects.filter(debt_id__in=list(debts), repaid_on__lte=on).values_list(
        "debt_id", "amount", "reverses_id"
    )
    for debt_id, amount, reverses in rows:
        debts[debt_id] -= -amount if reverses else amount
    return debts


def ledger_mismatches(debt_qs: QuerySet[Debt]) -> list[tuple[str, Decimal, Decimal]]:
    """Debts whose stored outstanding differs from principal − their ledger: (code, stored,
    from the ledger). Empty when the one truth holds."""
    today = dict(debt_qs.order_by().values_list("pk", "principal"))
    for debt_id, amount, reverses in Repayment.objects.filter(debt_id__in=list(today)).values_list(
        "debt_id", "amount", "reverses_id"
    ):
        today[debt_id] -= -amount if reverses else amount
    return [
        (code, stored, today[pk])
        for pk, code, stored in debt_qs.order_by("code").values_list("pk", "code", "outstanding")
        if stored != today[pk]
    ]
