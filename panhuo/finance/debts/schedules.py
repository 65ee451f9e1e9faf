"""Repayment schedules: bullet, equal principal, annuity, or rows given by hand.

Generated schedules are exact to the fen: each period's interest is rounded half-up, and the
last row takes whatever principal the rounding left, so the rows always add up to the
principal. Hand-given rows must add up too, or they are refused naming the difference.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.db import transaction
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.core.money import CENT
from panhuo.finance.debts import risk_rollups
from panhuo.finance.debts.models import ScheduleRow
from panhuo.finance.models import Debt
from panhuo.integrity.services import audit_record
from panhuo.organisation import policy

METHODS = ("bullet", "equal_principal", "annuity", "custom")
FREQUENCIES = {"annual": 12, "semiannual": 6, "quarterly": 3, "monthly": 1}


@dataclass(frozen=True)
class Row:
    due_date: dt.date
    principal: Decimal
    interest: Decimal


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def due_dates(issue: dt.date, maturity: dt.date, months: int) -> list[dt.date]:
    """Every ``months`` from issue, the last on the maturity date itself."""
    dates, n = [], 1
    while (d := add_months(issue, months * n)) < maturity:
        dates.append(d)
        n += 1
    dates.append(maturity)
    return dates


def build_schedule(
    *,
    principal: Decimal,
    rate: Decimal,
    issue: dt.date,
    maturity: dt.date,
    method: str,
    frequency: str = "annual",
) -> list[Row]:
    """The rows of a generated schedule. ``rate`` is the annual rate in percent."""
    if method not in ("bullet", "equal_principal", "annuity"):
        raise ValidationError(
            {
                "method": [
                    _("Unknown method “%(method)s”; one of %(methods)s.")
                    % {"method": method, "methods": METHODS}
                ]
            }
        )
    if frequency not in FREQUENCIES:
        raise ValidationError(
            {"frequency": [_("Unknown frequency “%(frequency)s”.") % {"frequency": frequency}]}
        )
    if maturity <= issue:
        raise ValidationError({"maturity_date": [_("The maturity date must follow issue.")]})
    months = FREQUENCIES[frequency]
    dates = due_dates(issue, maturity, months)
    n = len(dates)
    r = Decimal(rate) / 100 * months / 12
    rows: list[Row] = []
    left = Decimal(principal)
    with localcontext() as ctx:
        ctx.prec = 34
        if method == "annuity" and r > 0:
            payment = (principal * r / (1 - (1 + r) ** -n)).quantize(CENT, ROUND_HALF_UP)
        for i, due in enumerate(dates, start=1):
            interest = (left * r).quantize(CENT, ROUND_HALF_UP)
            if i == n:
                part = left
            elif method == "bullet":
                part = Decimal("0.00")
            elif method == "equal_principal" or r == 0:
                part = (Decimal(principal) / n).quantize(CENT, ROUND_HALF_UP)
            else:
                part = payment - interest
            part = min(max(part, Decimal("0.00")), left)
            rows.append(Row(due, part, interest))
            left -= part
    return rows


def check_rows(debt: Debt, rows: list[Row]) -> None:
    """Hand-given rows: dates within the debt's life, no date twice, amounts ≥ 0, and the
    principal adding up exactly."""
    errors: dict[str, list[str]] = {}
    seen: set[dt.date] = set()
    for i, row in enumerate(rows, start=1):
        if row.due_date in seen:
            errors.setdefault(f"rows[{i}].due_date", []).append(_("This date appears twice."))
        seen.add(row.due_date)
        if not (debt.issue_date < row.due_date <= debt.maturity_date):
            errors.setdefault(f"rows[{i}].due_date", []).append(
                _(
                    "%(row_due_date)s is outside the debt's life (%(debt_issue_date)s to "
                    "%(debt_maturity_date)s)."
                )
                % {
                    "row_due_date": row.due_date,
                    "debt_issue_date": debt.issue_date,
                    "debt_maturity_date": debt.maturity_date,
                }
            )
        if row.principal < 0 or row.interest < 0:
            errors.setdefault(f"rows[{i}]", []).append(_("Amounts cannot be negative."))
    total = sum((r.principal for r in rows), Decimal("0"))
    if total != debt.principal:
        errors.setdefault("rows", []).append(
            _(
                "The rows' principal adds up to %(total)s, not the debt's "
                "%(debt_principal)s (difference %(value)s)."
            )
            % {"total": total, "debt_principal": debt.principal, "value": debt.principal - total}
        )
    if errors:
        raise ValidationError(errors)


def debt_schedule_set(
    *,
    actor,
    debt: Debt,
    method: str,
    frequency: str = "annual",
    rows: list[Row] | None = None,
) -> list[ScheduleRow]:
    """Replace a debt's schedule with a generated one or with hand-given rows."""
    policy.require(actor, "debt", "edit", jurisdiction=debt.jurisdiction)
    if method == "custom":
        rows = list(rows or [])
        check_rows(debt, rows)
    else:
        rows = build_schedule(principal=debt.principal, rate=debt.rate, issue=debt.issue_date,
                              maturity=debt.maturity_date, method=method,
                              frequency=frequency)  # fmt: skip
    with transaction.atomic(), risk_rollups.changing([debt.pk]):
        before = [[str(r.due_date), str(r.principal), str(r.interest)]
                  for r in debt.schedule.all()]  # fmt: skip
        debt.schedule.all().delete()
        debt.schedule_kind = method
        debt.schedule_frequency = "" if method == "custom" else frequency
        debt.save(update_fields=["schedule_kind", "schedule_frequency"])
        made = ScheduleRow.objects.bulk_create(
            ScheduleRow(debt=debt, due_date=r.due_date, principal=r.principal,
                        interest=r.interest)
            for r in rows
        )  # fmt: skip
        audit_record(
            actor=actor, action="debt.schedule_set", obj=debt,
            before={"schedule": before} if before else None,
            # The debt's own fields as well, so the audit log replays to its state (reconcile).
            after={"method": method, "frequency": frequency, "schedule_kind": debt.schedule_kind,
                   "schedule_frequency": debt.schedule_frequency,
                   "schedule": [[str(r.due_date), str(r.principal), str(r.interest)]
                                for r in rows]},
            jurisdiction_path=debt.jurisdiction.path,
        )  # fmt: skip
    return made
