"""The figures the price and process rules share, read for many records at once: each
project's deal day, each package's appraisal on a day, each package's holding unit.

``figures.py`` reads them for one record (a page, a test); a rule running over a whole
province reads them here with a few queries in all, not a few per project (at province size,
50,000 projects, the per-project reads took twenty minutes a run). Each function gives the
same answer for a record as its one-record counterpart in ``figures.py`` or
``pricing.selectors`` (``test_engine`` checks the rules agree both ways)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from panhuo.core.money import CENT, ZERO
from panhuo.disposal.channel_models import ListingRound
from panhuo.disposal.models import PackageItem, ProjectEvent
from panhuo.finance.expected_models import ExpectedReceipt
from panhuo.finance.models import Receipt, ReceiptKind
from panhuo.organisation.models import Unit
from panhuo.pricing.models import Valuation, ValuationKind
from panhuo.pricing.selectors import PackageAppraisal

#: Records judged per batch (their ids one ``IN`` list): memory stays bounded at any size.
CHUNK = 2000


def chunks(rows: Iterable, size: int = CHUNK) -> Iterator[list]:
    """``rows`` (a queryset streamed, or any iterable) in lists of ``size``."""
    if isinstance(rows, QuerySet):
        rows = rows.iterator(chunk_size=size)
    it = iter(rows)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def deal_days(ids: list[int]) -> dict[int, dt.date]:
    """Per project of ``ids``: the day its deal was struck, as ``figures.deal_day`` — its last
    sold round's end, else its last conclude step's day, else today."""
    days: dict[int, dt.date | None] = {}
    rounds = (
        ListingRound.objects.filter(project__in=ids, result="sold")
        .order_by("project_id", "-number")
        .values_list("project_id", "ended_on")
    )
    for pid, ended in rounds.iterator(chunk_size=CHUNK):
        days.setdefault(pid, ended)
    out = {pid: day for pid, day in days.items() if day}
    rest = [pid for pid in ids if pid not in out]  # no sold round's end: the conclude step
    events = (
        ProjectEvent.objects.filter(project__in=rest, to_status="concluded")
        .order_by("project_id", "-at", "-pk")
        .values_list("project_id", "at")
    )
    for pid, at in events.iterator(chunk_size=CHUNK) if rest else ():
        if pid not in out:
            out[pid] = timezone.localdate(at)
    today = timezone.localdate()
    return defaultdict(lambda: today, out)


def appraisals(wanted: list[tuple[object, int, dt.date]]) -> dict[object, PackageAppraisal]:
    """For each ``(key, package id, day)`` of ``wanted``: the package's appraisal on that day, as
    ``pricing.selectors.package_appraisal`` gives it (each asset's latest appraisal then, valid
    or not; the total None when an asset had none), by key."""
    packages = sorted({package_id for _key, package_id, _day in wanted})
    items: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = (
        PackageItem.objects.filter(package__in=packages)
        .order_by("package_id", "asset__code")
        .values_list("package_id", "asset_id", "asset__code")
    )
    for package_id, asset_id, code in rows.iterator(chunk_size=CHUNK):
        items[package_id].append((asset_id, code))
    history: dict[int, list[Valuation]] = defaultdict(list)  # latest first
    valuations = (
        Valuation.objects.filter(
            kind=ValuationKind.APPRAISAL,
            asset__in=PackageItem.objects.filter(package__in=packages).values("asset_id"),
        )
        .select_related("asset")
        .order_by("asset_id", "-base_date", "-pk")
    )
    for v in valuations.iterator(chunk_size=CHUNK):
        history[v.asset_id].append(v)
    out = {}
    for key, package_id, day in wanted:
        assets = items.get(package_id, [])
        latest = {a: next((v for v in history.get(a, ()) if v.base_date <= day), None)
                  for a, _code in assets}  # fmt: skip
        missing = [code for a, code in assets if latest[a] is None]
        total = None
        if assets and not missing:
            total = sum((v.value for v in latest.values()), Decimal(0))
        out[key] = PackageAppraisal(total, latest, missing)
    return out


def units_of_packages(package_ids: Iterable[int]) -> dict[int, Unit | None]:
    """Per package: its holding unit when all its assets share one, else None (as
    ``figures.unit_of``)."""
    ids = sorted(set(package_ids))
    found: dict[int, set[int]] = defaultdict(set)
    for chunk in chunks(ids):
        rows = PackageItem.objects.filter(package__in=chunk).values_list(
            "package_id", "asset__unit_id"
        )
        for package_id, unit_id in rows.distinct():
            found[package_id].add(unit_id)
    units = Unit.objects.in_bulk({next(iter(u)) for u in found.values() if len(u) == 1})
    return {pk: units[next(iter(found[pk]))] if len(found.get(pk, ())) == 1 else None for pk in ids}


def with_units(pending: list) -> list:
    """``pending``: (hit, package id) pairs; the hits with their holding unit set, read for all
    of them at once."""
    units = units_of_packages(package_id for _hit, package_id in pending)
    for hit, package_id in pending:
        hit.unit = units[package_id]
    return [hit for hit, _package_id in pending]


def kinds_of_packages(package_ids: Iterable[int]) -> dict[int, set[str]]:
    """Per package: the kinds of its assets (empty for none)."""
    ids = sorted(set(package_ids))
    found: dict[int, set[str]] = {pk: set() for pk in ids}
    for chunk in chunks(ids):
        rows = PackageItem.objects.filter(package__in=chunk).values_list(
            "package_id", "asset__kind"
        )
        for package_id, kind in rows.distinct():
            found[package_id].add(kind)
    return found


def arrears(projects: QuerySet, *, today: dt.date) -> dict[int, tuple[Decimal, dt.date]]:
    """Per project of ``projects`` (a queryset of their ids) in arrears: what is due and unpaid
    before ``today`` and since when, as ``finance.expected.arrears`` (its receipts those
    ``finance.expected.paying`` counts: not a forfeited deposit) — matched in the database, in
    one statement.

    ``finance.expected.lines`` pays a project's expected receipts (not cancelled, by due date
    then id) from its receipts' total R, in order: one whose running sum C (itself included)
    is at most R is paid, one whose C - amount is at least R is wholly unpaid, the one between
    has C - R left. So the unpaid part of each is ``min(amount, C - R)`` where C > R, and the
    ones due before ``today`` come first in that order: a window's running sum over them,
    kept where it passes the receipts, gives every unpaid late line and nothing else. Python
    adds those up (to the cent: SQLite sums decimals as floats)."""
    scope_sql, scope_params = projects.order_by().values("pk").query.sql_with_params()
    expected, receipts = ExpectedReceipt._meta.db_table, Receipt._meta.db_table
    sql = f"""
        WITH late AS (
            SELECT e.project_id, e.amount, e.due_date,
                   SUM(e.amount) OVER (PARTITION BY e.project_id ORDER BY e.due_date, e.id
                                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
            FROM {expected} e
            WHERE e.cancelled = %s AND e.due_date < %s AND e.project_id IN ({scope_sql})
        ), paid AS (
            SELECT r.project_id, SUM(r.amount) AS got
            FROM {receipts} r
            WHERE r.kind <> %s AND r.project_id IN (SELECT DISTINCT project_id FROM late)
            GROUP BY r.project_id
        )
        SELECT late.project_id, late.amount, late.due_date, late.running,
               COALESCE(paid.got, 0)
        FROM late LEFT JOIN paid ON paid.project_id = late.project_id
        WHERE late.running > COALESCE(paid.got, 0)
    """  # noqa: S608 (table names from the models, values as parameters)
    day = connection.ops.adapt_datefield_value(today)
    params = [False, day, *scope_params, ReceiptKind.FORFEITED_DEPOSIT]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out: dict[int, tuple[Decimal, dt.date]] = {}
    for pk, amount, due_date, running_sum, got in rows:
        unpaid = min(_money(amount), _money(running_sum) - _money(got))
        if unpaid <= 0:
            continue
        day = due_date if isinstance(due_date, dt.date) else dt.date.fromisoformat(due_date)
        owed, since = out.get(pk, (ZERO, day))
        out[pk] = (owed + unpaid, min(since, day))
    return out


def _money(value) -> Decimal:
    """A sum as the database gives it (a Decimal, or a float on SQLite) to the cent."""
    return Decimal(str(value)).quantize(CENT)
