"""The risk indicators' roll-ups (README, "Roll-ups"): what ``indicators.compute`` adds up over
the active debts, kept per jurisdiction so that a province's indicators from today on sum a few
thousand rows instead of 100,000 debts and a million schedule rows.

* ``DebtRiskRollup`` — per type, liability class and rate type: count, outstanding, Σ
  outstanding × rate (the balances, their split and the weighted rate);
* ``DebtDueRollup`` / ``DebtDueMonthRollup`` / ``DebtDueYearRollup`` — per type and due date
  (and per due month, per due year): the
  principal still to be paid (each schedule row's remainder, ``indicators._remaining_rows``; a
  debt without a schedule: its outstanding at maturity), Σ of it × days, the rows' interest and
  a full year's interest of the debts without a schedule.

Every figure is a sum over debts, so ``changing(debt_ids)`` keeps them by *delta*: each debt's
contribution before the write and after it, added under the place's lock in the write's
transaction (a debt write costs reading that debt's schedule, not the place's). ``sums``
reads them for a date: years wholly before the date's year or after the year of a year later
come from the year rows, the other months of those years from the month rows, the two months
that hold the dates from the day rows, and the
debts without a schedule maturing within the year (their interest is for part of it, rounded
per debt) from the debts themselves.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When

from panhuo.core import rollups
from panhuo.finance.debts.indicators import DebtFacts, Sums, _bullet_interest, _remaining_rows
from panhuo.finance.debts.system import BROAD_CLASSES, STATUTORY_CLASSES, default_class
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction
from panhuo.organisation.rollups import per_place

EPOCH = dt.date(2000, 1, 1)
#: The products are kept as whole numbers (``rollup_models._scaled_total``): outstanding ×
#: rate has five decimals, an amount two.
RATE_UNIT = 100_000
FEN_UNIT = 100
ZERO = Decimal(0)
RISK_FIGURES = ("n", "outstanding", "rate_weighted")
DUE_FIGURES = ("left", "left_days", "interest", "bullet_interest")
#: Debts per query when reading contributions (SQLite's parameter limit is far above).
CHUNK = 2000


def _models():
    from panhuo.finance.debts.models import ScheduleRow
    from panhuo.finance.models import Debt

    return Debt, ScheduleRow


def contributions(debt_ids: Iterable[int] | None, jurisdiction_ids: Iterable[int] | None = None,
                  *, models=None) -> dict[str, dict[tuple, dict[str, Any]]]:  # fmt: skip
    """Each roll-up's rows as the active debts ``debt_ids`` (or those of ``jurisdiction_ids``;
    every debt when both are None) add them up. ``models``: (Debt, ScheduleRow), a migration's."""
    debt_model, row_model = models or _models()
    qs = debt_model.objects.filter(voided_at__isnull=True).order_by()
    if debt_ids is not None:
        qs = qs.filter(pk__in=list(debt_ids))
    if jurisdiction_ids is not None:
        qs = qs.filter(jurisdiction_id__in=list(jurisdiction_ids))
    debts = list(qs.values_list("pk", "jurisdiction_id", "debt_type", "liability_class",
                                "rate_type", "principal", "outstanding", "rate",
                                "maturity_date"))  # fmt: skip
    schedule: dict[int, list] = defaultdict(list)
    ids = [d[0] for d in debts]
    for start in range(0, len(ids), CHUNK):
        for debt_id, due, p, i in row_model.objects.filter(
            debt_id__in=ids[start : start + CHUNK]
        ).values_list("debt_id", "due_date", "principal", "interest"):
            schedule[debt_id].append((due, p, i))
    out: dict[str, dict[tuple, dict[str, Any]]] = {
        "debt_risk": defaultdict(lambda: dict.fromkeys(RISK_FIGURES, ZERO)),
        "debt_due": defaultdict(lambda: dict.fromkeys(DUE_FIGURES, ZERO)),
        "debt_due_month": defaultdict(lambda: dict.fromkeys(DUE_FIGURES, ZERO)),
        "debt_due_year": defaultdict(lambda: dict.fromkeys(DUE_FIGURES, ZERO)),
    }
    for pk, j, kind, klass, rate_type, principal, outstanding, rate, maturity in debts:
        risk = out["debt_risk"][(j, kind, klass or default_class(kind), rate_type)]
        risk["n"] += 1
        risk["outstanding"] += outstanding
        risk["rate_weighted"] += int(outstanding * rate * RATE_UNIT)
        facts = DebtFacts(kind, principal, outstanding, rate, rate_type, maturity,
                          tuple(schedule.get(pk, ())))  # fmt: skip
        if facts.schedule:
            due_rows = [(due, left, interest, ZERO)
                        for due, _p, interest, left in _remaining_rows(facts)]  # fmt: skip
        else:
            year = _bullet_interest(facts, maturity - dt.timedelta(days=365))
            due_rows = [(maturity, outstanding, ZERO, year)]
        for due, left, interest, year in due_rows:
            for name, when in (("debt_due", due), ("debt_due_month", due.replace(day=1)),
                               ("debt_due_year", due.year)):  # fmt: skip
                cell = out[name][(j, kind, when)]
                cell["left"] += left
                cell["left_days"] += int(left * FEN_UNIT) * (due - EPOCH).days
                cell["interest"] += interest
                cell["bullet_interest"] += year
    return out


