"""Money reports across projects: overdue expected receipts, and the reconciliation per period.

Both are computed from the ledgers on every request (nothing is stored), scoped to what the
caller may read: a report can never show a figure the caller's lists would not.

Overdue: receipts of a project cover its expected receipts in due-date order (as in
``finance.expected``); an expected receipt due before today and not covered is overdue.

Reconciliation: for each period, money received (by kind and budget class), allocated to debts,
reversed, and the unallocated balance at the period's start and end. The balances are computed
from the cumulative ledgers, the flows from the period's entries, so that
``opening + received − (allocated − reversed) = closing`` is a real check, not an identity.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from panhuo.core import workdays
from panhuo.core.errors import ValidationError
from panhuo.core.money import ZERO
from panhuo.core.querying import narrowed
from panhuo.finance.expected_models import ExpectedReceipt
from panhuo.finance.models import Allocation, Receipt

# --- Overdue expected receipts ------------------------------------------------------------------


def _of(path: str) -> property:
    """A row's read-only attribute that is ``path`` (dotted) from it."""
    return property(attrgetter(path))


@dataclass(frozen=True)
class OverdueRow:
    expected: ExpectedReceipt
    paid: Decimal
    outstanding: Decimal
    #: Calendar days since the due date.
    days_overdue: int
    #: Working days of the project's jurisdiction since the due date: the lateness the README
    #: and the instalment plans state (holidays and adjusted working days counted).
    working_days_overdue: int

    project = _of("expected.project")
    jurisdiction = _of("expected.project.package.jurisdiction")
    # Flat names for the API schema.
    expected_id = _of("expected.pk")
    project_id = _of("expected.project_id")
    project_code = _of("expected.project.code")
    buyer = _of("expected.project.buyer")
    jurisdiction_id = _of("expected.project.package.jurisdiction.pk")
    jurisdiction_name = _of("expected.project.package.jurisdiction.name")
    kind = _of("expected.kind")
    label = _of("expected.label")
    due_date = _of("expected.due_date")
    amount = _of("expected.amount")


OVERDUE_ORDERINGS = {
    "working_days_overdue": lambda r: (r.working_days_overdue, r.expected.pk),
    "days_overdue": lambda r: (r.days_overdue, r.expected.pk),
    "outstanding": lambda r: (r.outstanding, r.expected.pk),
    "due_date": lambda r: (r.expected.due_date, r.expected.pk),
    "project": lambda r: (r.expected.project.code, r.expected.due_date, r.expected.pk),
    "jurisdiction": lambda r: (r.jurisdiction.name, r.expected.due_date, r.expected.pk),
}


def _jurisdiction_q(jurisdiction, path: str) -> Q:
    return Q(**{f"{path}__startswith": jurisdiction.path}) if jurisdiction is not None else Q()


def received_by_project(receipts) -> dict[int, Decimal]:
    """What each project was paid towards what it is owed."""
    from panhuo.finance.expected import paying

    rows = paying(receipts).values("project_id").annotate(s=Sum("amount"))
    return {r["project_id"]: r["s"] or ZERO for r in rows}


