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
from typing import NamedTuple

from django.db.models import QuerySet, Sum
from django.utils import timezone

from panhuo.core.money import ZERO
from panhuo.disposal.channel_models import ListingRound
from panhuo.disposal.models import PackageItem, ProjectEvent
from panhuo.finance.expected import arrears as expected_arrears
from panhuo.finance.expected import paying
from panhuo.finance.expected_models import ExpectedReceipt
from panhuo.finance.models import Receipt
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
    events = (
        ProjectEvent.objects.filter(project__in=ids, to_status="concluded")
        .order_by("project_id", "-at", "-pk")
        .values_list("project_id", "at")
    )
    for pid, at in events.iterator(chunk_size=CHUNK):
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


class Due(NamedTuple):
    """An expected receipt as ``finance.expected.lines`` reads it (its amount and due date),
    without building a model instance for each of tens of thousands."""

    pk: int
    amount: Decimal
    due_date: dt.date


def arrears(project_ids: list[int], *, today: dt.date) -> dict[int, tuple[Decimal, dt.date | None]]:
    """Per project: what is due and unpaid before ``today`` and since when, as
    ``finance.expected.arrears`` — its receipts and expected receipts read for all at once."""
    received = dict(
        paying(Receipt.objects.filter(project__in=project_ids))
        .order_by()
        .values("project_id")
        .annotate(s=Sum("amount"))
        .values_list("project_id", "s")
    )
    expected: dict[int, list[Due]] = {pk: [] for pk in project_ids}
    rows = ExpectedReceipt.objects.filter(project__in=project_ids, cancelled=False)
    rows = rows.order_by("project_id", "due_date", "pk")
    for project_id, *due in rows.values_list("project_id", "pk", "amount", "due_date"):
        expected[project_id].append(Due(*due))
    out = {}
    for pk in project_ids:
        read = {"received": received.get(pk) or ZERO, "expected": expected[pk]}
        out[pk] = expected_arrears(pk, today=today, **read)
    return out
