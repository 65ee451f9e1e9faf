"""The five parts of a unit's scorecard, each read from the records for every unit of a plan's
jurisdiction at once (a few queries per plan, not per unit), each scored 0–100 or ``None`` when
the period gives it nothing to score (its weight is then shared among the others).

- **completion**: the plan's asset targets of the unit in the period against what
  ``planning.progress`` counts as activated (the same function the plan's page shows; nothing
  recomputed here). Each line (unit and channel) counts up to its target, so overshooting one
  channel does not make up for another: score = Σ min(actual, target) ÷ Σ target.
- **timeliness**: the unit's projects (a project is every unit's whose assets are in its
  package) whose state on the day had a time limit to meet (``disposal.deadlines``; the
  periods one waits out are not deadlines): the share not past it on the day, and the working
  days the others were late by. For a past day the states and due dates are those the
  projects had then (``history.projects_on``: replayed from their audit entries).
- **price**: sales (auction, exchange listing, negotiated transfer) activated in the period
  (``planning.progress.activations``): Σ deal price ÷ Σ appraisal of their assets (each
  asset's latest third-party appraisal by the day, else the register's appraised value);
  score = min(ratio, 1) × 100.
- **compliance**: red flags on the unit and audit findings on it as they stood on the day:
  first seen (raised) by then, and open then, or resolved by then as rectified or referred
  (confirmed); a flag cleared by the day, or a flag or finding resolved as justified by then,
  does not count. Each costs points by severity (``PENALTY``) from 100, never below 0.
- **quality**: the unit's assets held on the day (not disposed or written off): each asset is
  checked for its required fields (``REQUIRED``), a valuation whose base date is within
  ``FRESH_MONTHS`` of the day, and, when idle or under-used, an idle date that is given and
  confirmed (the record touched) within ``FRESH_MONTHS``; score = checks passed ÷ checks. For
  today the checks are counted in the database (``_counted``: a few statements whatever the
  number of assets); for a past day the fields are those the assets had then
  (``history.assets_on``: replayed from their audit entries) and only the valuations
  recorded by then count.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Case, Max, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.core.workdays import working_days_since_each
from panhuo.disposal import deadlines
from panhuo.disposal.models import Channel, DisposalProject, PackageItem
from panhuo.findings.models import Finding, FindingStatus
from panhuo.flags.models import Flag, Resolution
from panhuo.planning.models import Measure
from panhuo.planning.progress import Line, activations
from panhuo.pricing.models import Valuation, ValuationKind
from panhuo.pricing.rules import add_months
from panhuo.register.models import Asset, AssetKind, AssetStatus
from panhuo.scorecards import history

#: The parts' names and each figure's, in the reader's language (issued cards store the keys).
PART_LABELS = {
    "completion": _("Completion against the plan"),
    "timeliness": _("Timeliness"),
    "price": _("Price realisation"),
    "compliance": _("Compliance"),
    "quality": _("Register data quality"),
}
FIGURE_LABELS = {
    "target": _("Assets to activate (target)"),
    "activated": _("Assets activated"),
    "with_deadline": _("Projects with a time limit running"),
    "on_schedule": _("On schedule"),
    "overdue": _("Overdue"),
    "days_overdue": _("Working days overdue (total)"),
    "sales": _("Sales concluded"),
    "deal_total": _("Deal prices (yuan)"),
    "appraised_total": _("Appraised values (yuan)"),
    "realisation": _("Deal ÷ appraisal"),
    "open_flags": _("Open red flags"),
    "confirmed_flags": _("Confirmed red flags"),
    "open_findings": _("Open audit findings"),
    "confirmed_findings": _("Confirmed audit findings"),
    "penalty": _("Points deducted"),
    "assets": _("Assets held"),
    "incomplete": _("Assets missing required fields"),
    "stale_valuation": _("Assets without a valuation in 12 months"),
    "stale_idle": _("Idle assets with a missing or unconfirmed idle date"),
}
ZERO = Decimal("0")
HUNDRED = Decimal("100")
#: How many records a figure lists by name (the list page behind it has all of them).
SHOWN = 10
SALES = (Channel.AUCTION, Channel.EXCHANGE, Channel.NEGOTIATED)
#: Points a flag or finding costs the compliance score, by severity.
PENALTY = {"high": 20, "medium": 10, "low": 5}
#: A valuation or an idle date older than this (months before the day) is stale (the price
#: rules' default validity of an appraisal is 12 months).
FRESH_MONTHS = 12
#: The register's fields every asset needs; land and buildings also need their area.
REQUIRED = ("address", "acquired_on", "classification_id", "appraised_value")
AREA_KINDS = (AssetKind.LAND, AssetKind.BUILDING)
GONE = (AssetStatus.DISPOSED, AssetStatus.WRITTEN_OFF)
IDLE = (AssetStatus.IDLE, AssetStatus.UNDER_USED)
ONE_DAY = dt.timedelta(days=1)


@dataclass
class Figure:
    """One figure of a part: its key (``views`` names it in the reader's language), value,
    the list page behind it and, by name, the first records behind it."""

    key: str
    value: object
    url: str = ""
    records: list[tuple[str, str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(FIGURE_LABELS.get(self.key, self.key))


@dataclass
class Part:
    name: str
    score: Decimal | None
    figures: list[Figure]
    weight: int = 0

    @property
    def label(self) -> str:
        return str(PART_LABELS.get(self.name, self.name))


def _pct(num, den) -> Decimal | None:
    if not den:
        return None
    return min(Decimal(num) * HUNDRED / Decimal(den), HUNDRED)


_STAND_IN = 987654321


def _links(name: str):
    """A function giving ``reverse(name, args=[pk])`` for a page taking one integer, reversed
    once (a province's cards link tens of thousands of records)."""
    head, found, tail = reverse(name, args=[_STAND_IN]).partition(str(_STAND_IN))
    assert found, name
    return lambda pk: f"{head}{int(pk)}{tail}"


def quarters_of(period: str) -> tuple[int, ...]:
    return (1, 2, 3, 4) if period == "Y" else (int(period[1]),)


def completion(lines: list[Line], period: str, plan_url: str) -> dict[int, Part]:
    """Per unit with asset targets: the targets of the period's quarters against the actuals
    ``plan_progress`` computed (its lines, passed in: computed once for the plan)."""
    qs = quarters_of(period)
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for ln in lines:
        if ln.measure != Measure.ASSETS or ln.key[0] is None:
            continue
        target = sum((ln.targets[q] for q in qs), ZERO)
        actual = sum((ln.actuals[q] for q in qs), ZERO)
        sums[ln.key[0]][0] += target
        sums[ln.key[0]][1] += min(actual, target)
        sums[ln.key[0]].append(actual)  # the actual beyond the target, for the figure
    out = {}
    for unit, (target, counted, *actuals) in sums.items():
        figures = [
            Figure("target", target, plan_url),
            Figure("activated", sum(actuals, ZERO), plan_url),
        ]
        out[unit] = Part("completion", _pct(counted, target), figures)
    return out


def _units_of_packages(package_ids) -> dict[int, set[int]]:
    units: dict[int, set[int]] = defaultdict(set)
    rows = PackageItem.objects.filter(package_id__in=list(package_ids)).order_by()
    # (ordered by nothing: the model's ordering would make the DISTINCT per item)
    for package, unit in rows.values_list("package_id", "asset__unit_id").distinct():
        units[package].add(unit)
    return units


def timeliness(path: str, on: dt.date) -> dict[int, Part]:
    """Per unit with projects under a time limit to meet on ``on`` (as they stood then)."""
    projects = [
        p
        for p in history.projects_on(path, on)
        if deadlines.deadline_kind(p.channel, p.status)
        and not deadlines.is_wait(p.channel, p.status)
    ]
    units = _units_of_packages({p.package_id for p in projects})
    places: dict[str, set] = defaultdict(set)
    for p in projects:
        places[p.place].add(p.due_on)
    # Every place's calendar read at once for all its projects' due dates.
    days = working_days_since_each(places, on)
    per: dict[int, list] = defaultdict(list)
    for p in projects:
        late = days[p.place][p.due_on]
        for unit in units.get(p.package_id, ()):
            per[unit].append((p, late))
    out = {}
    overdue_url = reverse("project-overdue")
    link = _links("project-detail")
    for unit, rows in per.items():
        late = [(p, days) for p, days in rows if p.due_on < on]
        named = [(f"{p.code} (+{days})", link(p.pk)) for p, days in late[:SHOWN]]
        timely = [p for p, _d in rows if p.due_on >= on][:SHOWN]
        timely = [(p.code, link(p.pk)) for p in timely]
        every = [(p.code, link(p.pk)) for p, _d in rows[:SHOWN]]
        figures = [
            Figure("with_deadline", len(rows), "", every),
            Figure("on_schedule", len(rows) - len(late), "", timely),
            Figure("overdue", len(late), overdue_url, named[:SHOWN]),
            Figure("days_overdue", sum(days for _p, days in late), overdue_url, named[:SHOWN]),
        ]
        out[unit] = Part("timeliness", _pct(len(rows) - len(late), len(rows)), figures)
    return out


def _appraised(packages, on: dt.date) -> dict[int, Decimal]:
    """Each package's appraised value: per asset, its latest third-party appraisal by ``on``
    (what the sale's price rules rested on), else the register's appraised value."""
    items = list(
        PackageItem.objects.filter(package_id__in=list(packages)).values_list(
            "package_id", "asset_id", "asset__appraised_value"
        )
    )
    latest: dict[int, Decimal] = {}
    rows = Valuation.objects.filter(
        asset_id__in=[a for _p, a, _v in items], kind=ValuationKind.APPRAISAL, base_date__lte=on
    ).order_by("asset_id", "base_date", "pk")
    for asset, value in rows.values_list("asset_id", "value"):
        latest[asset] = value
    out: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for package, asset, register in items:
        out[package] += latest.get(asset, register or ZERO)
    return dict(out)


def price(path: str, year: int, period: str, on: dt.date) -> dict[int, Part]:
    """Per unit with sales activated in the period: deal ÷ appraisal."""
    qs = quarters_of(period)
    ids = [p for p, q in activations(path, year, on).items() if q in qs]
    sales = list(
        DisposalProject.objects.filter(pk__in=ids, channel__in=SALES, deal_price__isnull=False)
        .order_by("code")
        .values("pk", "code", "package_id", "deal_price")
    )
    packages = {s["package_id"] for s in sales}
    appraised = _appraised(packages, on)
    units = _units_of_packages(packages)
    per: dict[int, list] = defaultdict(list)
    for s in sales:
        for unit in units.get(s["package_id"], ()):
            per[unit].append(s)
    out = {}
    link = _links("project-detail")
    for unit, rows in per.items():
        deal = sum((r["deal_price"] for r in rows), ZERO)
        base = sum((appraised.get(r["package_id"]) or ZERO for r in rows), ZERO)
        ratio = (deal / base).quantize(Decimal("0.0001")) if base else None
        named = [(r["code"], link(r["pk"])) for r in rows[:SHOWN]]
        figures = [
            Figure("sales", len(rows), "", named[:SHOWN]),
            Figure("deal_total", deal, "", named[:SHOWN]),
            Figure("appraised_total", base, "", named[:SHOWN]),
            Figure("realisation", ratio, "", named[:SHOWN]),
        ]
        out[unit] = Part("price", _pct(deal, base), figures)
    return out


def compliance(path: str, on: dt.date, unit_ids) -> dict[int, Part]:
    """Per unit (every one of ``unit_ids``: no flag and no finding scores 100), the flags and
    findings as they stood at the end of ``on`` (see the module doc)."""
    end = history.end_of(on)
    flags = (
        Flag.objects.filter(unit__jurisdiction__path__startswith=path, first_seen__lt=end)
        .exclude(cleared_at__lt=end)
        .exclude(resolved_at__lt=end, resolution=Resolution.JUSTIFIED)
        .order_by("-severity", "pk")
        .values("pk", "unit_id", "severity", "resolved_at", "subject_label", "rule")
    )
    findings = (
        Finding.objects.filter(unit__jurisdiction__path__startswith=path, raised_at__lt=end)
        .exclude(resolved_at__lt=end, status=FindingStatus.JUSTIFIED)
        .order_by("pk")
        .values("pk", "unit_id", "severity", "resolved_at", "code")
    )
    per: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for f in flags:
        then = "open_flags" if f["resolved_at"] is None or f["resolved_at"] >= end else (
            "confirmed_flags"
        )  # fmt: skip
        per[f["unit_id"]][then].append((f, f"{f['subject_label']} · {f['rule']}", "flag-detail"))
    for f in findings:
        then = "open_findings" if f["resolved_at"] is None or f["resolved_at"] >= end else (
            "confirmed_findings"
        )  # fmt: skip
        per[f["unit_id"]][then].append((f, f["code"], "finding-detail"))
    # The lists behind the figures show the records' state now (the named ones are the day's).
    lists = {
        "open_flags": f"{reverse('flag-list')}?status=open&unit=",
        "confirmed_flags": f"{reverse('flag-list')}?status=resolved&resolution=confirmed&unit=",
        "open_findings": f"{reverse('finding-list')}?state=open&unit=",
        "confirmed_findings": f"{reverse('finding-list')}?state=confirmed&unit=",
    }
    out = {}
    links = {name: _links(name) for name in ("flag-detail", "finding-detail")}
    for unit in unit_ids:
        got = per.get(unit, {})
        points = sum(PENALTY.get(r[0]["severity"], 10) for rows in got.values() for r in rows)
        figures = []
        for key, url in lists.items():
            rows = got.get(key, [])
            named = [(label, links[name](r["pk"])) for r, label, name in rows[:SHOWN]]
            figures.append(Figure(key, len(rows), url + str(unit), named))
        figures.append(Figure("penalty", points))
        out[unit] = Part("compliance", max(HUNDRED - points, ZERO), figures)
    return out


def _missing(a: dict) -> bool:
    needed = REQUIRED + (("area",) if a["kind"] in AREA_KINDS else ())
    return any(a[f] in (None, "") for f in needed)


#: Register quality's checks that fail, each an asset's figure (its count and first records).
CHECKS = ("incomplete", "stale_valuation", "stale_idle")


def _listed(path: str, on: dt.date) -> dict[int, dict]:
    """A past day's figures per unit: the assets as the replay of their audit entries leaves
    them (``history.assets_on``), checked one by one."""
    assets = history.assets_on(path, on, leave_out=GONE)
    latest = dict(
        Valuation.objects.filter(
            asset__unit__jurisdiction__path__startswith=path,
            base_date__lte=on,
            created_at__lt=history.end_of(on),
        )
        .values("asset_id")
        .annotate(d=Max("base_date"))
        .values_list("asset_id", "d")
    )
    since = add_months(on, -FRESH_MONTHS)
    per: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for a in assets:
        got = per[a["unit_id"]]
        got["assets"].append(a)
        got["incomplete"].extend([a] if _missing(a) else [])
        base = latest.get(a["pk"])
        got["stale_valuation"].extend([a] if base is None or base < since else [])
        if a["status"] in IDLE:
            got["idle"].append(a)
            stale = a["idle_since"] is None or a["touched"] < since
            got["stale_idle"].extend([a] if stale else [])
    return {
        unit: {"assets": len(got["assets"]), "idle": len(got["idle"])}
        | {k: (len(got[k]), [(r["pk"], r["code"]) for r in got[k][:SHOWN]]) for k in CHECKS}
        for unit, got in per.items()
    }


def _counted(path: str, on: dt.date) -> dict[int, dict]:
    """Today's figures per unit, the same checks counted in the database with the first
    ``SHOWN`` records of each by code, in one statement whatever the number of assets: the
    held assets read once (each check a 0/1 column; the fresh valuations joined as one
    set of asset ids, not looked up asset by asset), then counted per unit and, for each
    check, only its failing assets numbered per unit."""
    since = add_months(on, -FRESH_MONTHS)
    fresh = (
        Valuation.objects.filter(
            base_date__gte=since,
            base_date__lte=on,
            created_at__lt=history.end_of(on),
            asset__unit__jurisdiction__path__startswith=path,
        )
        .order_by()  # (the model's ordering would make the DISTINCT per valuation, not asset)
        .values("asset_id")
        .distinct()
    )
    incomplete = Q(kind__in=AREA_KINDS, area__isnull=True) | Q(address="")
    for name in REQUIRED:
        incomplete |= Q(**{f"{name}__isnull": True})
    flags = {
        "idle": Q(status__in=IDLE),
        "incomplete": incomplete,
        # Touched (written) before the day ``since`` began: its last write a day before it.
        "stale_idle": Q(status__in=IDLE)
        & (Q(idle_since__isnull=True) | Q(updated_at__lt=history.end_of(since - ONE_DAY))),
    }
    held = (
        Asset.objects.filter(unit__jurisdiction__path__startswith=path)
        .exclude(status__in=GONE)
        .annotate(**{k: Case(When(q, then=1), default=0) for k, q in flags.items()})
        .values("id", "unit_id", "code", *flags)
        .order_by()
    )
    fresh_sql, fresh_params = fresh.query.sql_with_params()
    held_sql, held_params = held.query.sql_with_params()
    firsts = " UNION ALL ".join(
        f"SELECT '{key}', unit_id, id, 0, 0, 0, 0, code FROM (SELECT unit_id, id, code, "  # noqa: S608 (our names)
        f"ROW_NUMBER() OVER (PARTITION BY unit_id ORDER BY code, id) AS n FROM held "
        f"WHERE {key} = 1) f{i} WHERE n <= {SHOWN}"
        for i, key in enumerate(CHECKS)
    )
    sql = (
        f"WITH fresh AS ({fresh_sql}), held AS (SELECT h.id, h.unit_id, h.code, h.idle, "  # noqa: S608 (the ORM's SQL)
        "h.incomplete, h.stale_idle, CASE WHEN fresh.asset_id IS NULL THEN 1 ELSE 0 END "
        f"AS stale_valuation FROM ({held_sql}) h LEFT JOIN fresh ON fresh.asset_id = h.id) "
        "SELECT '', unit_id, COUNT(*), SUM(idle), SUM(incomplete), SUM(stale_valuation), "
        f"SUM(stale_idle), '' FROM held GROUP BY unit_id UNION ALL {firsts} ORDER BY 1, 2, 8, 3"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*fresh_params, *held_params))
        rows = cursor.fetchall()
    out: dict[int, dict] = {}
    for key, unit, n, idle, incomplete_n, stale_valuation, stale_idle, _code in rows:
        if not key:
            counts = zip(CHECKS, (incomplete_n, stale_valuation, stale_idle), strict=True)
            out[unit] = {"assets": n, "idle": int(idle)} | {k: (int(c), []) for k, c in counts}
    for key, unit, pk, *_n, code in rows:  # by check, unit, code and id
        if key:
            out[unit][key][1].append((pk, code))
    return out


def quality_figures(path: str, on: dt.date, *, replay: bool = False) -> dict[int, dict]:
    """Per unit holding assets on ``on``: ``assets`` and ``idle`` (counts) and, for each of
    ``CHECKS``, (count, the first records as (pk, code)). For today (or later) counted in the
    database from the rows as they are; for a past day (or with ``replay``) from the assets as
    their audit entries leave them at the end of the day (the same figures for today: a test
    holds them to it)."""
    if replay or on < timezone.localdate():
        return _listed(path, on)
    return _counted(path, on)


def quality(path: str, on: dt.date) -> dict[int, Part]:
    """Per unit holding assets on ``on``: completeness and freshness of its register, as the
    register stood on the day (``quality_figures``)."""
    out = {}
    assets, link = reverse("asset-list"), _links("asset-detail")
    for unit, got in quality_figures(path, on).items():
        checks = 2 * got["assets"] + got["idle"]
        failed = sum(got[k][0] for k in CHECKS)
        url = f"{assets}?unit={unit}"
        figures = [Figure("assets", got["assets"], url)] + [
            Figure(k, got[k][0], url, [(code, link(pk)) for pk, code in got[k][1]]) for k in CHECKS
        ]
        out[unit] = Part("quality", _pct(checks - failed, checks), figures)
    return out
