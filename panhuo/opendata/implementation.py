"""The implementation stage of a published disposal: the payments received against the deal and
the debt they repaid, as one OCDS release per process (``tag: implementation``).

What is public here, and nothing more (the rest of the ledger stays inside):

- only a process whose result notice is published (the public knows the deal);
- each payment received against the deal (the sale price, rent or concession fee; not a
  forfeited deposit, which pays nothing of the deal): its amount and the day it was received,
  as an OCDS transaction. Not the voucher, the budget classification, who paid nor from which
  account: the transaction has no ``payer``;
- the debt those payments repaid, per debt, net of reversals (extension field
  ``implementation.debtRepaid``): the debt's type (a closed codelist, which also says what kind
  of creditor it is owed to: bondholders, a bank, a trust, companies) and the amount. Never the
  creditor, the borrower, the debt's code or its terms; a debt is told from another by an
  opaque id.

The release is the state of the ledger now: its ``date`` is the last day a payment was received
or an allocation made, its ``id`` the result notice's number and a digest of what it carries
and its date, so the same ledger gives the same release and any change a new one.

In the change feed, a process's implementation release comes again (its current state, under a
new id) after each page that reads a new payment of it or a new allocation of one: the feed's
cursor also holds its place in those two ledgers (``changed_after``), whose rows are never
changed once written (a reversal is a new row). In the bulk files it is in the year of its
``date`` (``dated``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, F, Max, Sum, When
from django.utils import timezone

from panhuo.finance.models import Allocation, Receipt, ReceiptKind
from panhuo.opendata import releases, selectors
from panhuo.portal.models import Notice, NoticeKind

#: The receipts that are payments against the deal.
PAYMENTS = (ReceiptKind.SALE_PRICE, ReceiptKind.RENT, ReceiptKind.CONCESSION_FEE)


def _opaque(kind: str, pk: int, salt: str) -> str:
    """An id that tells records apart within one process and says nothing of them."""
    return hashlib.sha256(f"{salt}:{kind}:{pk}".encode()).hexdigest()[:12]


def _start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


#: Processes whose implementation releases are built together (a few queries for them all).
BATCH = 500


def _payments(project_ids: list[int]) -> dict[int, list[dict]]:
    """Per process: its payments, oldest first."""
    out: dict[int, list[dict]] = defaultdict(list)
    rows = (
        Receipt.objects.filter(project_id__in=project_ids, kind__in=PAYMENTS)
        .order_by("project_id", "received_on", "pk")
        .values("pk", "project_id", "amount", "received_on")
    )
    for r in rows:
        out[r["project_id"]].append(r)
    return out


def _debts_repaid(project_ids: list[int]) -> tuple[dict[int, list[dict]], dict[int, Any]]:
    """Per process: per debt, what its payments repaid net of reversals (positive only); and
    the last day an allocation of them was made or reversed."""
    signed = Case(When(reverses__isnull=True, then=F("amount")), default=-F("amount"),
                  output_field=DecimalField(max_digits=20, decimal_places=2))  # fmt: skip
    rows = Allocation.objects.filter(
        receipt__project_id__in=project_ids, receipt__kind__in=PAYMENTS
    )
    last = dict(
        rows.order_by()
        .values("receipt__project_id")
        .annotate(day=Max("allocated_on"))
        .values_list("receipt__project_id", "day")
    )
    per_debt = (
        rows.values("receipt__project_id", "debt_id", "debt__debt_type")
        .annotate(net=Sum(signed))
        .order_by("receipt__project_id", "debt_id")
    )
    found: dict[int, list[dict]] = defaultdict(list)
    for r in per_debt:
        if r["net"] and Decimal(r["net"]) > 0:
            found[r["receipt__project_id"]].append(r)
    return found, last


def releases_of(results: Iterable[Notice]) -> Iterator[tuple[Notice, dict[str, Any] | None]]:
    """Each of ``results`` with its process's implementation release (None: nothing paid yet,
    or not a published result notice), built ``BATCH`` at a time: three queries a batch,
    whatever the number of releases."""
    it = iter(results)
    while batch := list(itertools.islice(it, BATCH)):
        ids = [n.project_id for n in batch if n.kind == NoticeKind.RESULT]
        paid = _payments(ids)
        debts, allocated = _debts_repaid([p for p in ids if p in paid])
        for n in batch:
            if n.kind != NoticeKind.RESULT or not paid.get(n.project_id):
                yield n, None
            else:
                p = n.project_id
                yield n, _build(n, paid[p], debts.get(p, []), allocated.get(p))


def release(result: Notice) -> dict[str, Any] | None:
    """The implementation release of ``result``'s process (None: nothing paid yet, or
    ``result`` is not a published result notice)."""
    return next(releases_of([result]))[1]


def _build(result: Notice, paid: list[dict], debts: list[dict], allocated) -> dict[str, Any]:
    ocid = releases.ocid(result)
    transactions = [
        {"id": _opaque("payment", p["pk"], ocid),
         "date": releases._moment(p["received_on"].isoformat()),
         "value": releases._value(str(p["amount"]))}
        for p in paid
    ]  # fmt: skip
    repaid = [
        {"id": _opaque("debt", d["debt_id"], ocid), "debtType": d["debt__debt_type"],
         "value": releases._value(str(Decimal(d["net"]).quantize(Decimal("0.01"))))}
        for d in debts
    ]  # fmt: skip
    implementation = {"transactions": transactions, "debtRepaid": repaid}
    last = max([p["received_on"] for p in paid] + ([allocated] if allocated else []))
    date = timezone.localtime(max(_start(last), result.published_at)).isoformat()
    digest = hashlib.sha256(
        json.dumps([implementation, date], sort_keys=True, default=str).encode()
    ).hexdigest()[:12]
    data = {
        "ocid": ocid,
        "id": f"{result.code}-impl-{digest}",
        "date": date,
        "tag": ["implementation"],
        "initiationType": "tender",
        "language": "zh",
        "contracts": [
            {"id": result.code, "awardID": result.code, "implementation": implementation}
        ],
    }
    return releases.prune(data)


def of_rows(rows: list[Notice]) -> list[dict[str, Any]]:
    """The implementation release of a process whose notice revisions are ``rows`` (oldest
    first): at most one, from its newest result notice."""
    results = [n for n in rows if n.kind == NoticeKind.RESULT]
    found = release(results[-1]) if results else None
    return [found] if found else []


def changed_after(receipt_pk: int, allocation_pk: int, limit: int) -> tuple[set[int], int, int]:
    """The change feed's view of the ledger: the disposals with a payment, or an allocation of
    one, written after the two positions (the next ``limit`` rows of each, in the order they
    were written, those settled: ``selectors.settled``), and the positions after those rows."""
    published = Notice.objects.filter(kind=NoticeKind.RESULT).values("project_id")
    receipts = selectors.settled(
        Receipt.objects.filter(pk__gt=receipt_pk, kind__in=PAYMENTS, project_id__in=published)
        .order_by("pk")
        .values_list("pk", "project_id", "created_at")[:limit],
        lambda row: row[2],
    )
    allocations = selectors.settled(
        Allocation.objects.filter(
            pk__gt=allocation_pk, receipt__kind__in=PAYMENTS, receipt__project_id__in=published
        )
        .order_by("pk")
        .values_list("pk", "receipt__project_id", "created_at")[:limit],
        lambda row: row[2],
    )
    projects = {p for _, p, _at in receipts} | {p for _, p, _at in allocations}
    receipt_pk = receipts[-1][0] if receipts else receipt_pk
    return projects, receipt_pk, allocations[-1][0] if allocations else allocation_pk


def _read_up_to(projects: list[int], receipt_pk: int, allocation_pk: int) -> set[int]:
    """Those of ``projects`` whose every payment and allocation of one the feed has read (none
    written after the two positions)."""
    later = set(
        Receipt.objects.filter(project_id__in=projects, kind__in=PAYMENTS, pk__gt=receipt_pk)
        .values_list("project_id", flat=True)
        .distinct()
    ) | set(
        Allocation.objects.filter(
            receipt__project_id__in=projects, receipt__kind__in=PAYMENTS, pk__gt=allocation_pk
        )
        .values_list("receipt__project_id", flat=True)
        .distinct()
    )
    return set(projects) - later


def of_projects(projects: Iterable[int], upto: tuple[int, int, int]) -> list[dict[str, Any]]:
    """The current implementation release of each of ``projects`` once the change feed has read
    everything it is made of: its result notice (a revision up to ``upto[0]``) and every payment
    and allocation (up to ``upto[1]`` and ``upto[2]``); oldest first. A page that reads only
    part of it leaves it to the page that reads the rest, so a ledger that does not change gives
    each release once."""
    notice, receipt, allocation = upto
    ready = _read_up_to(list(projects), receipt, allocation)
    found = [r for _n, r in releases_of(selectors.results(list(ready), notice).values())]
    return sorted(
        (r for r in found if r), key=lambda r: (dt.datetime.fromisoformat(r["date"]), r["id"])
    )


def _last_days() -> dict[int, dt.date]:
    """Per paid disposal, the last day a payment was received or an allocation of one made."""
    days = dict(
        Receipt.objects.filter(kind__in=PAYMENTS)
        .order_by()
        .values("project_id")
        .annotate(day=Max("received_on"))
        .values_list("project_id", "day")
    )
    allocated = (
        Allocation.objects.filter(receipt__kind__in=PAYMENTS)
        .order_by()
        .values("receipt__project_id")
        .annotate(day=Max("allocated_on"))
        .values_list("receipt__project_id", "day")
    )
    for project, day in allocated:
        days[project] = max(days.get(project, day), day)
    return days


def dated() -> Iterator[tuple[Notice, dt.datetime]]:
    """Each published, paid disposal's newest result notice and its implementation release's
    date (computed from the ledger's sums, without building the release)."""
    days = _last_days()
    paid = Receipt.objects.filter(kind__in=PAYMENTS).values("project_id")
    for project, result in selectors.results(paid).items():
        yield result, timezone.localtime(max(_start(days[project]), result.published_at))
