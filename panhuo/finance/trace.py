"""Traceability: every yuan from the asset that raised it to the debt it repaid, and back.

One flat trail row per (asset, allocation) link: the asset, its package and project, the
receipt, the allocation (negative for a reversal) and the debt. A project's receipt pays for
the whole package, so an allocation is traced to every asset of that package, with the asset's
share of the package's appraised value (book value when no appraisal) for those who want to
split it. Everything is scoped to what the caller may see.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from panhuo.disposal.models import PackageItem
from panhuo.finance.models import Allocation

HEADERS = ["asset", "asset_name", "package", "project", "project_status", "deal_price",
           "receipt", "received_on", "allocation", "allocated_on", "amount", "asset_share",
           "debt", "creditor", "debt_type"]  # fmt: skip


@dataclass(frozen=True)
class TrailRow:
    asset: str
    asset_name: str
    package: str
    project: str
    project_status: str
    deal_price: Decimal | None
    receipt: str
    received_on: str
    allocation: int
    allocated_on: str
    amount: Decimal
    asset_share: Decimal
    debt: str
    creditor: str
    debt_type: str
    # The records' ids, so the page and the API can link to each (the CSV keeps HEADERS).
    asset_id: int = 0
    package_id: int = 0
    project_id: int = 0
    receipt_id: int = 0
    debt_id: int = 0

    def as_list(self) -> list[str]:
        return ["" if (v := getattr(self, h)) is None else str(v) for h in HEADERS]


def _shares(package_ids) -> dict[int, list[tuple[int, str, str, Decimal]]]:
    """Each package's assets (id, code, name) with their share of the package's value."""
    items: dict[int, list[tuple[int, str, str, Decimal]]] = {}
    for pid, aid, code, name, appraised, book in PackageItem.objects.filter(
        package_id__in=package_ids
    ).values_list("package_id", "asset_id", "asset__code", "asset__name",
                  "asset__appraised_value", "asset__book_value"):  # fmt: skip
        items.setdefault(pid, []).append((aid, code, name, appraised or book or Decimal(0)))
    out = {}
    for pid, rows in items.items():
        total = sum(v for _i, _c, _n, v in rows)
        out[pid] = [
            (i, c, n, (v / total).quantize(Decimal("0.0001"), ROUND_HALF_UP) if total else
             (Decimal(1) / len(rows)).quantize(Decimal("0.0001")))
            for i, c, n, v in rows
        ]  # fmt: skip
    return out


#: Each package's assets with their share of its value (for the public accountability page).
asset_shares = _shares


def trail(user, *, asset=None, debt=None, receipt=None) -> Iterator[TrailRow]:
    """The trail through allocations the user may see, narrowed to an asset, debt or receipt."""
    qs = (
        Allocation.objects.visible_to(user)
        .select_related("receipt__project__package", "debt")
        .order_by("allocated_on", "pk")
    )
    if asset is not None:
        qs = qs.filter(receipt__project__package__items__asset=asset)
    if debt is not None:
        qs = qs.filter(debt=debt)
    if receipt is not None:
        qs = qs.filter(receipt=receipt)
    allocations = list(qs.distinct())
    shares = _shares({a.receipt.project.package_id for a in allocations})
    for a in allocations:
        project = a.receipt.project
        for asset_id, code, name, share in shares.get(project.package_id, []):
            if asset is not None and asset_id != asset.pk:
                continue
            yield TrailRow(
                code, name, project.package.code, project.code, project.status,
                project.deal_price, a.receipt.voucher, a.receipt.received_on.isoformat(), a.pk,
                a.allocated_on.isoformat(), a.signed_amount, share, a.debt.code,
                a.debt.creditor, a.debt.debt_type, asset_id, project.package_id, project.pk,
                a.receipt_id, a.debt_id,
            )  # fmt: skip


def write_trail_csv(rows, out) -> None:
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow(row.as_list())
