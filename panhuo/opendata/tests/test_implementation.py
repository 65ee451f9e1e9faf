"""The implementation stage: a published disposal's payments (amount and day, no payer) and the
debt they repaid (type and net amount, no creditor) as one release that validates, merges into
the record, and carries nothing else of the ledger."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from panhuo.finance.models import Allocation, Debt, Receipt
from panhuo.opendata import releases, schema
from panhuo.opendata.tests.test_feed import _walk
from panhuo.portal.models import Notice
from panhuo.portal.tests.support import SECRETS, published_project

pytestmark = pytest.mark.django_db

#: What the ledger holds that no release may carry.
LEDGER = {
    "voucher": "VOUCHER-SECRET-31",
    "creditor": "Creditor Secret Bank",
    "borrower": "Borrower Secret Co",
    "debt_code": "DEBT-SECRET-7",
    "reason": "REVERSAL-REASON-9",
}


def _debt(world, code, kind, creditor):
    return Debt.objects.create(
        code=code, jurisdiction=world.district, creditor=creditor, debt_type=kind,
        principal=Decimal("90000000.00"), outstanding=Decimal("90000000.00"),
        rate=Decimal("3.5"), issue_date=dt.date(2022, 1, 1), maturity_date=dt.date(2030, 1, 1),
        borrower=LEDGER["borrower"],
    )  # fmt: skip


def test_payments_and_the_debt_repaid_are_released_and_nothing_else(world):
    project = published_project(world)
    result = Notice.objects.get(project=project, kind="result", current=True)
    finance = world.user("finance")
    loan = _debt(world, LEDGER["debt_code"], "bank_loan", LEDGER["creditor"])
    bond = _debt(world, "DEBT-OTHER", "special_bond", "Bondholders")
    day = result.published_at.date()
    paid = [
        Receipt.objects.create(
            project=project,
            amount=amount,
            received_on=day + dt.timedelta(n),
            voucher=f"{LEDGER['voucher']}-{n}",
            budget_class="non_tax",
            recorded_by=finance,
        )
        for n, amount in ((1, Decimal("2000000.00")), (5, Decimal("1000000.50")))
    ]
    Allocation.objects.create(
        receipt=paid[0],
        debt=loan,
        amount=Decimal("1500000.00"),
        allocated_on=day + dt.timedelta(2),
        allocated_by=finance,
    )
    undone = Allocation.objects.create(
        receipt=paid[1],
        debt=bond,
        amount=Decimal("1000000.50"),
        allocated_on=day + dt.timedelta(6),
        allocated_by=finance,
    )
    Allocation.objects.create(
        receipt=paid[1],
        debt=bond,
        amount=undone.amount,
        reverses=undone,
        reason=LEDGER["reason"],
        allocated_on=day + dt.timedelta(7),
        allocated_by=finance,
    )
    ocid = releases.ocid(result)
    client = Client()
    package = client.get(f"/open-data/releases/{ocid}.json").json()
    assert schema.errors(package, "release-package") == []
    impl = package["releases"][-1]
    assert impl["tag"] == ["implementation"] and impl["date"].startswith(str(day + dt.timedelta(7)))
    (contract,) = impl["contracts"]
    assert contract["id"] == result.code
    done = contract["implementation"]
    assert [(t["date"][:10], t["value"]["amount"]) for t in done["transactions"]] == [
        (str(day + dt.timedelta(1)), 2000000),
        (str(day + dt.timedelta(5)), 1000000.5),
    ]
    assert all(set(t) == {"id", "date", "value"} for t in done["transactions"])  # no payer
    # The bond's allocation was reversed: only the loan's stands, by type and amount.
    assert [(d["debtType"], d["value"]["amount"]) for d in done["debtRepaid"]] == [
        ("bank_loan", 1500000)
    ]
    record = client.get(f"/open-data/records/{ocid}.json").json()
    assert schema.errors(record, "record-package") == []
    compiled = record["records"][0]["compiledRelease"]
    assert schema.errors(compiled, "release") == []
    assert compiled["contracts"][0]["value"] and compiled["contracts"][0]["implementation"]
    text = json.dumps([package, record], ensure_ascii=False)
    leaked = {k: v for k, v in {**LEDGER, **SECRETS}.items() if v in text}
    assert leaked == {}
    assert str(loan.pk) not in {d["id"] for d in done["debtRepaid"]}
    # The same ledger, the same release; a new payment, a new one.
    again = client.get(f"/open-data/releases/{ocid}.json").json()["releases"][-1]
    assert again == impl
    Receipt.objects.create(
        project=project,
        amount=Decimal("1.00"),
        received_on=day,
        voucher="V-LATE",
        budget_class="non_tax",
        recorded_by=finance,
    )
    assert client.get(f"/open-data/releases/{ocid}.json").json()["releases"][-1]["id"] != impl["id"]


def test_a_payment_after_publication_comes_in_the_feed_and_the_year_file(world):
    project = published_project(world)
    result = Notice.objects.get(project=project, kind="result", current=True)
    client = Client()
    _, cursors = _walk(client, "/open-data/feed.json")
    finance = world.user("finance")
    day = timezone.localtime(result.published_at).date() + dt.timedelta(3)
    paid = Receipt.objects.create(
        project=project, amount=Decimal("300000.00"), received_on=day,
        voucher=LEDGER["voucher"], budget_class="non_tax", recorded_by=finance,
    )  # fmt: skip
    loan = _debt(world, LEDGER["debt_code"], "bank_loan", LEDGER["creditor"])
    Allocation.objects.create(
        receipt=paid, debt=loan, amount=paid.amount, allocated_on=day, allocated_by=finance
    )
    # After the cursor the feed had given: the payment's implementation release, once.
    page = client.get(f"/open-data/feed.json?cursor={cursors[-1]}").json()
    assert schema.errors(page, "release-package") == []
    (impl,) = page["releases"]
    assert impl["ocid"] == releases.ocid(result) and impl["tag"] == ["implementation"]
    done = impl["contracts"][0]["implementation"]
    assert [t["value"]["amount"] for t in done["transactions"]] == [300000]
    assert [(d["debtType"], d["value"]["amount"]) for d in done["debtRepaid"]] == [
        ("bank_loan", 300000)
    ]
    assert client.get(page["links"]["next"]).json()["releases"] == []
    # The year of its date: the same release in that year's file.
    answer = client.get(f"/open-data/bulk/{day.year}.json")
    bulk = json.loads(b"".join(answer.streaming_content))
    assert schema.errors(bulk, "release-package") == []
    assert [r for r in bulk["releases"] if r["id"] == impl["id"]] == [impl]
    assert str(day.year) in client.get("/open-data/").content.decode()
    text = json.dumps([page, bulk], ensure_ascii=False)
    assert {k: v for k, v in {**LEDGER, **SECRETS}.items() if v in text} == {}
    assert "payer" not in text
    # A reversal changes it: a new release, after the last cursor, without the debt repaid.
    Allocation.objects.create(
        receipt=paid, debt=loan, amount=paid.amount, reverses=paid.allocations.get(),
        reason=LEDGER["reason"], allocated_on=day + dt.timedelta(1), allocated_by=finance,
    )  # fmt: skip
    (again,) = client.get(page["links"]["next"]).json()["releases"]
    assert again["id"] != impl["id"] and "debtRepaid" not in again["contracts"][0]["implementation"]


def test_the_bulk_file_and_the_feed_cost_the_same_queries_for_more_releases(world):
    """The implementation releases are built a batch at a time: a year's file and a feed page
    read as many queries for two paid disposals as for one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, finance = Client(), world.user("finance")
    loan = _debt(world, LEDGER["debt_code"], "bank_loan", LEDGER["creditor"])

    def paid_sale():
        project = published_project(world)
        day = Notice.objects.get(project=project, kind="result", current=True).published_at
        r = Receipt.objects.create(
            project=project, amount=Decimal("300000.00"), received_on=day.date(),
            voucher=f"V-{project.pk}", budget_class="non_tax", recorded_by=finance,
        )  # fmt: skip
        Allocation.objects.create(receipt=r, debt=loan, amount=r.amount,
                                  allocated_on=day.date(), allocated_by=finance)  # fmt: skip
        return day.year

    def queries() -> tuple[int, int, int]:
        with CaptureQueriesContext(connection) as bulk:
            body = b"".join(client.get(f"/open-data/bulk/{year}.json").streaming_content)
        with CaptureQueriesContext(connection) as feed:
            page = client.get("/open-data/feed.json").json()
        n = sum("implementation" in r["tag"] for r in json.loads(body)["releases"])
        assert n == sum("implementation" in r["tag"] for r in page["releases"])
        return n, len(bulk), len(feed)

    year = paid_sale()
    one = queries()
    paid_sale()
    two = queries()
    assert (one[0], two[0]) == (1, 2) and two[1:] == one[1:], (one, two)


