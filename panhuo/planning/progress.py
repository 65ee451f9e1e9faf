"""Progress of a plan, computed from the records as of a day, never typed.

- money raised: receipts received in the plan's year (up to the day) on the projects of the
  plan's jurisdiction and those below it, by quarter of receipt;
- debt resolved: allocations of receipts to the jurisdiction's debts, net of reversals, by debt
  type and quarter of allocation;
- assets activated: the assets of projects activated in the year — the deal recorded or the
  transfer made (to concluded), or the lease or concession signed (to in force) — counted once
  per project at its first activation, by holding unit, channel and quarter.

Variance is actual less target; the forecast to year end adds the pipeline: the projects
listed on the day (by their events) at their reserve (and their assets), and expected receipts
recorded by the day, not cancelled by then, due by the year's end and not yet received.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, Min, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import ExtractQuarter
from django.utils import timezone

from panhuo.disposal.models import DisposalProject, PackageItem, ProjectEvent, ProjectStatus
from panhuo.finance.expected_models import ExpectedReceipt
from panhuo.finance.models import Allocation, Receipt
from panhuo.planning.models import QUARTERS, Measure, WorkPlan

ZERO = Decimal("0.00")
#: A project is activated when it first moves from approved or listed to one of these.
ACTIVATED_FROM = (ProjectStatus.APPROVED, ProjectStatus.LISTED)
ACTIVATED_TO = (ProjectStatus.CONCLUDED, ProjectStatus.IN_FORCE)


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


@dataclass
class Line:
    """One row of the plan against its progress: a measure and its breakdown key."""

    measure: str
    key: tuple = ()
    targets: dict[int, Decimal] = field(default_factory=lambda: dict.fromkeys(QUARTERS, ZERO))
    actuals: dict[int, Decimal] = field(default_factory=lambda: dict.fromkeys(QUARTERS, ZERO))
    pipeline: Decimal = ZERO

    @property
    def target(self) -> Decimal:
        return sum(self.targets.values(), ZERO)

    @property
    def actual(self) -> Decimal:
        return sum(self.actuals.values(), ZERO)

    @property
    def variance(self) -> Decimal:
        return self.actual - self.target

    @property
    def forecast(self) -> Decimal:
        return self.actual + self.pipeline


def _window(year: int, on: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), min(on, dt.date(year, 12, 31))


def _summed(qs, where: str, day: str, year: int, on: dt.date, keys: tuple, total) -> list[dict]:
    """``total`` of the rows of ``qs`` in the jurisdiction path ``where`` dated (``day``) in
    the year up to ``on``, grouped by ``keys`` and the quarter ``q``."""
    start, end = _window(year, on)
    return list(
        qs.filter(**{f"{day}__gte": start, f"{day}__lte": end})
        .filter(**dict([where]))
        .annotate(q=ExtractQuarter(day))
        .values(*keys, "q")
        .annotate(s=Sum(total))
    )


def money_raised(path: str, year: int, on: dt.date) -> dict[int, Decimal]:
    """Receipts of the year up to ``on``, by quarter (each receipt once)."""
    where = ("project__package__jurisdiction__path__startswith", path)
    rows = _summed(Receipt.objects, where, "received_on", year, on, (), "amount")
    return {r["q"]: Decimal(r["s"]) for r in rows}


def debt_resolved(path: str, year: int, on: dt.date) -> dict[tuple[str, int], Decimal]:
    """Net allocations to the jurisdiction's debts (a reversal subtracts), by (debt type,
    quarter)."""
    signed = Case(When(reverses__isnull=True, then=F("amount")), default=-F("amount"))
    where = ("debt__jurisdiction__path__startswith", path)
    keys = ("debt__debt_type",)
    rows = _summed(Allocation.objects, where, "allocated_on", year, on, keys, signed)
    return {(r["debt__debt_type"], r["q"]): Decimal(r["s"]) for r in rows}


def activations(path: str, year: int, on: dt.date) -> dict[int, int]:
    """Project id → quarter of its first activation, if that fell in the year up to ``on``."""
    start, end = _window(year, on)
    # Each project's first activation found in the database, only those of the window read.
    first = (
        ProjectEvent.objects.filter(
            project__package__jurisdiction__path__startswith=path,
            from_status__in=ACTIVATED_FROM,
            to_status__in=ACTIVATED_TO,
        )
        .values("project_id")
        .order_by()
        .annotate(first=Min("at"))
        .filter(first__gte=_day_end(start - dt.timedelta(days=1)), first__lt=_day_end(end))
        .values_list("project_id", "first")
    )
    return {p: quarter_of(timezone.localdate(at)) for p, at in first}


def _assets_by(projects: dict[int, int]) -> dict[tuple[int, str, int], int]:
    """Assets of ``projects`` (id → quarter) counted by (unit, channel, quarter)."""
    rows = (
        PackageItem.objects.filter(package__projects__in=list(projects))
        .values("asset__unit_id", "package__projects", "package__projects__channel")
        .annotate(n=Count("asset", distinct=True))
    )
    out: dict[tuple[int, str, int], int] = defaultdict(int)
    for r in rows:
        q = projects[r["package__projects"]]
        out[(r["asset__unit_id"], r["package__projects__channel"], q)] += r["n"]
    return dict(out)


def assets_activated(path: str, year: int, on: dt.date) -> dict[tuple[int, str, int], int]:
    return _assets_by(activations(path, year, on))


def _outstanding(path: str, year_end: dt.date, on: dt.date) -> Decimal:
    """What projects are still owed by year end: per project, its expected receipts (recorded
    by ``on``, not cancelled) due by then less what it has received up to ``on`` (never below
    zero; receipts already counted as raised are not counted again). Not cancelled means not
    cancelled by the end of ``on``: a row cancelled later still counts (its ``cancelled_at``);
    one cancelled without a time counts on no day."""
    rows = ExpectedReceipt.objects.filter(
        Q(cancelled=False) | Q(cancelled_at__gte=_day_end(on)),
        project__package__jurisdiction__path__startswith=path,
        due_date__lte=year_end,
        created_at__lt=_day_end(on),
    ).order_by()
    expected = {r["project"]: r["s"] for r in rows.values("project").annotate(s=Sum("amount"))}
    # Their projects' receipts found by the same rows in the database (a province's tens of
    # thousands of project ids are not sent back to it as parameters).
    received = dict(
        Receipt.objects.filter(project__in=rows.values("project"), received_on__lte=on)
        .values("project")
        .annotate(s=Sum("amount"))
        .values_list("project", "s")
    )
    return sum((max(e - received.get(p, ZERO), ZERO) for p, e in expected.items()), ZERO)


def _day_end(on: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min))


def listed_as_of(path: str, on: dt.date):
    """The projects of the jurisdiction path listed at the end of ``on``: their last transition
    by then went to listed (read from the projects' events, so a project that concluded
    later still counts as listed on a day before)."""
    last = ProjectEvent.objects.filter(project=OuterRef("pk"), at__lt=_day_end(on))
    return (
        DisposalProject.objects.filter(package__jurisdiction__path__startswith=path)
        .annotate(then=Subquery(last.order_by("-at", "-pk").values("to_status")[:1]))
        .filter(then=ProjectStatus.LISTED)
    )


def _pipeline(path: str, year: int, on: dt.date) -> tuple[Decimal, dict[tuple[int, str], int]]:
    """Money still expected by year end (listed reserves and what projects are still owed)
    and the assets of listed projects by (unit, channel), as the records stood on ``on``."""
    # The listed projects read once (each one's last event by the day), summed here.
    listed = dict(listed_as_of(path, on).values_list("pk", "reserve_price"))
    money = sum((r for r in listed.values() if r is not None), ZERO)
    money += _outstanding(path, dt.date(year, 12, 31), on)
    assets = _assets_by(dict.fromkeys(listed, 1))
    return money, {(u, c): n for (u, c, _q), n in assets.items()}


def plan_progress(plan: WorkPlan, on: dt.date | None = None) -> list[Line]:
    """The plan's lines (money, each debt type, each unit and channel), targets against what
    the records show as of ``on`` (today by default)."""
    on = on or timezone.localdate()
    path, year = plan.jurisdiction.path, plan.year
    lines: dict[tuple, Line] = {(Measure.MONEY,): Line(Measure.MONEY)}

    def line(measure: str, *key) -> Line:
        return lines.setdefault((measure, *key), Line(measure, key))

    # The targets as tuples, not model rows (a province's plan has thousands).
    targets = plan.targets.order_by().values_list(
        "measure", "debt_type", "unit_id", "channel", "quarter", "amount"
    )
    for measure, debt_type, unit, channel, quarter, amount in targets:
        key = {Measure.DEBT: (debt_type,), Measure.ASSETS: (unit, channel)}
        line(measure, *key.get(measure, ())).targets[quarter] += amount
    for q, amount in money_raised(path, year, on).items():
        line(Measure.MONEY).actuals[q] += amount
    for (debt_type, q), amount in debt_resolved(path, year, on).items():
        line(Measure.DEBT, debt_type).actuals[q] += amount
    for (unit, channel, q), n in assets_activated(path, year, on).items():
        line(Measure.ASSETS, unit, channel).actuals[q] += n
    money, assets = _pipeline(path, year, on)
    if on < dt.date(year, 12, 31):
        line(Measure.MONEY).pipeline = money
        for (unit, channel), n in assets.items():
            line(Measure.ASSETS, unit, channel).pipeline += n
    order = Measure.values
    return sorted(
        lines.values(), key=lambda ln: (order.index(ln.measure), [str(k) for k in ln.key])
    )
