"""What a report says, as plain data: its title and sections of rows, computed from the records
as of the report's date and never from anything stored since.

Every figure comes from the functions the pages use — the plan's progress
(``planning.progress``), the debt indicators (``finance.debts.indicators``), the project's
events, documents and approvals — so a report cannot disagree with the page showing the same
thing. Money is kept in yuan, exactly (a string of the Decimal); the files show it in 万元
(``capitals.wan``) with totals also in capitals. The same data renders to XLSX and to PDF and
is stored with the report, so regenerating a report and comparing the data proves its figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from panhuo.disposal.models import Channel
from panhuo.finance.models import Allocation, DebtType, Receipt
from panhuo.organisation.models import Jurisdiction, Unit
from panhuo.planning import progress
from panhuo.planning.models import Measure, PlanStatus, WorkPlan

ZERO = Decimal("0.00")
#: The monthly report's layout. 2: the targets and the assets tables end with the forecast to
#: year end, with a note saying what it adds. 1: without them, as the reports generated before
#: there was a forecast (their stored figures name no layout) are computed again.
MONTHLY_LAYOUT = 2
#: A cell's kind: text, money in yuan (shown in 万元), a count, a percentage.
TEXT, MONEY, COUNT, PCT = "text", "money", "count", "pct"


@dataclass
class Section:
    heading: str
    columns: list[str]
    kinds: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def add(self, *cells) -> None:
        self.rows.append([_cell(c) for c in cells])


@dataclass
class Content:
    """A report's data: rendered by ``xlsx`` and ``pdf``, stored as the report's figures."""

    kind: str
    title: str
    period: str
    as_of: str
    issuer: str
    empty: bool = False
    sections: list[Section] = field(default_factory=list)
    #: The amount the document states in capitals (yuan), and what it is.
    total_label: str = ""
    total: str | None = None
    notes: list[str] = field(default_factory=list)
    #: The language it was written in (a check computes it again in the same one).
    language: str = ""
    #: The monthly report's layout (``MONTHLY_LAYOUT``); None for the other kinds.
    layout: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value.quantize(ZERO))
    return str(value)


def issuer_of(place: Jurisdiction) -> str:
    return _("%(place)s Asset Activation and Debt Resolution Task Force Office") % {
        "place": place.name
    }


def _pct(part: Decimal, whole: Decimal) -> str:
    return f"{(Decimal(part) * 100 / whole).quantize(Decimal('0.1'))}" if whole else ""


def _any_records(path: str, on: dt.date) -> bool:
    """Whether the place has any money or activation on record up to ``on``."""
    return (
        Receipt.objects.filter(
            project__package__jurisdiction__path__startswith=path, received_on__lte=on
        ).exists()
        or Allocation.objects.filter(
            debt__jurisdiction__path__startswith=path, allocated_on__lte=on
        ).exists()
    )


def _debt_label(code: str) -> str:
    return str(DebtType(code).label) if code in DebtType.values else code


def _channel_label(code: str) -> str:
    return str(Channel(code).label) if code in Channel.values else code


def plan_as_of(place: Jurisdiction, year: int) -> WorkPlan | None:
    """The plan in force for the year: the approved one (a report measures against it)."""
    return WorkPlan.objects.filter(
        jurisdiction=place, year=year, status=PlanStatus.APPROVED
    ).first()


def _forecast_note() -> str:
    return _(
        "The forecast to year end is the plan page's: what is done so far, plus the projects "
        "listed on the report's date at their reserve and what projects are still owed by the "
        "year's end (and the assets of the listed projects)."
    )


def _month_start(on: dt.date) -> dt.date:
    return on.replace(day=1)


def monthly(
    place: Jurisdiction, on: dt.date, plan: WorkPlan | None = None, layout: int = MONTHLY_LAYOUT
) -> Content:
    """The monthly progress report: the plan's targets against progress to ``on``, the
    month's and the year's proceeds, and the debts resolved, by type; in ``layout``."""
    forecast = layout >= 2
    year, path = on.year, place.path
    plan = plan or plan_as_of(place, year)
    content = Content(
        kind="monthly",
        title=_("Monthly progress report on asset activation and debt resolution, %(month)s")
        % {"month": _("%(year)s-%(month)s") % {"year": year, "month": f"{on.month:02d}"}},
        period=f"{year}-{on.month:02d}",
        as_of=on.isoformat(),
        issuer=issuer_of(place),
        empty=not _any_records(path, on),
        layout=layout,
    )
    targets = Section(
        _("Targets against progress (year to date)"),
        [
            _("Measure"),
            _("Breakdown"),
            _("Annual target"),
            _("Actual"),
            _("Completion %"),
            _("Variance"),
            *[_("Forecast to year end")][:forecast],
        ],
        [TEXT, TEXT, MONEY, MONEY, PCT, MONEY, *[MONEY][:forecast]],
    )
    assets = Section(
        _("Assets activated against target (year to date)"),
        [_("Unit"), _("Channel"), _("Annual target"), _("Actual"), _("Completion %"),
         *[_("Forecast to year end")][:forecast]],
        [TEXT, TEXT, COUNT, COUNT, PCT, *[COUNT][:forecast]],
    )  # fmt: skip
    if plan is None:
        content.notes.append(
            _("%(place)s has no approved work plan for %(year)s: no targets to measure against.")
            % {"place": place.name, "year": year}
        )
    else:
        lines = progress.plan_progress(plan, on)
        units = dict(Unit.objects.filter(jurisdiction__path__startswith=path)
                     .values_list("pk", "name"))  # fmt: skip
        for ln in lines:
            if ln.measure == Measure.ASSETS:
                unit, channel = ln.key
                assets.add(units.get(unit, unit), _channel_label(channel), int(ln.target),
                           int(ln.actual), _pct(ln.actual, ln.target),
                           *[int(ln.forecast)][:forecast])  # fmt: skip
                continue
            label = Measure(ln.measure).label
            detail = _debt_label(ln.key[0]) if ln.measure == Measure.DEBT else ""
            targets.add(label, detail, ln.target, ln.actual, _pct(ln.actual, ln.target),
                        ln.variance, *[ln.forecast][:forecast])  # fmt: skip
        if forecast:
            content.notes.append(_forecast_note())
    content.sections += [targets, assets]
    before = _month_start(on) - dt.timedelta(days=1)
    raised = sum(progress.money_raised(path, year, on).values(), ZERO)
    raised_before = sum(progress.money_raised(path, year, before).values(), ZERO)
    money = Section(_("Proceeds"), [_("Period"), _("Money raised")], [TEXT, MONEY])
    money.add(_("This month"), raised - raised_before)
    money.add(_("Year to date"), raised)
    content.sections.append(money)
    content.sections.append(_debts_resolved(path, year, on, before))
    content.total_label = _("Money raised, year to date")
    content.total = _cell(raised)
    return content


def _debts_resolved(path: str, year: int, on: dt.date, before: dt.date) -> Section:
    debts = Section(_("Debts resolved"), [_("Debt type"), _("This month"), _("Year to date")],
                    [TEXT, MONEY, MONEY])  # fmt: skip
    now, then = progress.debt_resolved(path, year, on), progress.debt_resolved(path, year, before)
    by_type: dict[str, list[Decimal]] = {}
    for (debt_type, _q), amount in now.items():
        by_type.setdefault(debt_type, [ZERO, ZERO])[1] += amount
    for (debt_type, _q), amount in then.items():
        by_type.setdefault(debt_type, [ZERO, ZERO])[0] += amount
    total_month = total_year = ZERO
    for debt_type, (earlier, year_total) in sorted(by_type.items()):
        debts.add(_debt_label(debt_type), year_total - earlier, year_total)
        total_month += year_total - earlier
        total_year += year_total
    debts.add(_("Total"), total_month, total_year)
    return debts


def work_report(place: Jurisdiction, on: dt.date) -> Content:
    """The tables of the government work report for the year to ``on``: assets activated (by
    unit and channel), proceeds by quarter, debts resolved by type and quarter."""
    year, path = on.year, place.path
    content = Content(
        kind="work_report",
        title=_(
            "Tables of the government work report: asset activation and debt resolution, %(year)s"
        )
        % {"year": year},
        period=str(year),
        as_of=on.isoformat(),
        issuer=issuer_of(place),
        empty=not _any_records(path, on),
    )
    units = dict(Unit.objects.filter(jurisdiction__path__startswith=path).values_list("pk", "name"))
    counted: dict[tuple[int, str], int] = {}
    for (unit, channel, _q), n in progress.assets_activated(path, year, on).items():
        counted[(unit, channel)] = counted.get((unit, channel), 0) + n
    assets = Section(_("Table 1. Assets activated"), [_("Unit"), _("Channel"), _("Assets")],
                     [TEXT, TEXT, COUNT])  # fmt: skip
    for (unit, channel), n in sorted(counted.items(), key=lambda kv: (str(units.get(kv[0][0])),
                                                                      kv[0][1])):  # fmt: skip
        assets.add(units.get(unit, unit), _channel_label(channel), n)
    assets.add(_("Total"), "", sum(counted.values()))
    raised = progress.money_raised(path, year, on)
    money = Section(_("Table 2. Proceeds"), [_("Quarter"), _("Money raised")], [TEXT, MONEY])
    for q in progress.QUARTERS:
        money.add(_("Q%(q)s") % {"q": q}, raised.get(q, ZERO))
    total = sum(raised.values(), ZERO)
    money.add(_("Total"), total)
    resolved = progress.debt_resolved(path, year, on)
    debts = Section(
        _("Table 3. Debts resolved"),
        [_("Debt type"), *(_("Q%(q)s") % {"q": q} for q in progress.QUARTERS), _("Total")],
        [TEXT, MONEY, MONEY, MONEY, MONEY, MONEY],
    )
    for debt_type in sorted({t for t, _q in resolved}):
        row = [resolved.get((debt_type, q), ZERO) for q in progress.QUARTERS]
        debts.add(_debt_label(debt_type), *row, sum(row, ZERO))
    sums = [sum((v for (_t, q), v in resolved.items() if q == k), ZERO) for k in progress.QUARTERS]
    debts.add(_("Total"), *sums, sum(sums, ZERO))
    content.sections += [assets, money, debts]
    content.total_label = _("Money raised, year to date")
    content.total = _cell(total)
    return content