def overdue_receipts(
    user,
    *,
    today: dt.date,
    q: str = "",
    jurisdiction=None,
    kind: str = "",
    min_days: int | None = None,
    ordering: str = "-working_days_overdue",
) -> list[OverdueRow]:
    """Every expected receipt the caller may read that is due before ``today`` and not fully
    covered by its project's receipts, with what is still outstanding and for how long.
    ``min_days`` counts working days of the project's jurisdiction, as the lateness shown does."""
    late = (
        ExpectedReceipt.objects.visible_to(user)
        .filter(cancelled=False, due_date__lt=today)
        .filter(_jurisdiction_q(jurisdiction, "project__package__jurisdiction__path"))
    )
    late = narrowed(late, q=q, search=("project__code", "project__buyer", "label"))
    project_ids = set(late.values_list("project_id", flat=True))
    if not project_ids:
        return []
    received = received_by_project(Receipt.objects.filter(project_id__in=project_ids))
    # Rows due before today come first in due-date order, so only they need covering here.
    every_late = (
        ExpectedReceipt.objects.filter(project_id__in=project_ids, cancelled=False)
        .filter(due_date__lt=today)
        .select_related("project__package__jurisdiction")
        .order_by("project_id", "due_date", "pk")
    )
    wanted = set(late.values_list("pk", flat=True))
    left: dict[int, Decimal] = {}
    out = []
    for e in every_late:
        have = left.setdefault(e.project_id, received.get(e.project_id, ZERO))
        paid = min(e.amount, max(have, ZERO))
        left[e.project_id] = have - paid
        due = e.amount - paid
        if due <= 0 or e.pk not in wanted or (kind and e.kind != kind):
            continue
        working = workdays.working_days_between(
            e.due_date, today, jurisdiction=e.project.package.jurisdiction
        )
        if min_days is not None and working < min_days:
            continue
        out.append(OverdueRow(e, paid, due, (today - e.due_date).days, working))
    desc = ordering.startswith("-")
    key = OVERDUE_ORDERINGS.get(ordering.lstrip("-"))
    if key is None:
        desc, key = True, OVERDUE_ORDERINGS["working_days_overdue"]
    return sorted(out, key=key, reverse=desc)


# --- Reconciliation ------------------------------------------------------------------------------

GRANULARITIES = ("month", "quarter", "year")
#: A report of more periods than this is refused (it would not be read, and costs a lot).
MAX_PERIODS = 240


def _period_start(day: dt.date, granularity: str) -> dt.date:
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return dt.date(day.year, 1, 1)


def _next_start(start: dt.date, granularity: str) -> dt.date:
    months = {"month": 1, "quarter": 3, "year": 12}[granularity]
    y, m = divmod(start.month - 1 + months, 12)
    return dt.date(start.year + y, m + 1, 1)


def _label(start: dt.date, granularity: str) -> str:
    if granularity == "month":
        return f"{start:%Y-%m}"
    if granularity == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def periods(start: dt.date, end: dt.date, granularity: str) -> list[tuple[str, dt.date, dt.date]]:
    """(label, first day, last day) of each period from the one holding ``start`` to the one
    holding ``end``; refuses a bad granularity or range naming the field."""
    if granularity not in GRANULARITIES:
        raise ValidationError(
            {
                "granularity": [
                    _("“%(granularity)s” is not one of %(choices)s.")
                    % {"granularity": granularity, "choices": ", ".join(GRANULARITIES)}
                ]
            }
        )
    if end < start:
        raise ValidationError(
            {
                "end": [
                    _("The end %(end)s is before the start %(start)s.")
                    % {"end": end, "start": start}
                ]
            }
        )
    out = []
    first = _period_start(start, granularity)
    while first <= end:
        nxt = _next_start(first, granularity)
        out.append((_label(first, granularity), first, nxt - dt.timedelta(days=1)))
        if len(out) > MAX_PERIODS:
            raise ValidationError(
                {
                    "start": [
                        _("More than %(max_periods)s periods: choose a shorter range.")
                        % {"max_periods": MAX_PERIODS}
                    ]
                }
            )
        first = nxt
    return out


@dataclass
class PeriodRow:
    label: str
    start: dt.date
    end: dt.date
    opening: Decimal = ZERO
    received: Decimal = ZERO
    allocated: Decimal = ZERO
    reversed: Decimal = ZERO
    closing: Decimal = ZERO
    deposits_held: Decimal = ZERO
    received_by_kind: dict[str, Decimal] = field(default_factory=dict)
    received_by_class: dict[str, Decimal] = field(default_factory=dict)
    repaid_by_type: dict[str, Decimal] = field(default_factory=dict)

    @property
    def net_allocated(self) -> Decimal:
        """Allocated less reversed: what the period repaid."""
        return self.allocated - self.reversed

    @property
    def repaid(self) -> Decimal:
        return self.net_allocated

    @property
    def reconciles(self) -> bool:
        return self.opening + self.received - self.net_allocated == self.closing