def _compute(name: str):
    def compute(ids: list[int] | None):
        # One pass over the debts for all four when a command rebuilds or verifies them all.
        key = ("debt_risk_contributions", None if ids is None else tuple(ids))
        rows = rollups.shared(key, lambda: contributions(None, ids))[name]
        fields = KEYS[name]
        return [{**dict(zip(fields, k, strict=True)), **v} for k, v in rows.items()]

    return compute


KEYS = {
    "debt_risk": ("jurisdiction_id", "debt_type", "liability_class", "rate_type"),
    "debt_due": ("jurisdiction_id", "debt_type", "due_date"),
    "debt_due_month": ("jurisdiction_id", "debt_type", "month"),
    "debt_due_year": ("jurisdiction_id", "debt_type", "year"),
}


def _register():
    from panhuo.finance.models import (
        DebtDueMonthRollup,
        DebtDueRollup,
        DebtDueYearRollup,
        DebtRiskRollup,
    )

    made = {}
    for name, model, figures in (("debt_risk", DebtRiskRollup, RISK_FIGURES),
                                 ("debt_due", DebtDueRollup, DUE_FIGURES),
                                 ("debt_due_month", DebtDueMonthRollup, DUE_FIGURES),
                                 ("debt_due_year", DebtDueYearRollup, DUE_FIGURES)):  # fmt: skip
        made[name] = per_place(name, model, figures, _compute(name))
    return made


ROLLUPS = _register()


# --- keeping them ------------------------------------------------------------------------------


class _Tracker:
    """The debts one write changes and their contributions before it."""

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.before: dict[str, dict[tuple, dict[str, Any]]] = {n: {} for n in ROLLUPS}

    def track(self, ids: Iterable[int | None], *, created: bool = False) -> None:
        new = {i for i in ids if i is not None} - self.ids
        if not new:
            return
        self.ids |= new
        if created:
            return  # nothing counted yet
        for name, rows in contributions(new).items():
            for k, v in rows.items():
                cell = self.before[name].setdefault(k, dict.fromkeys(v, ZERO))
                for f, x in v.items():
                    cell[f] += x

    def created(self, *ids: int) -> None:
        """Debts made inside the write: they counted nowhere before it."""
        self.track(ids, created=True)

    def apply(self) -> None:
        after = contributions(self.ids) if self.ids else {n: {} for n in ROLLUPS}
        for name, rollup in ROLLUPS.items():
            deltas: dict[tuple, dict[str, Any]] = {}
            for k in set(after[name]) | set(self.before[name]):
                a, b = after[name].get(k, {}), self.before[name].get(k, {})
                d = {f: a.get(f, ZERO) - b.get(f, ZERO) for f in rollup.figures}
                if any(d.values()):
                    deltas[k] = d
            if deltas:
                rollups.add(rollup, deltas)


_local = threading.local()