def test_a_payment_committed_out_of_id_order_is_not_skipped_by_the_feed(world, settings):
    """Payment B takes a higher id than payment A but its transaction commits first: the feed
    must not move its cursor past A's id before A appears. It hands out only rows written
    ``OCDS_FEED_SETTLE`` seconds ago, stopping at the first younger one."""
    from urllib.parse import parse_qs, urlsplit

    from django.db.models import Max

    from panhuo.opendata import packages

    settings.PANHUO = {**settings.PANHUO, "OCDS_FEED_SETTLE": 60}
    project = published_project(world)
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    Notice.objects.update(published_at=long_ago)  # time passes: what there is has settled
    Receipt.objects.update(created_at=long_ago)
    client, finance = Client(), world.user("finance")
    _, cursors = _walk(client, "/open-data/feed.json")
    at = packages.position(cursors[-1])
    a_id = (Receipt.objects.aggregate(m=Max("pk"))["m"] or 0) + 1000

    def payment(pk, amount):
        return Receipt.objects.create(
            pk=pk, project=project, amount=Decimal(amount), voucher=f"V{pk}",
            received_on=timezone.localdate(), budget_class="non_tax", recorded_by=finance,
        )  # fmt: skip

    payment(a_id + 1, "200000.00")  # B: committed while A's transaction still runs
    page = client.get(f"/open-data/feed.json?cursor={cursors[-1]}").json()
    cursor = parse_qs(urlsplit(page["links"]["next"]).query)["cursor"][0]
    assert page["releases"] == [] and packages.position(cursor) == at
    payment(a_id, "100000.00")  # A commits, with the lower id
    Receipt.objects.filter(pk__gte=a_id).update(created_at=long_ago)  # both settle
    (impl,) = client.get(page["links"]["next"]).json()["releases"]
    paid = [t["value"]["amount"] for t in impl["contracts"][0]["implementation"]["transactions"]]
    assert sorted(paid) == [100000, 200000]