@dataclass
class Reconciliation:
    granularity: str
    start: dt.date
    end: dt.date
    rows: list[PeriodRow]
    totals: PeriodRow

    @property
    def reconciles(self) -> bool:
        return all(r.reconciles for r in self.rows) and self.totals.reconciles


def _deposit_events(user, jurisdiction, end: dt.date) -> list[tuple]:
    """(received on, left the held state on or None, amount) of each deposit up to ``end``."""
    from panhuo.finance.deposits.models import Deposit

    qs = (
        Deposit.objects.visible_to(user)
        .filter(received_on__lte=end)
        .filter(_jurisdiction_q(jurisdiction, "project__package__jurisdiction__path"))
    )
    return list(qs.values_list("received_on", "closed_on", "amount"))


def reconciliation(
    user, *, start: dt.date, end: dt.date, granularity: str = "month", jurisdiction=None
) -> Reconciliation:
    """The reconciliation of the receipts and allocations the caller may read, per period.

    Receipts count in the period of their receipt date, allocations and reversals in that of
    their own date; a deposit is held at a period's end if it was received by then and had not
    yet been refunded, forfeited or applied."""
    spans = periods(start, end, granularity)
    last = spans[-1][2]
    receipts = list(
        Receipt.objects.visible_to(user)
        .filter(received_on__lte=last)
        .filter(_jurisdiction_q(jurisdiction, "project__package__jurisdiction__path"))
        .values_list("received_on", "amount", "kind", "budget_class")
    )
    entries = list(
        Allocation.objects.visible_to(user)
        .filter(allocated_on__lte=last)
        .filter(_jurisdiction_q(jurisdiction, "debt__jurisdiction__path"))
        .values_list("allocated_on", "amount", "reverses_id", "debt__debt_type")
    )
    deposits = _deposit_events(user, jurisdiction, last)
    rows = []
    for label, first, final in spans:
        row = PeriodRow(label, first, final)
        by_kind: dict[str, Decimal] = defaultdict(lambda: ZERO)
        by_class: dict[str, Decimal] = defaultdict(lambda: ZERO)
        by_type: dict[str, Decimal] = defaultdict(lambda: ZERO)
        cum_in_before = cum_in_to = ZERO
        for day, amount, kind, budget_class in receipts:
            if day < first:
                cum_in_before += amount
            if day <= final:
                cum_in_to += amount
            if first <= day <= final:
                row.received += amount
                by_kind[kind] += amount
                by_class[budget_class] += amount
        cum_out_before = cum_out_to = ZERO
        for day, amount, reverses, debt_type in entries:
            signed = -amount if reverses else amount
            if day < first:
                cum_out_before += signed
            if day <= final:
                cum_out_to += signed
            if first <= day <= final:
                if reverses:
                    row.reversed += amount
                else:
                    row.allocated += amount
                by_type[debt_type] += signed
        row.opening = cum_in_before - cum_out_before
        row.closing = cum_in_to - cum_out_to
        row.deposits_held = sum(
            (a for got, left, a in deposits if got <= final and (left is None or left > final)),
            ZERO,
        )
        row.received_by_kind = dict(by_kind)
        row.received_by_class = dict(by_class)
        row.repaid_by_type = dict(by_type)
        rows.append(row)
    totals = PeriodRow("total", spans[0][1], last)
    totals.opening = rows[0].opening
    totals.closing = rows[-1].closing
    totals.deposits_held = rows[-1].deposits_held
    for r in rows:
        totals.received += r.received
        totals.allocated += r.allocated
        totals.reversed += r.reversed
        for src, dst in (
            (r.received_by_kind, totals.received_by_kind),
            (r.received_by_class, totals.received_by_class),
            (r.repaid_by_type, totals.repaid_by_type),
        ):
            for k, v in src.items():
                dst[k] = dst.get(k, ZERO) + v
    return Reconciliation(granularity, spans[0][1], last, rows, totals)