@contextmanager
def changing(debt_ids: Iterable[int | None] = ()) -> Iterator[_Tracker]:
    """Around a write to debts (their balance, terms, schedule, class, voiding, creation —
    ``tracker.created(pk)`` for a debt made inside): their roll-up rows move by what the write
    changed, in its transaction. Nested calls join the outermost, which applies once."""
    outer = getattr(_local, "tracker", None)
    if outer is not None:
        outer.track(debt_ids)
        yield outer
        return
    tracker = _local.tracker = _Tracker()
    try:
        tracker.track(debt_ids)
        yield tracker
        tracker.apply()
    finally:
        _local.tracker = None


# --- reading them ------------------------------------------------------------------------------


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _summed(qs, keys: tuple[str, ...], figures: tuple[str, ...]) -> list[dict[str, Any]]:
    """The rows of ``qs`` summed per ``keys``, exactly: in the database on PostgreSQL
    (numeric), in Python on SQLite (which would add decimals as floats)."""
    from django.db import connections
    from django.db.models import Sum

    if connections[qs.db].vendor == "postgresql":
        return list(qs.values(*keys).annotate(**{f"{f}_": Sum(f) for f in figures}).order_by()
                    .values(*keys, *(f"{f}_" for f in figures)))  # fmt: skip
    out: dict[tuple, dict[str, Any]] = {}
    for row in qs.values(*keys, *figures).order_by():
        cell = out.setdefault(tuple(row[k] for k in keys),
                              {**{k: row[k] for k in keys},
                               **{f"{f}_": ZERO for f in figures}})  # fmt: skip
        for f in figures:
            cell[f"{f}_"] += row[f]
    return list(out.values())


#: Below this many debts in scope the debts themselves are read instead of the due-date rows
#: (a district's few hundred debts have more month rows than debts: bench/province.py). Since
#: the roll-ups are read from covering indexes the crossing is lower: the full province's
#: district of 1,027 debts took 89-95 ms read from its debts and 36-45 ms from the roll-ups,
#: quiet (docs/benchmarks.md); the debts cost about 0.09 ms each, the roll-ups' reads ~35 ms.
FEW_DEBTS = 500


