"""Bidders' deposits: held apart from proceeds; the state machine with its roles; forfeits and
applications making receipts; database constraints; pages and API for every caller."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from panhuo.core.errors import ValidationError
from panhuo.core.tests.api_support import (
    CALLERS,
    READERS_A,
    READERS_B,
    build_api_world,
    call,
    client_for,
    expect,
)
from panhuo.core.tests.per_caller import per_caller
from panhuo.core.tests.views_support import MONEY_SECTION, statuses
from panhuo.finance import expected
from panhuo.finance import services as fs
from panhuo.finance.deposits.models import Deposit
from panhuo.finance.deposits.services import deposit_receive, deposit_transition
from panhuo.finance.models import Receipt
from panhuo.finance.reports.selectors import reconciliation
from panhuo.integrity.models import AuditEntry

D = Decimal
TODAY = timezone.localdate


@pytest.fixture
def aw(world):
    return build_api_world(world)


def _deposit(aw, bidder="Buyer Ltd", amount="500000.00", voucher="DEP-1", project=None):
    return deposit_receive(
        actor=aw.w.user("finance"), project=project or aw.concluded, bidder=bidder,
        amount=amount, received_on=TODAY() - dt.timedelta(days=3), voucher=voucher,
    )  # fmt: skip


def _counts():
    return (Deposit.objects.count(), Receipt.objects.count(), AuditEntry.objects.count())


def test_a_held_deposit_is_no_receipt(aw):
    before = Receipt.objects.count()
    d = _deposit(aw)
    assert d.status == "held" and d.closed_on is None and d.receipt is None
    assert Receipt.objects.count() == before
    assert AuditEntry.objects.filter(action="deposit.receive").count() == 1


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"bidder": "  "}, "bidder"),
        ({"voucher": ""}, "voucher"),
        ({"received_on": "FUTURE"}, "received_on"),
    ],
)
def test_bad_deposits_name_the_field(aw, over, field):
    data = {"bidder": "B", "amount": "10.00", "received_on": TODAY(), "voucher": "X-1", **over}
    if data["received_on"] == "FUTURE":
        data["received_on"] = TODAY() + dt.timedelta(days=1)
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        deposit_receive(actor=aw.w.user("finance"), project=aw.concluded, **data)
    assert field in exc.value.message_dict
    assert _counts() == before


def test_deposit_refused_for_a_draft_and_a_repeated_voucher(aw):
    with pytest.raises(ValidationError) as exc:
        _deposit(aw, project=aw.project)
    assert "project" in exc.value.message_dict
    _deposit(aw)
    with pytest.raises(ValidationError) as exc:
        _deposit(aw)
    assert "voucher" in exc.value.message_dict


@per_caller(["head", "office", "auditor", "outsider_finance", "unit_officer"])
def test_only_finance_of_the_place_receives(aw, who):
    before = _counts()
    with pytest.raises(PermissionDenied):
        deposit_receive(actor=aw.w.user(who), project=aw.concluded, bidder="B", amount="1.00",
                        received_on=TODAY(), voucher="X")  # fmt: skip
    assert _counts() == before


def test_refund_once(aw):
    d = _deposit(aw, bidder="Loser Co")
    d = deposit_transition(actor=aw.w.user("finance"), deposit=d, action="refund")
    assert (d.status, d.closed_on, d.receipt) == ("refunded", TODAY(), None)
    before = _counts()
    for action, who in (("refund", "finance"), ("forfeit", "head"), ("apply", "finance")):
        with pytest.raises(ValidationError) as exc:
            deposit_transition(actor=aw.w.user(who), deposit=d, action=action, reason="r")
        assert "action" in exc.value.message_dict
    assert _counts() == before


def test_forfeit_makes_an_allocatable_receipt_that_pays_no_price(aw):
    d = _deposit(aw, bidder="Defaulter Co", amount="300000.00")
    paid_before = expected.received_total(aw.concluded)
    with pytest.raises(PermissionDenied):
        deposit_transition(actor=aw.w.user("finance"), deposit=d, action="forfeit", reason="r")
    with pytest.raises(ValidationError) as exc:
        deposit_transition(actor=aw.w.user("head"), deposit=d, action="forfeit")
    assert "reason" in exc.value.message_dict
    d = deposit_transition(
        actor=aw.w.user("deputy"), deposit=d, action="forfeit", reason="Withdrew after winning"
    )
    assert d.status == "forfeited" and d.receipt.kind == "forfeited_deposit"
    assert d.receipt.amount == D("300000.00") and d.receipt.voucher == "DEP-1/F"
    # Treasury money: it may repay debt ...
    a = fs.allocation_create(
        actor=aw.w.user("finance"), receipt=d.receipt, debt=aw.debt, amount="300000.00"
    )
    assert a.amount == D("300000.00")
    # ... but the buyer still owes the same.
    assert expected.received_total(aw.concluded) == paid_before


def test_apply_to_the_winners_price(aw):
    loser = _deposit(aw, bidder="Loser Co", voucher="DEP-L")
    with pytest.raises(ValidationError) as exc:
        deposit_transition(actor=aw.w.user("finance"), deposit=loser, action="apply")
    assert "bidder" in exc.value.message_dict
    big = _deposit(aw, bidder="buyer  ltd", amount="2000000.01", voucher="DEP-B")
    with pytest.raises(ValidationError) as exc:
        deposit_transition(actor=aw.w.user("finance"), deposit=big, action="apply")
    assert "amount" in exc.value.message_dict
    win = _deposit(aw, bidder="Buyer Ltd", amount="500000.00", voucher="DEP-W")
    paid = expected.received_total(aw.concluded)
    win = deposit_transition(actor=aw.w.user("finance"), deposit=win, action="apply")
    assert win.status == "applied" and win.receipt.kind == "sale_price"
    assert expected.received_total(aw.concluded) == paid + D("500000.00")
    with pytest.raises(PermissionDenied):
        deposit_transition(actor=aw.w.user("head"), deposit=big, action="apply")


def test_the_database_keeps_each_state_whole(aw):
    d = _deposit(aw)
    for bad in (
        {"status": "refunded"},  # closed without a date
        {"closed_on": TODAY()},  # held with a date
        {"status": "refunded", "closed_on": d.received_on - dt.timedelta(days=1)},
        {"status": "forfeited", "closed_on": TODAY()},  # forfeited without its receipt
        {"receipt": fs.receipt_create(actor=aw.w.user("finance"), project=aw.concluded,
                                      amount="1.00", received_on=TODAY(), voucher="R-X",
                                      budget_class="non_tax")},  # held with a receipt
        {"amount": D("0")},
    ):  # fmt: skip
        with pytest.raises(IntegrityError), transaction.atomic():
            Deposit.objects.filter(pk=d.pk).update(**bad)


def test_receipts_refuse_the_forfeited_kind_directly(aw):
    with pytest.raises(ValidationError) as exc:
        fs.receipt_create(actor=aw.w.user("finance"), project=aw.concluded, amount="1.00",
                          received_on=TODAY(), voucher="R-F", budget_class="non_tax",
                          kind="forfeited_deposit")  # fmt: skip
    assert "kind" in exc.value.message_dict


def test_reconciliation_counts_deposits_held_and_kinds(aw):
    d1 = _deposit(aw, bidder="A", voucher="DEP-A")
    d2 = _deposit(aw, bidder="B", voucher="DEP-B", amount="200000.00")
    deposit_transition(actor=aw.w.user("head"), deposit=d2, action="forfeit", reason="late")
    rep = reconciliation(aw.w.user("auditor"), start=TODAY(), end=TODAY(), granularity="month")
    row = rep.rows[-1]
    assert row.deposits_held == d1.amount
    assert row.received_by_kind.get("forfeited_deposit") == D("200000.00")
    assert rep.reconciles


# --- API ---------------------------------------------------------------------------------------

LISTERS = READERS_A | READERS_B


@per_caller(CALLERS)
def test_deposit_api_per_caller(aw, who):
    d = _deposit(aw)
    c = client_for(aw.w, who)
    r = call(c, "GET", "/api/v1/deposits?ordering=-amount")
    assert r.status_code == expect(403, **dict.fromkeys(LISTERS, 200))[who]
    if r.status_code == 200:
        ids = [row["id"] for row in r.json()["results"]]
        assert ids == ([d.pk] if who in READERS_A else [])
    r = call(c, "GET", f"/api/v1/deposits/{d.pk}")
    assert r.status_code == expect(403, **dict.fromkeys(READERS_A, 200),
                                   **dict.fromkeys(READERS_B, 404))[who]  # fmt: skip
    body = {"project": aw.concluded.pk, "bidder": "New Bidder", "amount": "1000.00",
            "received_on": str(TODAY()), "voucher": f"API-{who}"}  # fmt: skip
    before = _counts()
    r = call(c, "POST", "/api/v1/deposits", body)
    assert r.status_code == expect(403, finance=201, outsider_finance=404)[who]
    if r.status_code != 201:
        assert _counts() == before
    before = _counts()
    r = call(c, "POST", f"/api/v1/deposits/{d.pk}/steps", {"action": "forfeit", "reason": "x"})
    want = expect(403, head=200, deputy=200, deputy2=200, **dict.fromkeys(READERS_B, 404))
    assert r.status_code == want[who]
    if r.status_code == 200:
        assert r.json()["status"] == "forfeited" and r.json()["receipt_id"]
    else:
        assert _counts() == before


def test_deposit_api_bad_input(aw):
    c = client_for(aw.w, "finance")
    body = {"project": aw.concluded.pk, "bidder": "X", "amount": "1.00",
            "received_on": str(TODAY()), "voucher": "V-9", "round": 999999}  # fmt: skip
    r = call(c, "POST", "/api/v1/deposits", body)
    assert r.status_code == 400 and "round" in r.json()["errors"]
    r = call(c, "POST", "/api/v1/deposits", {**body, "round": None, "amount": 5.5})
    assert r.status_code in (400, 422)
    d = _deposit(aw)
    r = call(c, "POST", f"/api/v1/deposits/{d.pk}/steps", {"action": "burn"})
    assert r.status_code == 422
    r = call(c, "POST", f"/api/v1/deposits/{d.pk}/steps",
             {"action": "refund", "on": str(d.received_on - dt.timedelta(days=1))})  # fmt: skip
    assert r.status_code == 400 and "on" in r.json()["errors"]
    assert Deposit.objects.get(pk=d.pk).status == "held"


# --- Pages -------------------------------------------------------------------------------------


def test_deposit_pages_per_user(aw):
    d = _deposit(aw)
    for name, status in statuses(aw.w, "/deposits/").items():
        assert status == (200 if name in MONEY_SECTION else 403), name
    for name, status in statuses(aw.w, f"/deposits/{d.pk}/").items():
        want = 200 if name in READERS_A else 404 if name in MONEY_SECTION else 403
        assert status == want, name
    for name, status in statuses(aw.w, f"/projects/{aw.concluded.pk}/deposits/new/").items():
        want = 200 if name == "finance" else 404 if name in READERS_B else 403
        assert status == want, name


def test_deposit_list_filters_sort_and_exports(aw):
    _deposit(aw, bidder="Alpha", voucher="DEP-A", amount="100.00")
    d = _deposit(aw, bidder="Beta", voucher="DEP-B", amount="900.00")
    deposit_transition(actor=aw.w.user("finance"), deposit=d, action="refund")
    c = client_for(aw.w, "auditor")
    page = c.get("/deposits/?status=held").content.decode()
    assert "DEP-A" in page and "DEP-B" not in page
    page = c.get("/deposits/?q=beta").content.decode()
    assert "DEP-B" in page and "DEP-A" not in page
    page = c.get("/deposits/?sort=-amount").content.decode()
    assert page.index("DEP-B") < page.index("DEP-A")
    csv = b"".join(c.get("/deposits/?format=csv").streaming_content).decode("utf-8-sig")
    assert "DEP-A" in csv and "DEP-B" in csv and "Beta" in csv
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(c.get("/deposits/?format=xlsx&status=refunded").content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "DEP-B"


def test_deposit_steps_on_the_page(aw):
    d = _deposit(aw, bidder="Buyer Ltd")
    fin = client_for(aw.w, "finance")
    page = fin.get(f"/deposits/{d.pk}/").content.decode()
    assert "Refund to the bidder" in page and "Forfeit" not in page.split("actions-card")[-1][:0]
    assert (
        client_for(aw.w, "auditor")
        .post(f"/deposits/{d.pk}/step/", {"action": "refund"})
        .status_code
        == 403
    )
    r = fin.post(f"/deposits/{d.pk}/step/", {"action": "apply", "on": str(TODAY())})
    assert r.status_code == 302
    assert Deposit.objects.get(pk=d.pk).status == "applied"
    r = fin.post(f"/deposits/{d.pk}/step/", {"action": "refund"})
    assert r.status_code == 400
    # The project page shows the panel to readers only.
    assert "deposits-panel" in fin.get(f"/projects/{aw.concluded.pk}/").content.decode()
    unit = client_for(aw.w, "unit_officer").get(f"/projects/{aw.concluded.pk}/")
    assert unit.status_code == 200 and "deposits-panel" not in unit.content.decode()


def test_deposit_form_records(aw):
    c = client_for(aw.w, "finance")
    url = f"/projects/{aw.concluded.pk}/deposits/new/"
    r = c.post(url, {"bidder": "Form Co", "amount": "1,000.00", "received_on": str(TODAY()),
                     "voucher": "F-1"})  # fmt: skip
    assert r.status_code == 302 and Deposit.objects.get(voucher="F-1").amount == D("1000.00")
    r = c.post(url, {"bidder": "Form Co", "amount": "1.00", "received_on": str(TODAY()),
                     "voucher": "F-1"})  # fmt: skip
    assert r.status_code == 200 and "form-errors" in r.content.decode()


@pytest.mark.django_db
@pytest.mark.slow
@pytest.mark.amount_check
def test_the_demo_seeds_deposits_and_an_overdue_instalment(small_demo):
    from panhuo.finance.expected_models import ExpectedReceipt
    from panhuo.finance.instalments import plan_lines

    statuses_seen = set(Deposit.objects.values_list("status", flat=True))
    assert {"held", "refunded", "forfeited"} <= statuses_seen
    forfeited = Deposit.objects.get(status="forfeited")
    assert forfeited.receipt.kind == "forfeited_deposit"
    plan = ExpectedReceipt.objects.filter(label="Down payment", cancelled=False).get()
    lines = plan_lines(plan.project, today=TODAY())
    principal = [x for x in lines if not x.line.expected.label.startswith("Interest")]
    assert [x.overdue for x in principal] == [False, False, True, False]
    # The deferred part carries interest, part of the expected receipts, and is secured.
    assert len(lines) - len(principal) == 3
    assert plan.project.deferred_terms.get(cancelled=False).security_kind == "guarantee"
