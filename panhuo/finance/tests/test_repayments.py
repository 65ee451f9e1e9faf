"""The repayment ledger: every source an entry with its date and document, outstanding =
principal − the ledger (held by the services, bounded by the database), bad input refused with
nothing written, and voiding a debt entered by mistake."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core.testing import concluded_project
from panhuo.finance import services as fs
from panhuo.finance.debts import repayments as rp
from panhuo.finance.models import Allocation, Debt, Receipt, Repayment
from panhuo.finance.selectors import debt_list
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.policy import NotPermitted

ISSUE = dt.date(2021, 1, 1)


def _debt(w, principal="1000.00", who="finance", **over):
    data = {
        "creditor": "Bank of the district",
        "debt_type": "general_bond",
        "principal": principal,
        "rate": Decimal("3.2"),
        "issue_date": ISSUE,
        "maturity_date": dt.date(2025, 1, 1),
    }
    data.update(over)
    return fs.debt_create(actor=w.user(who), jurisdiction=w.district, data=data)


def _repay(w, debt, amount, source="budget", on=dt.date(2025, 1, 1), who="finance", doc="财预1"):
    return rp.repayment_create(
        actor=w.user(who), debt=debt, source=source, amount=amount, repaid_on=on, document=doc
    )


def _state():
    return (Repayment.objects.count(), AuditEntry.objects.count(),
            list(Debt.objects.order_by("pk").values_list("outstanding", "version")))  # fmt: skip


def _ledger_holds():
    assert rp.ledger_mismatches(Debt.objects.all()) == []


def test_budget_and_refinancing_repay_a_matured_bond(world):
    debt = _debt(world)
    _repay(world, debt, "600.00", "refinancing", doc="再融资债券 2025-01")
    _repay(world, debt, "400.00", "budget", doc="财预〔2025〕3号")
    debt.refresh_from_db()
    assert debt.outstanding == Decimal("0.00")
    entries = list(rp.repayment_list(world.user("auditor"), debt=debt.pk))
    assert {(e.source, e.amount, e.document) for e in entries} == {
        ("refinancing", Decimal("600.00"), "再融资债券 2025-01"),
        ("budget", Decimal("400.00"), "财预〔2025〕3号"),
    }
    assert AuditEntry.objects.filter(action="repayment.create").count() == 2
    _ledger_holds()


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"amount": "1000.01"}, "amount"),  # more than outstanding
        ({"amount": "0"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"on": dt.date(2020, 12, 31)}, "repaid_on"),  # before issue
        ({"on": dt.date(2999, 1, 1)}, "repaid_on"),  # in the future
        ({"doc": "  "}, "document"),
        ({"source": "disposal"}, "source"),  # allocated from a receipt instead
        ({"source": "opening"}, "source"),
        ({"source": "gift"}, "source"),
    ],
)
def test_bad_repayments_name_the_field_and_write_nothing(world, kwargs, field):
    debt = _debt(world)
    args = {"amount": "100.00", **kwargs}
    before = _state()
    with pytest.raises(ValidationError) as exc:
        _repay(world, debt, **args)
    assert field in exc.value.message_dict, exc.value.message_dict
    assert _state() == before


def test_more_than_outstanding_after_earlier_repayments(world):
    debt = _debt(world)
    _repay(world, debt, "700.00")
    before = _state()
    with pytest.raises(ValidationError) as exc:
        _repay(world, debt, "300.01", "write_off")
    assert "300.01 exceeds the outstanding amount" in str(exc.value)
    assert _state() == before


def test_only_finance_records_repayments(world):
    debt = _debt(world)
    for who in ("office", "auditor", "head", "unit_officer"):
        with pytest.raises(NotPermitted):
            _repay(world, debt, "1.00", who=who)
    outsider = world.user("outsider_finance")
    with pytest.raises(NotPermitted):
        rp.repayment_create(actor=outsider, debt=debt, source="budget", amount="1.00",
                            repaid_on=dt.date(2025, 1, 1), document="X")  # fmt: skip
    assert not Repayment.objects.exists()


def test_part_repaid_registration_gets_an_opening_entry(world):
    debt = _debt(world, outstanding="250.00")
    assert debt.outstanding == Decimal("250.00")
    (entry,) = Repayment.objects.filter(debt=debt)
    assert (entry.source, entry.amount) == ("opening", Decimal("750.00"))
    assert entry.repaid_on >= debt.issue_date
    _ledger_holds()
    # A full-principal registration has none.
    assert not Repayment.objects.filter(debt=_debt(world)).exists()


def test_reversing_a_manual_repayment(world):
    debt = _debt(world)
    entry = _repay(world, debt, "300.00")
    with pytest.raises(ValidationError):
        rp.repayment_reverse(actor=world.user("finance"), repayment=entry, reason=" ")
    reversal = rp.repayment_reverse(actor=world.user("finance"), repayment=entry, reason="typo")
    assert reversal.reverses == entry and reversal.signed_amount == Decimal("-300.00")
    debt.refresh_from_db()
    assert debt.outstanding == Decimal("1000.00")
    with pytest.raises(ValidationError, match="already reversed"):
        rp.repayment_reverse(actor=world.user("finance"), repayment=entry, reason="again")
    with pytest.raises(ValidationError, match="cannot itself"):
        rp.repayment_reverse(actor=world.user("finance"), repayment=reversal, reason="x")
    _ledger_holds()


def test_allocations_and_their_reversals_are_ledger_entries(world):
    debt = _debt(world)
    project = concluded_project(world, deal_price=Decimal("1000.00"))
    receipt = fs.receipt_create(actor=world.user("finance"), project=project, amount="500.00",
                                received_on=dt.date(2026, 1, 5), voucher="V-9",
                                budget_class="non_tax")  # fmt: skip
    alloc = fs.allocation_create(actor=world.user("finance"), receipt=receipt, debt=debt,
                                 amount="200.00", allocated_on=dt.date(2026, 1, 6))  # fmt: skip
    entry = alloc.repayment
    assert (entry.source, entry.amount, entry.document, entry.repaid_on) == (
        "disposal",
        Decimal("200.00"),
        "V-9",
        dt.date(2026, 1, 6),
    )
    with pytest.raises(ValidationError):  # disposal proceeds are undone through the allocation
        rp.repayment_reverse(actor=world.user("finance"), repayment=entry, reason="x")
    reversal = fs.allocation_reverse(actor=world.user("finance"), allocation=alloc, reason="wrong")
    assert reversal.repayment.reverses == entry
    debt.refresh_from_db()
    assert debt.outstanding == Decimal("1000.00")
    _ledger_holds()
    # An allocation dated before the debt was issued is refused, naming the date.
    with pytest.raises(ValidationError) as exc:
        fs.allocation_create(actor=world.user("finance"), receipt=receipt, debt=debt,
                             amount="1.00", allocated_on=dt.date(2020, 1, 1))  # fmt: skip
    assert "allocated_on" in exc.value.message_dict


def test_a_swap_is_a_ledger_entry(world):
    debt = _debt(world)
    project = concluded_project(world, deal_price=Decimal("1000.00"))
    settlement = fs.debt_settle_non_cash(actor=world.user("finance"), debt=debt, project=project,
                                         amount="400.00", on=dt.date(2026, 1, 2))  # fmt: skip
    assert settlement.repayment.source == "swap"
    assert settlement.repayment.document == project.code
    debt.refresh_from_db()
    assert debt.outstanding == Decimal("600.00")
    _ledger_holds()


def test_database_bounds_outstanding(world):
    debt = _debt(world)
    for bad in ("-0.01", "1000.01"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Debt.objects.filter(pk=debt.pk).update(outstanding=Decimal(bad))
    with pytest.raises(IntegrityError), transaction.atomic():
        Repayment.objects.create(debt=debt, source="budget", amount=Decimal("1"),
                                 repaid_on=ISSUE, document="")  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Repayment.objects.create(debt=debt, source="disposal", amount=Decimal("1"),
                                 repaid_on=ISSUE, document="V")  # fmt: skip


# --- voiding ----------------------------------------------------------------------------------


def test_void_keeps_marks_excludes_and_audits(world):
    from panhuo.finance.debts.indicators import indicators_for

    keep = _debt(world, principal="500.00")
    mistake = _debt(world, principal="9999.00")
    finance = world.user("finance")
    with pytest.raises(ValidationError) as exc:
        rp.debt_void(actor=finance, debt=mistake, reason="")
    assert "reason" in exc.value.message_dict
    with pytest.raises(NotPermitted):
        rp.debt_void(actor=world.user("office"), debt=mistake, reason="typo")
    voided = rp.debt_void(actor=finance, debt=mistake, reason="entered twice")
    assert voided.voided_at and voided.voided_by == finance and voided.void_reason
    assert Debt.objects.filter(pk=mistake.pk).exists()  # kept, never deleted
    assert AuditEntry.objects.filter(action="debt.void", object_id=str(mistake.pk)).exists()
    assert list(debt_list(finance)) == [keep]
    assert set(debt_list(finance, voided="include")) == {keep, mistake}
    assert list(debt_list(finance, voided="only")) == [mistake]
    assert indicators_for(finance, world.district).outstanding == Decimal("500.00")
    assert list(rp.outstanding_as_of(Debt.objects.all(), timezone.localdate())) == [keep.pk]
    before = _state()
    with pytest.raises(ValidationError, match="voided"):
        _repay(world, mistake, "1.00")
    with pytest.raises(ValidationError, match="voided"):
        rp.debt_void(actor=finance, debt=mistake, reason="again")
    assert _state() == before


def test_void_refused_while_proceeds_are_allocated(world):
    debt = _debt(world)
    project = concluded_project(world, deal_price=Decimal("1000.00"))
    receipt = fs.receipt_create(actor=world.user("finance"), project=project, amount="500.00",
                                received_on=dt.date(2026, 1, 5), voucher="V-1",
                                budget_class="non_tax")  # fmt: skip
    alloc = fs.allocation_create(actor=world.user("finance"), receipt=receipt, debt=debt,
                                 amount="100.00")  # fmt: skip
    with pytest.raises(ValidationError, match="reverse the allocations"):
        rp.debt_void(actor=world.user("finance"), debt=debt, reason="mistake")
    fs.allocation_reverse(actor=world.user("finance"), allocation=alloc, reason="mistake")
    rp.debt_void(actor=world.user("finance"), debt=debt, reason="mistake")
    with pytest.raises(ValidationError, match="voided"):
        fs.allocation_create(actor=world.user("finance"), receipt=receipt, debt=debt,
                             amount="1.00")  # fmt: skip
    assert Receipt.objects.get(pk=receipt.pk).allocated == Decimal("0.00")


# --- as of a date -----------------------------------------------------------------------------


def test_outstanding_as_of_ignores_later_entries_and_later_debts(world):
    debt = _debt(world)
    _repay(world, debt, "100.00", on=dt.date(2023, 6, 30))
    _repay(world, debt, "200.00", on=dt.date(2024, 6, 30))
    later = _debt(world, issue_date=dt.date(2024, 1, 1), maturity_date=dt.date(2030, 1, 1))
    qs = Debt.objects.all()
    assert rp.outstanding_as_of(qs, dt.date(2022, 12, 31)) == {debt.pk: Decimal("1000.00")}
    assert rp.outstanding_as_of(qs, dt.date(2023, 6, 30)) == {debt.pk: Decimal("900.00")}
    assert rp.outstanding_as_of(qs, dt.date(2024, 12, 31)) == {
        debt.pk: Decimal("700.00"), later.pk: Decimal("1000.00")}  # fmt: skip
    annotated = {d.pk: d.outstanding_on
                 for d in rp.with_outstanding_as_of(qs, dt.date(2023, 12, 31))}  # fmt: skip
    assert annotated == {debt.pk: Decimal("900.00")}


# --- the property -----------------------------------------------------------------------------

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("600.00"), places=2)
days = st.dates(min_value=dt.date(2020, 6, 1), max_value=dt.date(2026, 1, 31))
ops = st.one_of(
    st.tuples(st.just("repay"), st.integers(0, 2), amounts, days,
              st.sampled_from(["budget", "refinancing", "write_off"])),
    st.tuples(st.just("allocate"), st.integers(0, 2), amounts, days),
    st.tuples(st.just("reverse_allocation"), st.integers(0, 9)),
    st.tuples(st.just("reverse_repayment"), st.integers(0, 9)),
    st.tuples(st.just("swap"), st.integers(0, 2), amounts, days),
)  # fmt: skip


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    principals=st.lists(amounts, min_size=1, max_size=3),
    opening=st.lists(st.decimals(min_value=0, max_value=1, places=2), min_size=3, max_size=3),
    steps=st.lists(ops, max_size=14),
)
def test_any_sequence_keeps_outstanding_equal_to_principal_less_the_ledger(
    world, principals, opening, steps
):
    """Whatever sequence of repayments from every source, allocations, swaps and reversals is
    attempted (many refused: too large, before issue, already reversed), after each step every
    debt's outstanding equals its principal less its ledger, lies within [0, principal], and a
    refused step wrote nothing. As of today the ledger gives the stored balances."""
    finance = world.user("finance")
    with transaction.atomic():
        project = concluded_project(world, deal_price=Decimal("5000.00"))
        receipt = fs.receipt_create(actor=finance, project=project, amount="5000.00",
                                    received_on=dt.date(2026, 1, 5), voucher="V-P",
                                    budget_class="non_tax")  # fmt: skip
        debts = [
            _debt(world, principal=str(p), outstanding=str((p * f).quantize(Decimal("0.01"))),
                  issue_date=dt.date(2021, 1, 1 + i))
            for i, (p, f) in enumerate(zip(principals, opening, strict=False))
        ]  # fmt: skip
        for step in steps:
            before = _state()
            try:
                match step:
                    case ("repay", i, amount, day, source):
                        _repay(world, debts[i % len(debts)], str(amount), source, on=day)
                    case ("allocate", i, amount, day):
                        fs.allocation_create(actor=finance, receipt=receipt,
                                             debt=debts[i % len(debts)], amount=str(amount),
                                             allocated_on=day)  # fmt: skip
                    case ("swap", i, amount, day):
                        debt = debts[i % len(debts)]
                        fs.debt_settle_non_cash(actor=finance, debt=debt, project=project,
                                                amount=str(amount), on=day)  # fmt: skip
                    case ("reverse_allocation", k):
                        allocs = list(Allocation.objects.order_by("pk"))
                        if allocs:
                            fs.allocation_reverse(actor=finance, allocation=allocs[k % len(allocs)],
                                                  reason="test")  # fmt: skip
                    case ("reverse_repayment", k):
                        entries = list(Repayment.objects.order_by("pk"))
                        if entries:
                            rp.repayment_reverse(actor=finance, repayment=entries[k % len(entries)],
                                                 reason="test")  # fmt: skip
            except ValidationError:
                assert _state() == before
            _ledger_holds()
            for d in Debt.objects.all():
                assert 0 <= d.outstanding <= d.principal
        stored = dict(Debt.objects.values_list("pk", "outstanding"))
        assert rp.outstanding_as_of(Debt.objects.all(), timezone.localdate()) == stored
        transaction.set_rollback(True)


def test_the_backfill_migration_rebuilds_the_ledger_of_existing_debts(world):
    """Migration 0015 on debts that existed before the ledger: one entry per allocation and
    reversal, per swap, and an opening entry for the rest, so that nothing moves."""
    import importlib

    from django.apps import apps

    backfill = importlib.import_module(
        "panhuo.finance.migrations.0015_repayment_ledger_backfill"
    ).backfill
    finance = world.user("finance")
    part = _debt(world, outstanding="600.00")
    full = _debt(world)
    project = concluded_project(world, deal_price=Decimal("1000.00"))
    receipt = fs.receipt_create(actor=finance, project=project, amount="500.00",
                                received_on=dt.date(2026, 1, 5), voucher="V-M",
                                budget_class="non_tax")  # fmt: skip
    kept = fs.allocation_create(actor=finance, receipt=receipt, debt=part, amount="100.00")
    gone = fs.allocation_create(actor=finance, receipt=receipt, debt=full, amount="50.00")
    fs.allocation_reverse(actor=finance, allocation=gone, reason="wrong debt")
    fs.debt_settle_non_cash(actor=finance, debt=full, project=project, amount="30.00",
                            on=dt.date(2026, 1, 2))  # fmt: skip
    stored = dict(Debt.objects.values_list("pk", "outstanding"))
    Repayment.objects.filter(reverses__isnull=False).delete()
    Repayment.objects.all().delete()
    backfill(apps, None)
    assert dict(Debt.objects.values_list("pk", "outstanding")) == stored
    _ledger_holds()
    rows = Repayment.objects.values_list("debt_id", "source", "amount", "reverses_id")
    assert sorted((d, s, a, r is not None) for d, s, a, r in rows) == sorted([
        (part.pk, "disposal", Decimal("100.00"), False),
        (part.pk, "opening", Decimal("400.00"), False),
        (full.pk, "disposal", Decimal("50.00"), False),
        (full.pk, "disposal", Decimal("50.00"), True),
        (full.pk, "swap", Decimal("30.00"), False),
    ])  # fmt: skip
    assert Repayment.objects.get(allocation=kept).document == "V-M"