def sums(user, jurisdiction, as_of: dt.date, few: int | None = None) -> Sums | None:
    """``indicators.compute``'s sums over every active debt the user may view in
    ``jurisdiction`` and below, on ``as_of`` with today's balances (issue dates not looked
    at: the caller takes out debts issued later); None when the scope holds fewer than
    ``few`` (``FEW_DEBTS``) debts: reading those is cheaper."""
    from panhuo.finance.debts.models import ScheduleRow
    from panhuo.finance.models import (
        Debt,
        DebtDueMonthRollup,
        DebtDueRollup,
        DebtDueYearRollup,
        DebtRiskRollup,
    )

    # The places first (a hundred in a province), then each roll-up by their ids: the rows are
    # read from their indexes without a join to the jurisdictions per row.
    places = list(
        Jurisdiction.objects.filter(policy.scope_q(user, "debt", "view", path="path"))
        .filter(path__startswith=jurisdiction.path)
        .values_list("pk", flat=True)
    )
    scope = Q(jurisdiction_id__in=places)
    s = Sums()
    keys = ("debt_type", "liability_class", "rate_type")
    for r in _summed(DebtRiskRollup.objects.filter(scope), keys, RISK_FIGURES):
        kind, klass, outstanding = r["debt_type"], r["liability_class"], r["outstanding_"]
        s.debts += r["n_"]
        s.outstanding += outstanding
        s.rate_weighted += Decimal(r["rate_weighted_"]) / RATE_UNIT
        if r["rate_type"] == "fixed":
            s.fixed += outstanding
        if klass in STATUTORY_CLASSES:
            s.government_debt += outstanding
            if kind == "general_bond":
                s.general_debt += outstanding
            elif kind == "special_bond":
                s.special_debt += outstanding
        if klass in BROAD_CLASSES:
            s.broad_debt += outstanding
    if s.debts < (FEW_DEBTS if few is None else few):
        return None
    year_end = as_of + dt.timedelta(days=365)
    first, last = _month(as_of), _month(year_end)
    ends = Q(month=first) | Q(month=last)
    # Whole years from the year rows; the months of the (one or two) years that hold the
    # boundary months from the month rows; those two months from the day rows.
    years = DebtDueYearRollup.objects.filter(scope).exclude(
        year__gte=first.year, year__lte=last.year
    )
    months = (
        DebtDueMonthRollup.objects.filter(scope)
        .filter(month__gte=dt.date(first.year, 1, 1), month__lt=dt.date(last.year + 1, 1, 1))
        .exclude(ends)
    )
    # The two boundary months' day rows, each month a range of the date's index.
    edges = [DebtDueRollup.objects.filter(scope, due_date__gte=m, due_date__lt=_next_month(m))
             for m in (first, last)]  # fmt: skip
    at = (as_of - EPOCH).days
    # Each part summed per type and side of the two dates (``PAST`` …), not per date: the
    # figures' use depends only on the side (a year before the date's is wholly past, one
    # after a year later's wholly beyond it; so are the months outside the two boundary ones).
    parts = (
        (years, _sides("year", (PAST, None, first.year), (BEYOND, last.year, None))),
        (months, _sides("month", (PAST, None, first), (WITHIN, first, last),
                        (BEYOND, last, None))),
        *((qs, _sides("due_date", (PAST, None, as_of + ONE_DAY), (WITHIN, as_of, year_end),
                      (YEAR_END, year_end - ONE_DAY, year_end + ONE_DAY),
                      (BEYOND, year_end, None)))
          for qs in edges),
    )  # fmt: skip
    for qs, side in parts:
        for r in _summed(qs.annotate(side=side), ("debt_type", "side"), DUE_FIGURES):
            when = (as_of, as_of + ONE_DAY, year_end, year_end + ONE_DAY)[r["side"]]
            _add_due(s, r["debt_type"], when, r, as_of, year_end, at)
    # Debts without a schedule maturing within the year: interest for the days they live.
    bullets = (
        Debt.objects.active().filter(scope).order_by()
        .filter(maturity_date__gt=as_of, maturity_date__lt=year_end)
        .exclude(Exists(ScheduleRow.objects.filter(debt=OuterRef("pk"))))
        .values_list("debt_type", "outstanding", "rate", "maturity_date")
    )  # fmt: skip
    for kind, outstanding, rate, maturity in bullets:
        interest = _bullet_interest(
            DebtFacts(kind, outstanding, outstanding, rate, "", maturity), as_of
        )
        _interest(s, kind, interest)
    return s


ONE_DAY = dt.timedelta(days=1)
#: The sides of the date and a year later a due date falls on: on or before the date (overdue),
#: between the two, on the year's end, after it. ``_add_due`` is given one day of each.
PAST, WITHIN, YEAR_END, BEYOND = range(4)


def _sides(field: str, *sides: tuple) -> Case:
    """Which side of the two dates a row's ``field`` falls on: ``sides`` are (side, low,
    high), the open interval of the side, None unbounded."""
    whens = []
    for side, low, high in sides:
        q = Q()
        if low is not None:
            q &= Q(**{f"{field}__gt": low})
        if high is not None:
            q &= Q(**{f"{field}__lt": high})
        whens.append(When(q, then=Value(side)))
    return Case(*whens, output_field=IntegerField())


def _next_month(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1)


def _interest(s: Sums, kind: str, amount: Decimal) -> None:
    s.interest_next_year += amount
    if kind == "general_bond":
        s.interest_general += amount
    elif kind == "special_bond":
        s.interest_special += amount


def _add_due(s: Sums, kind: str, when: dt.date, r: dict, as_of, year_end, at: int) -> None:
    """One (type, date) cell: a due date, or a month wholly on one side of each boundary."""
    left = r["left_"]
    if when <= as_of:
        s.overdue += left
        return
    s.ahead += left
    s.ahead_days += Decimal(r["left_days_"]) / FEN_UNIT - left * at
    if when <= year_end:
        s.within_year += left
        _interest(s, kind, r["interest_"])
    if when >= year_end:
        _interest(s, kind, r["bullet_interest_"])
