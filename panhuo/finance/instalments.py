"""Payment plans of concluded sales: in full within 5 working days, or ≥ 30 % down and the rest
within a year, with interest (Order 32 art. 28; the thresholds are the jurisdiction's price
rules, checked by ``pricing.rules.payment_terms_ok`` in its working days).

The deferred part bears interest at no less than the reference rate (the price rules'
``reference_rate_pct``, the 1-year LPR by default) and is secured by a guarantee, pledge or
mortgage the seller accepted (gates ``deferred_interest_low`` and ``deferred_security_missing``,
``pricing.gates.require_deferred_terms``). The terms are recorded (``DeferredTerms``) and the
interest each instalment carries — simple interest on the balance still deferred, from the
previous due date — is added to the expected receipts as its own row on the instalment's date.

A plan is recorded as the project's expected receipts of kind "instalment": the down payment
first, then the instalments. Setting a plan replaces the open plan (the old rows are kept,
marked cancelled), so the ledger of what was expected stays readable. Receipts cover the rows
in due-date order (``finance.expected``); a row due before today and not covered is overdue,
and how late it is is counted in the jurisdiction's working days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core import workdays
from panhuo.core.errors import ValidationError
from panhuo.core.inputs import to_date
from panhuo.disposal.models import Channel, DisposalProject, ProjectStatus
from panhuo.finance import expected
from panhuo.finance.expected_models import (
    DeferredSecurityKind,
    DeferredTerms,
    ExpectedKind,
    ExpectedReceipt,
)
from panhuo.finance.services import to_money
from panhuo.integrity.services import audit_record
from panhuo.organisation import policy
from panhuo.organisation.models import User
from panhuo.pricing import rules
from panhuo.pricing.gates import deferred_interest, require_deferred_terms

#: The channels whose deal is a sale paid by the buyer (Order 32 art. 28 applies).
SALE_CHANNELS = frozenset({Channel.AUCTION, Channel.EXCHANGE, Channel.NEGOTIATED})
#: The channel step records one row of the whole price; a plan replaces it.
MAX_ROWS = 24
RATE_MAX = Decimal("100")

#: The rows a payment plan replaces: the deal's payment in full or an earlier plan's.
PLAN_KINDS = (ExpectedKind.PAYMENT, ExpectedKind.INSTALMENT)


@dataclass(frozen=True)
class PlanRow:
    due_date: dt.date
    amount: Decimal
    #: The row's place in what the caller gave (the plan is kept sorted by date), so that a
    #: refusal names the row the caller wrote, not its place after sorting.
    row: int = 0


def _rate(value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValidationError({"interest_rate": [_("Give the rate as decimal text, not a float.")]})
    try:
        rate = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {"interest_rate": [_("“%(value)s” is not a rate.") % {"value": value}]}
        ) from None
    if (
        not rate.is_finite()
        or rate < 0
        or rate > RATE_MAX
        or rate != rate.quantize(Decimal("0.001"))
    ):
        raise ValidationError(
            {"interest_rate": [_("The rate is a percentage from 0 to 100 with at most 3 places.")]}
        )
    return rate


def parse_rows(rows: Any) -> list[PlanRow]:
    """The rows as (due date, amount), in due-date order; a bad row is named by its index."""
    if not isinstance(rows, list | tuple) or not rows:
        raise ValidationError({"rows": [_("A plan has at least one row (the payment in full).")]})
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            {"rows": [_("A plan has at most %(max_rows)s rows.") % {"max_rows": MAX_ROWS}]}
        )
    out = []
    for i, row in enumerate(rows):
        get = row.get if isinstance(row, dict) else (lambda k, r=row: getattr(r, k, None))
        due = to_date(get("due_date"), f"rows[{i}].due_date")
        out.append(PlanRow(due, to_money(get("amount"), f"rows[{i}].amount"), i))
    days = [r.due_date for r in out]
    if len(set(days)) != len(days):
        raise ValidationError({"rows": [_("Two rows fall due on the same day; merge them.")]})
    return sorted(out, key=lambda r: r.due_date)


_FIELD = {"down_payment": "amount", "down_paid_on": "due_date", "payment": "due_date"}


def check_plan(
    project: DisposalProject,
    plan: list[PlanRow],
    *,
    deal_date: dt.date,
    interest_rate,
    security_kind: str = "",
    security_reference: str = "",
) -> None:
    """Refuse a plan that breaks the payment rule, naming the row and field."""
    price = project.deal_price
    total = sum((r.amount for r in plan), Decimal("0.00"))
    if total != price:
        raise ValidationError(
            {
                "rows": [
                    _("The rows add up to %(total)s, not the deal price %(price)s.")
                    % {"total": f"{total:,}", "price": f"{price:,}"}
                ]
            }
        )
    first, last = plan[0], plan[-1]
    if first.due_date < deal_date:
        raise ValidationError(
            {
                f"rows[{first.row}].due_date": [
                    _("%(first_due_date)s is before the deal (%(deal_date)s).")
                    % {"first_due_date": first.due_date, "deal_date": deal_date}
                ]
            }
        )
    t = rules.thresholds_for_project(project)
    if len(plan) == 1:
        breach = rules.payment_terms_ok(
            price=price, deal_date=deal_date, t=t, paid_in_full_on=first.due_date,
            jurisdiction=project.jurisdiction,
        )  # fmt: skip
    else:
        breach = rules.payment_terms_ok(
            price=price, deal_date=deal_date, t=t, down_payment=first.amount,
            down_paid_on=first.due_date, rest_due_on=last.due_date,
            jurisdiction=project.jurisdiction,
        )  # fmt: skip
        if breach is None:
            require_deferred_terms(
                rate_pct=interest_rate,
                security=(security_kind or "") and (security_reference or "").strip(),
                t=t,
            )
            if security_kind not in DeferredSecurityKind.values:
                raise ValidationError(
                    {
                        "security_kind": [
                            _(
                                "Unknown security “%(security_kind)s”; one of "
                                "%(deferredsecuritykind_values)s."
                            )
                            % {
                                "security_kind": security_kind,
                                "deferredsecuritykind_values": DeferredSecurityKind.values,
                            }
                        ]
                    }
                )
    if breach is not None:
        index = last.row if breach.field == "rest_due_on" else first.row
        field = f"rows[{index}].{_FIELD.get(breach.field, 'due_date')}"
        raise ValidationError(
            {
                field: [
                    _("[%(rule)s] %(message)s") % {"rule": breach.rule, "message": breach.message}
                ]
            }
        )


def deal_date(project: DisposalProject) -> dt.date:
    """The day the deal was recorded (the project entered "concluded" then)."""
    return project.state_since or timezone.localdate()


def instalment_plan_set(
    *,
    actor: User,
    project: DisposalProject,
    rows: Any,
    interest_rate: Any = None,
    security_kind: str = "",
    security_reference: str = "",
) -> list[ExpectedReceipt]:
    """Record how the buyer of a concluded sale pays: one row (in full) or a down payment and
    instalments with interest (not below the reference rate) and a security, the interest
    added to the expected receipts. Replaces the project's open plan; refuses a plan breaking
    the payment rule, naming the row and field, with nothing written."""
    policy.require(actor, "receipt", "create", jurisdiction=project.jurisdiction)
    plan = parse_rows(rows)
    rate = None if interest_rate in (None, "") else _rate(interest_rate)
    with transaction.atomic():
        project = project.locked()
        if project.channel not in SALE_CHANNELS:
            raise ValidationError(
                {
                    "project": [
                        _("Payment plans are for sales; %(project)s is a %(project_channel)s.")
                        % {
                            "project": project.code,
                            "project_channel": project.get_channel_display().lower(),
                        }
                    ]
                }
            )
        if project.status != ProjectStatus.CONCLUDED:
            raise ValidationError(
                {
                    "project": [
                        _(
                            "A payment plan is set between the deal and the payment in full; "
                            "%(project)s is %(project_status)s."
                        )
                        % {
                            "project": project.code,
                            "project_status": project.get_status_display().lower(),
                        }
                    ]
                }
            )
        check_plan(
            project, plan, deal_date=deal_date(project), interest_rate=rate,
            security_kind=security_kind, security_reference=security_reference,
        )  # fmt: skip
        old = ExpectedReceipt.objects.filter(project=project, cancelled=False, kind__in=PLAN_KINDS)
        before = [(str(e.due_date), str(e.amount)) for e in old]
        old.update(cancelled=True, cancelled_at=timezone.now())
        DeferredTerms.objects.filter(project=project, cancelled=False).update(cancelled=True)
        n = len(plan)
        made = []
        for i, r in enumerate(plan):
            kind = ExpectedKind.PAYMENT if n == 1 else ExpectedKind.INSTALMENT
            if n == 1:
                label = ""  # the kind says it, in the reader's language
            elif i == 0:
                label = "Down payment"
            else:
                label = f"Instalment {i} of {n - 1}" + (f" (interest {rate} %)" if rate else "")
            e = ExpectedReceipt(
                project=project, due_date=r.due_date, amount=r.amount, kind=kind, label=label,
            )  # fmt: skip
            e.full_clean()
            e.save(force_insert=True)
            made.append(e)
        interest = []
        if n > 1:
            interest = deferred_interest([(r.due_date, r.amount) for r in plan], rate)
            for i, (due, amount) in enumerate(interest, start=1):
                e = ExpectedReceipt(
                    project=project, due_date=due, amount=amount,
                    kind=ExpectedKind.INSTALMENT, label=f"Interest {i} ({rate} % a year)",
                )  # fmt: skip
                e.full_clean()
                e.save(force_insert=True)
                made.append(e)
            terms = DeferredTerms(
                project=project,
                interest_rate=rate,
                reference_rate=rules.thresholds_for_project(project).reference_rate_pct,
                security_kind=security_kind,
                security_reference=security_reference.strip(),
                interest_total=sum((a for _d, a in interest), Decimal("0.00")),
                recorded_by=actor if getattr(actor, "pk", None) else None,
            )
            terms.full_clean()
            terms.save(force_insert=True)
        audit_record(
            actor=actor,
            action="instalment_plan.set",
            obj=project,
            before={"rows": before},
            after={
                "rows": [(str(r.due_date), str(r.amount)) for r in plan],
                "interest_rate": None if rate is None else str(rate),
                **(
                    {
                        "security": f"{security_kind}: {security_reference.strip()}",
                        "interest": [(str(d), str(a)) for d, a in interest],
                    }
                    if n > 1
                    else {}
                ),
            },
            jurisdiction_path=project.jurisdiction.path,
        )
    return made


@dataclass(frozen=True)
class PlanLine:
    line: expected.Line
    working_days_late: int

    @property
    def overdue(self) -> bool:
        return self.line.overdue


def plan_lines(project: DisposalProject, *, today: dt.date) -> list[PlanLine]:
    """The project's live instalment rows with what covers each and how many working days
    (of the jurisdiction's calendar) an overdue one is late."""
    out = []
    for line in expected.lines(project, today=today):
        if line.expected.kind not in PLAN_KINDS:
            continue
        late = 0
        if line.overdue:
            late = workdays.working_days_between(
                line.expected.due_date, today, jurisdiction=project.jurisdiction
            )
        out.append(PlanLine(line, late))
    return out
