"""What the page tests of every app share.

The users, role groups, records and the data fingerprint are the API tests' (api_support), so
both interfaces are held to the same table. Added here: look-alike records in district B (whose
pages must answer 404 in district A and the reverse), the expected status of a page for every
user, and a helper that asks one page as every user.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from panhuo.core.testing import AssetFactory, World, decision_documents, recorded_late
from panhuo.core.tests.api_support import (
    AUDIT_READERS,
    READERS_A,
    READERS_B,
    UNIT_OFFICERS,
    USERS,
    ApiWorld,
    build_api_world,
    client_for,
    fingerprint,
)
from panhuo.core.tests.recorded import recorded
from panhuo.disposal import services as ds
from panhuo.finance import services as fs
from panhuo.register.models import Criticality

__all__ = ["client_for", "fingerprint"]

#: Who may open each section at all; anyone else gets 403 on every page of it.
REGISTER_SECTION = READERS_A | READERS_B | UNIT_OFFICERS
MONEY_SECTION = READERS_A | READERS_B
AUDIT_SECTION = AUDIT_READERS | {"outsider_head", "outsider_deputy", "outsider_auditor"}


def expected(ok, section=None, *, forbidden=(), ok_code: int = 200) -> dict:
    """The status each user should get: ``ok_code`` for ``ok``; 403 for ``forbidden`` and for
    whoever is outside the section (by default: outside ``ok``); 404 for the rest of the
    section (the record is not theirs)."""
    section = ok if section is None else section
    table = {}
    for name in USERS:
        if name in ok:
            table[name] = ok_code
        elif name in forbidden or name not in section:
            table[name] = 403
        else:
            table[name] = 404
    return table


def statuses(world: World, url: str, *, method: str = "get", data=None) -> dict[str, int]:
    """The status code of ``url`` for every user of the world."""
    return {
        name: getattr(client_for(world, name), method)(url, data or {}).status_code
        for name in USERS
    }


def assert_login_redirect(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302, url
    assert response["Location"].startswith("/login/?next="), url


@dataclass
class Sample:
    """The API tests' records in district A, plus look-alikes in district B."""

    a: ApiWorld
    essential_asset: object  # unit U1, essential: may never enter a package
    b_package: object
    b_project: object  # concluded
    b_receipt: object
    b_debt: object


def _b_records(w: World):
    office, head, finance = (
        w.user("outsider_office"),
        w.user("outsider_head"),
        w.user("outsider_finance"),
    )
    package = ds.package_create(
        actor=office,
        jurisdiction=w.other_district,
        name="B lot",
        channel="auction",
        asset_ids=[AssetFactory(unit=w.other_unit).pk],
    )
    p = ds.project_create(actor=office, package=package, reserve_price=Decimal("100.00"))
    p = ds.project_transition(actor=office, project=p, transition="submit")
    decision_documents(w, p, actor=office)
    p = ds.project_transition(actor=head, project=p, transition="approve")
    p = ds.project_transition(actor=office, project=p, transition="list", **recorded_late("list"))
    p = ds.project_transition(
        actor=office, project=p, transition="conclude", deal_price=Decimal("200.00"), buyer="B"
    )
    receipt = fs.receipt_create(
        actor=finance,
        project=p,
        amount="100.00",
        received_on=timezone.localdate(),
        voucher="V-B-1",
        budget_class="non_tax",
    )
    debt = fs.debt_create(
        actor=finance,
        jurisdiction=w.other_district,
        data={
            "creditor": "Bank of B",
            "debt_type": "special_bond",
            "principal": "500000.00",
            "rate": Decimal("3.100"),
            "issue_date": dt.date(2021, 1, 1),
            "maturity_date": dt.date(2031, 1, 1),
        },
    )
    return package, p, receipt, debt


@recorded
def build_sample(w: World) -> Sample:
    """The page tests' records: for real once per worker process, replayed after that
    (``recorded``; the B project's decision documents' files included). Built for real each
    time it cost ~0.3 CPU seconds on SQLite, for each of ~240 items per database."""
    a = build_api_world(w)
    b_package, b_project, b_receipt, b_debt = _b_records(w)
    return Sample(
        a=a,
        essential_asset=AssetFactory(
            unit=w.unit, name="Water works", criticality=Criticality.ESSENTIAL
        ),
        b_package=b_package,
        b_project=b_project,
        b_receipt=b_receipt,
        b_debt=b_debt,
    )
