"""``panhuo audit reconcile``: rows written through the services agree with their audit entries;
a row changed, inserted or deleted in SQL is reported with table, id, field, audited value and
current value; the seeded demo reconciles clean (every service's entries carry enough)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from panhuo.core.testing import AssetFactory, concluded_project
from panhuo.finance import services as fs
from panhuo.finance.models import Allocation, Receipt
from panhuo.integrity.reconcile import reconcile, registered
from panhuo.integrity.services import audit_record, snapshot
from panhuo.register.services import asset_create

pytestmark = pytest.mark.django_db


def found() -> dict[tuple[str, str, str], object]:
    return {(d.table, d.object_id, d.field): d for d in reconcile().differences}


@pytest.fixture
def money(world):
    """A receipt, a debt and two allocations, written through the services."""
    finance = world.user("finance")
    project = concluded_project(world)
    receipt = fs.receipt_create(actor=finance, project=project, amount="1000.00",
                                received_on=dt.date(2026, 1, 10), voucher="R-1",
                                budget_class="non_tax")  # fmt: skip
    debt = fs.debt_create(actor=finance, jurisdiction=world.district, data={
        "creditor": "Supplier", "debt_type": "arrears", "principal": "900.00",
        "rate": Decimal("0"), "issue_date": dt.date(2024, 1, 1),
        "maturity_date": dt.date(2027, 1, 1)})  # fmt: skip
    kept = fs.allocation_create(actor=finance, receipt=receipt, debt=debt, amount="100.00")
    gone = fs.allocation_create(actor=finance, receipt=receipt, debt=debt, amount="200.00")
    fs.allocation_reverse(actor=finance, allocation=gone, reason="wrong debt")
    return project, receipt, debt, kept, gone


def test_every_audited_kind_is_registered():
    labels = {label for label, _spec in registered()}
    assert labels >= {
        "register.asset", "disposal.package", "disposal.disposalproject", "finance.receipt",
        "finance.allocation", "finance.debt", "finance.deposit", "pricing.valuation",
        "organisation.roleassignment",
    }  # fmt: skip


def test_service_writes_agree_with_their_entries(money):
    project, receipt, debt, kept, gone = money
    mine = {
        ("finance_receipt", str(receipt.pk)),
        ("finance_debt", str(debt.pk)),
        ("finance_allocation", str(kept.pk)),
        ("finance_allocation", str(gone.pk)),
        ("disposal_disposalproject", str(project.pk)),
        ("disposal_package", str(project.package_id)),
    }
    assert not [k for k in found() if k[:2] in mine]
    receipt.refresh_from_db()
    debt.refresh_from_db()
    assert (receipt.allocated, debt.outstanding) == (Decimal("100.00"), Decimal("800.00"))


def valuation_create_for(world, asset) -> None:
    """An appraisal through pricing's service (it updates the asset's appraised value)."""
    from panhuo.pricing.services import valuation_create

    base = timezone.localdate() - dt.timedelta(days=10)
    valuation_create(actor=world.user("office"), asset=asset, kind="appraisal",
                     value=Decimal("5000.00"), base_date=base, method="market",
                     appraiser="Appraiser Co", licence_number="11020045",
                     report_number="RPT-1")  # fmt: skip


def test_sql_changes_insertions_and_deletions_are_each_reported(world, money):
    _project, receipt, debt, kept, gone = money
    asset = asset_create(actor=world.user("office"), data={
        "code": "NEW-1", "name": "Vacant depot", "kind": "building", "unit": world.unit.pk,
        "book_value": Decimal("1000.00"), "status": "idle"})  # fmt: skip
    valuation_create_for(world, asset)
    baseline = set(found())
    fields = [f for f in Receipt._meta.concrete_fields if not f.primary_key]
    row = Receipt.objects.filter(pk=receipt.pk).values_list(*[f.attname for f in fields])[0]
    values = [("R-FORGED" if f.name == "voucher" else v) for f, v in zip(fields, row, strict=True)]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("UPDATE finance_receipt SET amount = %s WHERE id = %s",
                       [Decimal("1001.00"), receipt.pk])  # fmt: skip
        cursor.execute("UPDATE finance_debt SET outstanding = %s WHERE id = %s",
                       [Decimal("1.00"), debt.pk])  # fmt: skip
        cursor.execute("UPDATE finance_allocation SET allocated_on = %s WHERE id = %s",
                       [dt.date(2020, 1, 1), kept.pk])  # fmt: skip
        cursor.execute("UPDATE register_asset SET name = %s WHERE id = %s", ["Forged", asset.pk])
        cursor.execute(
            f"INSERT INTO finance_receipt ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608
            f"VALUES ({', '.join('%s' for _ in fields)})",
            values,
        )
        reversal = Allocation.objects.get(reverses=gone)
        # Their entries in the debt's repayment ledger go with them (or the keys would hold).
        entries = [gone.repayment.pk, reversal.repayment.pk]
        cursor.execute("DELETE FROM finance_repayment WHERE id IN (%s, %s)", entries)
        cursor.execute("DELETE FROM finance_allocation WHERE id IN (%s, %s)",
                       [reversal.pk, gone.pk])  # fmt: skip
    inserted = Receipt.objects.get(voucher="R-FORGED")
    now = found()
    new = {k: now[k] for k in set(now) - baseline}
    assert set(new) == {
        ("finance_receipt", str(receipt.pk), "amount"),
        ("finance_debt", str(debt.pk), "outstanding"),
        ("finance_allocation", str(kept.pk), "allocated_on"),
        ("register_asset", str(asset.pk), "name"),
        ("finance_receipt", str(inserted.pk), "(row)"),
        ("finance_allocation", str(gone.pk), "(row)"),
        ("finance_allocation", str(reversal.pk), "(row)"),
        ("finance_repayment", str(entries[0]), "(row)"),
        ("finance_repayment", str(entries[1]), "(row)"),
    }
    amount = new[("finance_receipt", str(receipt.pk), "amount")]
    assert (Decimal(amount.audited), Decimal(amount.current)) == (Decimal(1000), Decimal(1001))
    assert new[("register_asset", str(asset.pk), "name")].current == "Forged"
    assert new[("finance_allocation", str(kept.pk), "allocated_on")].current == "2020-01-01"
    assert "the row exists" in new[("finance_receipt", str(inserted.pk), "(row)")].describe()
    assert "the row is gone" in new[("finance_allocation", str(gone.pk), "(row)")].describe()

    with pytest.raises(CommandError) as exc:
        call_command("audit", "reconcile", "--limit", "100000")
    text = str(exc.value)
    assert exc.value.returncode == 1
    assert f"finance_receipt #{receipt.pk}, amount: audited '1000.00', current '1001.00'" in text
    assert f"finance_debt #{debt.pk}, outstanding: audited '800.00', current '1.00'" in text
    assert f"finance_receipt #{inserted.pk}: no audit entry, but the row exists" in text
    assert f"finance_allocation #{gone.pk}: audited as existing, but the row is gone" in text


def test_a_row_audited_as_deleted_that_is_back_is_reported(world):
    asset = AssetFactory(unit=world.unit)
    # A deletion entry (before, no after) for a row still in the table.
    with transaction.atomic():
        audit_record(actor=None, action="asset.delete", obj=asset, before=snapshot(asset))
    assert found()[("register_asset", str(asset.pk), "(row)")].audited == "audited as deleted"


@pytest.mark.slow
def test_the_seeded_demo_reconciles_clean(settings, small_demo):
    report = reconcile()
    assert report.records > 300 and report.models >= 9
    assert [d.describe() for d in report.differences] == []
    out = io.StringIO()
    call_command("audit", "reconcile", stdout=out)
    assert "Every row agrees with its audit entries" in out.getvalue()
