"""Give every existing debt its repayment ledger, so that outstanding = principal − the ledger:
one entry per allocation and per reversal (disposal proceeds), one per swap settlement, and for
a debt registered part-repaid an explicit opening entry for what none of those explains (dated
on the day it was registered, when that balance was known, and not before issue). Outstanding
amounts are not changed."""

from decimal import Decimal

from django.db import migrations


def backfill(apps, schema_editor):
    Debt = apps.get_model("finance", "Debt")
    Allocation = apps.get_model("finance", "Allocation")
    DebtSettlement = apps.get_model("finance", "DebtSettlement")
    Repayment = apps.get_model("finance", "Repayment")
    by_allocation = {}
    for a in Allocation.objects.select_related("receipt").order_by("pk").iterator():
        entry = Repayment.objects.create(
            debt_id=a.debt_id, source="disposal", amount=a.amount, repaid_on=a.allocated_on,
            document=a.receipt.voucher[:200], note=a.reason[:300], allocation_id=a.pk,
            reverses_id=by_allocation.get(a.reverses_id), recorded_by_id=a.allocated_by_id,
        )  # fmt: skip
        by_allocation[a.pk] = entry.pk
    for s in DebtSettlement.objects.select_related("project").order_by("pk").iterator():
        Repayment.objects.create(
            debt_id=s.debt_id, source="swap", amount=s.amount, repaid_on=s.settled_on,
            document=s.project.code[:200], settlement_id=s.pk, recorded_by_id=s.settled_by_id,
        )  # fmt: skip
    net: dict[int, Decimal] = {}
    for debt_id, amount, reverses in Repayment.objects.values_list(
        "debt_id", "amount", "reverses_id"
    ):
        net[debt_id] = net.get(debt_id, Decimal("0")) + (-amount if reverses else amount)
    for debt in Debt.objects.order_by("pk").iterator():
        gap = debt.principal - debt.outstanding - net.get(debt.pk, Decimal("0"))
        if gap > 0:
            Repayment.objects.create(
                debt_id=debt.pk, source="opening", amount=gap,
                repaid_on=max(debt.issue_date, debt.created_at.date()),
                note="repaid before registration",
            )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("finance", "0014_repayment_ledger_and_void")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
