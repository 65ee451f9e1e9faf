"""What each channel records: rounds and relisting, the state-owned counterparty, contracts
with their schedules, renewals and arrears, tranches, and the debt a swap settles."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core.testing import approved
from panhuo.core.workdays import add_working_days
from panhuo.disposal import services as ds
from panhuo.disposal.channel_models import ListingRound
from panhuo.disposal.tests.test_workflow import _debt, _draft, _soe, _tables_only  # noqa: F401
from panhuo.finance import expected as fx
from panhuo.finance import services as fs
from panhuo.finance.expected_models import ExpectedReceipt
from panhuo.finance.models import Debt, DebtSettlement
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.models import Unit


def _approved(w, channel, **kw):
    p = _draft(w, channel=channel)
    submit = {"comment": "Restructuring approved by the city", **kw}
    p = ds.project_transition(actor=w.user("office"), project=p, transition="submit", **submit)
    return approved(w, p)


def _pay(w, project, amount, n=1):
    return fs.receipt_create(
        actor=w.user("finance"), project=project, amount=str(amount),
        received_on=timezone.localdate(), voucher=f"R-{project.pk}-{n}", budget_class="non_tax",
    )  # fmt: skip


def test_auction_rounds_relist_at_a_reduced_reserve_then_sell(world):
    office = world.user("office")
    p = _approved(world, "auction")
    today = timezone.localdate()
    p = ds.project_transition(
        actor=office, project=p, transition="list", platform="Qinghe Exchange", listed_on=today
    )
    assert p.due_on == add_working_days(today, 20, jurisdiction=world.district)
    with pytest.raises(ValidationError) as exc:
        ds.project_transition(
            actor=office, project=p, transition="relist", comment="no bids",
            reserve_price=Decimal("100.00"),
        )  # fmt: skip
    assert "reserve_price" in exc.value.message_dict
    assert p.rounds.count() == 1
    p = ds.project_transition(
        actor=office, project=p, transition="relist", comment="No bidder registered.",
        reserve_price=Decimal("92.00"),
    )  # fmt: skip
    assert p.reserve_price == Decimal("92.00") and p.status == "listed"
    p = ds.project_transition(
        actor=office, project=p, transition="conclude", deal_price=Decimal("95.00"),
        buyer="Binjiang Ltd", bidders=3,
    )  # fmt: skip
    rounds = list(p.rounds.values_list("number", "reserve", "result", "bidders", "deal_price"))
    assert rounds == [
        (1, Decimal("100.00"), "no_sale", None, None),
        (2, Decimal("92.00"), "sold", 3, Decimal("95.00")),
    ]
    assert list(p.events.values_list("transition", flat=True)) == [
        "submit", "approve", "list", "relist", "conclude",
    ]  # fmt: skip
    # The payment term runs: 5 working days, one expected receipt for the deal price.
    assert p.due_on == add_working_days(today, 5, jurisdiction=world.district)
    assert list(p.expected_receipts.values_list("amount", "kind")) == [
        (Decimal("95.00"), "payment")
    ]
    # The result notice goes up at the deal (the contract is in force): the payment term
    # still runs while it is up; paid in full, the project waits for the notice to end.
    p = ds.project_transition(actor=office, project=p, transition="publish_result")
    assert p.status == "published" and p.result_published_on == today
    assert p.due_on == add_working_days(today, 5, jurisdiction=world.district)
    _pay(world, p, "95.00")
    p = ds.project_transition(actor=world.user("finance"), project=p, transition="confirm_payment")
    assert p.status == "paid"
    assert p.due_on == add_working_days(today, 5, jurisdiction=world.district)
    p = ds.project_transition(actor=office, project=p, transition="close")
    assert p.status == "closed" and p.due_on is None


def test_a_sale_needs_a_bidder(world):
    p = _approved(world, "exchange")
    p = ds.project_transition(actor=world.user("office"), project=p, transition="list")
    with pytest.raises(ValidationError) as exc:
        ds.project_transition(
            actor=world.user("office"), project=p, transition="conclude",
            deal_price=Decimal("120.00"), buyer="B", bidders=0,
        )  # fmt: skip
    assert "bidders" in exc.value.message_dict
    assert ListingRound.objects.get(project=p).result == "open"


def test_negotiated_transfer_only_to_state_owned_counterparties(world):
    office = world.user("office")
    p = _draft(world, channel="negotiated")
    dept = Unit.objects.create(
        code="T-DEPT", name="Water Bureau", kind="department", jurisdiction=world.district
    )
    for kw, field in [
        ({"counterparty_unit": dept.pk}, "counterparty_unit"),
        ({"counterparty": "Private Holdings Ltd"}, "counterparty_soe"),
        ({}, "counterparty"),
    ]:
        with pytest.raises(ValidationError) as exc:
            ds.project_transition(
                actor=office, project=p, transition="submit", comment="reason", **kw
            )
        assert field in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        ds.project_transition(
            actor=office, project=p, transition="submit", counterparty_unit=_soe(world).pk
        )
    assert "comment" in exc.value.message_dict
    p.refresh_from_db()
    assert p.status == "draft" and not hasattr(p, "terms")
    p = ds.project_transition(
        actor=office, project=p, transition="submit", counterparty="Provincial Port Group",
        counterparty_soe=True, comment="Port restructuring approved by the province.",
    )  # fmt: skip
    assert p.terms.counterparty == "Provincial Port Group"
    assert p.terms.reason.startswith("Port restructuring")
    p = approved(world, p)
    assert p.due_on == add_working_days(timezone.localdate(), 20, jurisdiction=world.district)
    p = ds.project_transition(
        actor=office, project=p, transition="conclude", deal_price=Decimal("130.00")
    )
    assert (p.status, p.buyer) == ("concluded", "Provincial Port Group")


def test_transfer_to_a_state_owned_company(world):
    p = _approved(world, "soe_transfer")
    p = ds.project_transition(
        actor=world.user("office"), project=p, transition="transfer",
        counterparty_unit=_soe(world).pk, deal_price=Decimal("500.00"),
    )  # fmt: skip
    assert (p.status, p.buyer, p.deal_price) == ("concluded", "City Investment Group", 500)
    assert not p.expected_receipts.exists()  # no cash: the value moves as equity
    p = ds.project_transition(actor=world.user("office"), project=p, transition="close")
    assert p.status == "closed"


def test_lease_schedule_renewal_arrears_and_end(world):
    office, finance = world.user("office"), world.user("finance")
    today = timezone.localdate()
    start = today.replace(day=1) - dt.timedelta(days=95)
    start = start.replace(day=1)
    p = _approved(world, "lease")
    p = ds.project_transition(
        actor=office, project=p, transition="sign", counterparty="Qinghe Café Ltd",
        term_start=start, term_end=start.replace(year=start.year + 1),
        period_amount=Decimal("3000.00"), frequency="quarterly", deposit=Decimal("1000.00"),
    )  # fmt: skip
    assert p.status == "in_force" and p.buyer == "Qinghe Café Ltd"
    rows = list(p.expected_receipts.values_list("kind", "amount"))
    assert rows == [("deposit", Decimal("1000.00"))] + [("rent", Decimal("3000.00"))] * 4
    assert p.deal_price == Decimal("13000.00")
    assert p.due_on == p.contract.term_end
    # Two quarters (and the deposit) are due already; nothing paid: arrears.
    owed, since = fx.arrears(p, today=today)
    assert owed == Decimal("7000.00") and since == start
    p = ds.project_transition(actor=finance, project=p, transition="flag_arrears")
    assert p.status == "in_arrears" and p.due_on == start
    with pytest.raises(ValidationError, match=r"7000\.00"):
        ds.project_transition(actor=finance, project=p, transition="clear_arrears")
    _pay(world, p, "7000.00")
    p = ds.project_transition(actor=finance, project=p, transition="clear_arrears")
    assert p.status == "in_force"
    with pytest.raises(ValidationError):
        ds.project_transition(actor=finance, project=p, transition="clear_arrears")
    old_end = p.contract.term_end
    p = ds.project_transition(
        actor=office, project=p, transition="renew",
        term_end=old_end.replace(year=old_end.year + 1), period_amount=Decimal("3300.00"),
    )  # fmt: skip
    assert p.contract.term_end == old_end.replace(year=old_end.year + 1)
    assert p.contract.renewals.get().previous_end == old_end
    assert p.deal_price == Decimal("13000.00") + 4 * Decimal("3300.00")
    assert p.expected_receipts.count() == 9
    p = ds.project_transition(actor=office, project=p, transition="end", comment="Tenant left.")
    assert p.status == "ended"
    kept = p.expected_receipts.filter(cancelled=False)
    assert all(e.due_date <= today for e in kept)
    # The rows cancelled carry when (a forecast as of an earlier day still counts them).
    ended = p.events.get(to_status="ended").at
    gone = p.expected_receipts.filter(cancelled=True).values_list("cancelled_at", flat=True)
    assert gone and all(ended - dt.timedelta(minutes=5) < at <= ended for at in gone)
    assert p.deal_price == sum(e.amount for e in kept)
    # What fell due up to the end is what the contract was worth; it was paid: close.
    assert p.deal_price == Decimal("7000.00")
    p = ds.project_transition(actor=office, project=p, transition="close")
    assert p.status == "closed"


def test_concession_fee_schedule(world):
    p = _approved(world, "concession")
    start = dt.date(2027, 1, 1)
    p = ds.project_transition(
        actor=world.user("office"), project=p, transition="sign",
        counterparty="Qinghe Parking Operations", term_start=start, term_end=dt.date(2030, 1, 1),
        period_amount=Decimal("50000.00"), frequency="yearly",
    )  # fmt: skip
    assert list(p.expected_receipts.values_list("due_date", "kind")) == [
        (dt.date(2027, 1, 1), "fee"), (dt.date(2028, 1, 1), "fee"), (dt.date(2029, 1, 1), "fee"),
    ]  # fmt: skip
    assert "renew" not in {t.name for t in ds.available_transitions(world.user("office"), p)}


def test_contract_input_is_checked_and_nothing_is_half_written(world):
    p = _approved(world, "lease")
    n = AuditEntry.objects.count()
    for bad, field in [
        ({"term_end": dt.date(2025, 1, 1)}, "term_end"),
        ({"frequency": "weekly"}, "frequency"),
        ({"period_amount": "0"}, "period_amount"),
        ({"counterparty": ""}, "counterparty"),
    ]:
        data = {"counterparty": "T", "term_start": dt.date(2026, 1, 1),
                "term_end": dt.date(2027, 1, 1), "period_amount": "10.00",
                "frequency": "monthly", **bad}  # fmt: skip
        with pytest.raises(ValidationError) as exc:
            ds.project_transition(actor=world.user("office"), project=p, transition="sign", **data)
        assert field in exc.value.message_dict
    p.refresh_from_db()
    assert p.status == "approved" and not p.expected_receipts.exists()
    assert AuditEntry.objects.count() == n


def test_securitisation_tranches_and_proceeds(world):
    p = _approved(world, "securitisation")
    p = ds.project_transition(
        actor=world.user("office"), project=p, transition="issue", buyer="Qinghe REIT No. 1",
        tranches=[{"name": "A", "size": "800.00", "rate": "3.2"},
                  {"name": "B", "size": "200.00", "rate": "5.5"}],
    )  # fmt: skip
    assert p.deal_price == Decimal("1000.00")
    assert list(p.tranches.values_list("name", "size")) == [
        ("A", Decimal("800.00")), ("B", Decimal("200.00")),
    ]  # fmt: skip
    _pay(world, p, "800.00")
    states = {line.expected.label: line.state for line in fx.lines(p, today=timezone.localdate())}
    assert states == {"A": "paid", "B": "open"}
    with pytest.raises(ValidationError):
        ds.project_transition(actor=world.user("office"), project=p, transition="confirm_payment")


def test_tranches_need_unique_names_and_sane_rates(world):
    p = _approved(world, "securitisation")
    for tranches in (
        [],
        [{"name": "A", "size": "1.00", "rate": "3"}, {"name": "A", "size": "1.00", "rate": "3"}],
        [{"name": "A", "size": "1.00", "rate": "300"}],
    ):
        with pytest.raises(ValidationError) as exc:
            ds.project_transition(
                actor=world.user("office"), project=p, transition="issue", buyer="V",
                tranches=tranches,
            )  # fmt: skip
        assert "tranches" in exc.value.message_dict
    assert not p.tranches.exists()


def _swap(w, debt, value):
    p = _approved(w, "debt_swap")
    return ds.project_transition(
        actor=w.user("office"), project=p, transition="agree_swap", debt=debt.pk,
        deal_price=Decimal(value),
    )  # fmt: skip


def test_swap_settles_the_debt_without_cash(world):
    debt = _debt(world, outstanding="1000.00")
    p = _swap(world, debt, "400.00")
    assert (p.status, p.buyer) == ("concluded", "Bank of Qinghe")
    debt.refresh_from_db()
    assert debt.outstanding == Decimal("1000.00")  # nothing moves until execution
    p = ds.project_transition(actor=world.user("finance"), project=p, transition="execute_swap")
    debt.refresh_from_db()
    assert debt.outstanding == Decimal("600.00") and p.status == "closed"
    s = DebtSettlement.objects.get(project=p)
    assert s.amount == Decimal("400.00")
    assert AuditEntry.objects.filter(action="debt.settle_non_cash").count() == 1
    assert not p.receipts.exists()


def test_swap_above_outstanding_is_refused_at_agreement_and_at_execution(world):
    debt = _debt(world, outstanding="300.00")
    with pytest.raises(ValidationError, match="exceeds the outstanding"):
        _swap(world, debt, "300.01")
    p = _swap(world, debt, "300.00")
    # The debt is partly repaid in cash meanwhile: the swap may no longer settle 300.
    Debt.objects.filter(pk=debt.pk).update(outstanding=Decimal("100.00"))
    with pytest.raises(ValidationError, match="exceeds the outstanding"):
        ds.project_transition(actor=world.user("finance"), project=p, transition="execute_swap")
    p.refresh_from_db()
    debt.refresh_from_db()
    assert p.status == "concluded" and debt.outstanding == Decimal("100.00")
    assert not DebtSettlement.objects.exists()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    outstanding=st.integers(min_value=1, max_value=10**9),
    agreed=st.integers(min_value=1, max_value=10**9),
)
def test_swaps_conserve_money(world, outstanding, agreed):
    """The debt falls by exactly the agreed value, or nothing happens; never below zero."""
    out, value = Decimal(outstanding) / 100, Decimal(agreed) / 100
    with transaction.atomic():
        debt = _debt(world, outstanding=str(out))
        try:
            p = _swap(world, debt, str(value))
        except ValidationError:
            assert value > out
        else:
            ds.project_transition(actor=world.user("finance"), project=p, transition="execute_swap")
            debt.refresh_from_db()
            assert debt.outstanding == out - value >= 0
            settled = sum(s.amount for s in debt.settlements.all())
            assert settled == value
        transaction.set_rollback(True)


def test_receipts_are_matched_to_expected_in_due_order(world):
    p = _approved(world, "lease")
    p = ds.project_transition(
        actor=world.user("office"), project=p, transition="sign", counterparty="T",
        term_start=dt.date(2026, 1, 1), term_end=dt.date(2026, 4, 1),
        period_amount=Decimal("100.00"), frequency="monthly",
    )  # fmt: skip
    _pay(world, p, "150.00")
    lines = fx.lines(p, today=dt.date(2026, 3, 15))
    assert [(line.paid, line.due, line.state) for line in lines] == [
        (Decimal("100.00"), Decimal("0.00"), "paid"),
        (Decimal("50.00"), Decimal("50.00"), "arrears"),
        (Decimal("0.00"), Decimal("100.00"), "arrears"),
    ]
    assert ExpectedReceipt.objects.filter(project=p).count() == 3


def test_the_page_offers_each_step_with_the_form_it_needs(world):
    from django.urls import reverse

    from panhuo.core.tests.api_support import client_for

    p = _approved(world, "lease")
    office = client_for(world, "office")
    body = office.get(p.get_absolute_url()).content.decode()
    assert 'name="sign-term_start"' in body and 'name="sign-frequency"' in body
    assert "project-transition" not in body and 'value="list"' not in body
    r = office.post(
        reverse("project-transition", args=[p.pk, "sign"]),
        {"sign-counterparty": "Qinghe Café Ltd", "sign-term_start": "2026-01-01",
         "sign-term_end": "2027-01-01", "sign-period_amount": "1,000.00",
         "sign-frequency": "quarterly", "sign-comment": ""},
    )  # fmt: skip
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == "in_force" and p.contract.counterparty == "Qinghe Café Ltd"
    body = client_for(world, "finance").get(p.get_absolute_url()).content.decode()
    assert 'data-testid="expected"' in body and 'name="renew-term_end"' not in body
    # The auditor sees the records, and no step.
    body = client_for(world, "auditor").get(p.get_absolute_url()).content.decode()
    assert "Qinghe Café Ltd" in body and 'name="do"' not in body


def test_api_takes_each_channels_step_with_its_fields(world):
    from panhuo.core.tests.api_support import call, client_for, fingerprint

    p = _approved(world, "lease")
    office = client_for(world, "office")
    url = f"/api/v1/projects/{p.pk}/transitions"
    body = {
        "transition": "sign",
        "counterparty": "Qinghe Café Ltd",
        "term_start": "2026-01-01",
        "term_end": "2025-06-30",
        "period_amount": "900.00",
        "frequency": "monthly",
    }
    before = fingerprint()
    r = call(office, "POST", url, body)
    assert r.status_code == 400 and "term_end" in r.json()["errors"]
    r = call(office, "POST", url, {"transition": "list"})
    assert r.status_code == 400
    message = r.json()["errors"]["transition"][0]
    assert "list" in message and "approved" in message and "lease" in message
    assert fingerprint() == before
    r = call(office, "POST", url, {**body, "term_end": "2026-07-01"})
    assert r.status_code == 200 and r.json()["status"] == "in_force"
    assert r.json()["deal_price"] == "5400.00"
    r = call(client_for(world, "finance"), "GET", f"/api/v1/projects/{p.pk}/expected-receipts")
    assert [(x["kind"], x["amount"]) for x in r.json()] == [("rent", "900.00")] * 6
    names = [
        t["name"]
        for t in call(office, "GET", f"/api/v1/projects/{p.pk}").json()["available_transitions"]
    ]
    assert set(names) == {"flag_arrears", "end", "renew"}
