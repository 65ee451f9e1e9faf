"""What the API tests of every app share: callers per role, fixture records, a state fingerprint.

Every endpoint test walks :data:`CALLERS` (each user of ``build_world()`` plus anonymous) and
states, per caller, the status it must get. Denied writes are checked with :func:`fingerprint`:
row counts, versions, money totals and the audit log must be exactly as before.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Sum
from django.test import Client

from panhuo.core.testing import AssetFactory, World, concluded_project
from panhuo.core.tests.recorded import recorded
from panhuo.disposal import services as ds
from panhuo.disposal.models import DisposalProject, Package, PackageItem, ProjectEvent
from panhuo.finance import services as fs
from panhuo.finance.models import Allocation, Debt, Receipt
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.models import ApiToken
from panhuo.register.models import Asset

ANON = "anonymous"
USERS = [
    "head",
    "deputy",
    "deputy2",
    "office",
    "office2",
    "unit_officer",
    "other_unit_officer",
    "finance",
    "auditor",
    "supervisor",
    "bidder",
    "norole",
    "outsider_head",
    "outsider_deputy",
    "outsider_office",
    "outsider_unit_officer",
    "outsider_finance",
    "outsider_auditor",
    "outsider_bidder",
]
CALLERS = [*USERS, ANON]

#: Readers of district A (the supervisor reads the whole city, district A included).
READERS_A = {"head", "deputy", "deputy2", "office", "office2", "finance", "auditor", "supervisor"}
#: Readers of district B only.
READERS_B = {
    "outsider_head",
    "outsider_deputy",
    "outsider_office",
    "outsider_finance",
    "outsider_auditor",
}
#: Signed in, but no role that reads or writes records.
NO_ROLE = {"bidder", "norole", "outsider_bidder"}
UNIT_OFFICERS = {"unit_officer", "other_unit_officer", "outsider_unit_officer"}
AUDIT_READERS = {"head", "deputy", "deputy2", "auditor", "supervisor"}


def expect(default: int, **by_caller: int) -> dict[str, int]:
    """A status for every caller: ``default`` unless named; anonymous is always 401."""
    table = {name: default for name in USERS}
    unknown = set(by_caller) - set(USERS)
    assert not unknown, unknown
    table.update(by_caller)
    table[ANON] = 401
    return table


def each(names, status: int) -> dict[str, int]:
    return dict.fromkeys(names, status)


def client_for(w: World, who: str, **kwargs) -> Client:
    client = Client(**kwargs)
    if who != ANON:
        client.force_login(w.user(who))
    return client


def call(client: Client, method: str, url: str, body: Any = None, **headers):
    """One API request with a JSON body (if any); returns the response."""
    kwargs: dict[str, Any] = {"headers": headers} if headers else {}
    if body is not None:
        kwargs["data"] = body if isinstance(body, str) else json.dumps(body)
        kwargs["content_type"] = "application/json"
    return getattr(client, method.lower())(url, **kwargs)


#: The tables whose row counts :func:`fingerprint` compares.
_COUNTED = (
    Asset,
    Package,
    PackageItem,
    DisposalProject,
    ProjectEvent,
    Receipt,
    Debt,
    Allocation,
    AuditEntry,
    ApiToken,
)


def fingerprint() -> dict[str, Any]:
    """Everything a write could change, in a form that compares by value."""
    # Every table's row count in one statement (one of 290 callers' ~16 queries each, issue 11):
    # the counts of all rows, as ``objects.count()`` read them (no manager here filters).
    quote = connection.ops.quote_name
    counts = ", ".join(
        f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})"  # noqa: S608 (our own tables)
        for model in _COUNTED
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    state: dict[str, Any] = {
        model._meta.label: int(n) for model, n in zip(_COUNTED, row, strict=True)
    }
    state["asset_versions"] = Asset.objects.aggregate(s=Sum("version"))["s"]
    state["asset_statuses"] = sorted(
        Asset.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    state["project_versions"] = DisposalProject.objects.aggregate(s=Sum("version"))["s"]
    state["project_statuses"] = sorted(DisposalProject.objects.values_list("pk", "status"))
    state["package_items"] = sorted(PackageItem.objects.values_list("package_id", "asset_id"))
    state["received"] = Receipt.objects.aggregate(s=Sum("amount"), a=Sum("allocated"))
    state["debts"] = Debt.objects.aggregate(o=Sum("outstanding"), v=Sum("version"))
    state["audit_head"] = AuditEntry.objects.order_by("-seq").values_list("hash").first()
    return state


@dataclass
class ApiWorld:
    w: World
    asset: Asset  # unit U1 (district A), in ``package``
    asset_free: Asset  # unit U1, in no package
    asset2: Asset  # unit U2 (district A)
    other_asset: Asset  # unit U3 (district B)
    package: Package  # district A, holds ``asset``, has the draft ``project``
    project: DisposalProject  # draft
    package_free: Package  # district A, holds a U1 asset, no project yet
    concluded: DisposalProject  # concluded at 6,000,000; 4,000,000 received
    receipt: Receipt  # 4,000,000, of which 1,000,000 allocated
    debt: Debt  # district A, principal 10,000,000
    allocation: Allocation


@recorded
def build_api_world(w: World) -> ApiWorld:
    """Records in every state the endpoints need, made through the services (for real once
    per worker process, replayed after that: ``recorded``)."""
    office, finance = w.user("office"), w.user("finance")
    asset = AssetFactory(unit=w.unit)
    asset_free = AssetFactory(unit=w.unit)
    asset2 = AssetFactory(unit=w.unit2)
    other_asset = AssetFactory(unit=w.other_unit)
    package = ds.package_create(
        actor=office, jurisdiction=w.district, name="Lot A", channel="auction", asset_ids=[asset.pk]
    )
    project = ds.project_create(actor=office, package=package, reserve_price=Decimal("5000000.00"))
    package_free = ds.package_create(
        actor=office,
        jurisdiction=w.district,
        name="Lot B",
        channel="exchange",
        asset_ids=[AssetFactory(unit=w.unit).pk],
    )
    # Its approval predates the decision documents: the world is replayed into tests whose
    # document store is their own, where the files it stored would be missing.
    concluded = concluded_project(w, documents=False)
    receipt = fs.receipt_create(
        actor=finance,
        project=concluded,
        amount="4000000.00",
        received_on=dt.date(2026, 1, 5),
        voucher="V-1",
        budget_class="non_tax",
    )
    debt = fs.debt_create(
        actor=finance,
        jurisdiction=w.district,
        data={
            "creditor": "Bank of the district",
            "debt_type": "bank_loan",
            "principal": "10000000.00",
            "rate": Decimal("4.250"),
            "issue_date": dt.date(2020, 1, 1),
            "maturity_date": dt.date(2030, 1, 1),
        },
    )
    allocation = fs.allocation_create(
        actor=finance, receipt=receipt, debt=debt, amount="1000000.00"
    )
    return ApiWorld(
        w=w,
        asset=asset,
        asset_free=asset_free,
        asset2=asset2,
        other_asset=other_asset,
        package=package,
        project=project,
        package_free=package_free,
        concluded=concluded,
        receipt=receipt,
        debt=debt,
        allocation=allocation,
    )


def check(
    aw: ApiWorld,
    who: str,
    method: str,
    url: str,
    body: Any = None,
    *,
    expected: dict[str, int],
):
    """Call as ``who``; assert the status; a refused write must leave everything unchanged."""
    write = method != "GET"
    before = fingerprint() if write else None
    response = call(client_for(aw.w, who), method, url, body)
    status = expected[who]
    assert response.status_code == status, (who, response.status_code, response.content[:500])
    if write and status >= 400:
        assert fingerprint() == before, f"{who}: a refused {method} {url} changed data"
    if status >= 400:
        assert "detail" in response.json()
    return response
