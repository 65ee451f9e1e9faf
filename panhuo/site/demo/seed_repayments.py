"""Demo: the bonds and loans that fell due were repaid as a debt office repays them.

Before the ledger had other sources, a debt's balance fell only by disposal proceeds or a swap,
so every bond that matured in the demo's past read as in default (the overdue ratio at 20 %).
Here each debt matured by today is repaid what it still owed on its maturity date: government
bonds mostly by refinancing bonds (借新还旧), the rest and the loans from the budget, each with
its document. Arrears owed to companies and hidden debt that fell due stay unpaid: the overdue
that remains is the kind a district really carries. Recorded through the services, by each
district's finance officer, after every other seed step (which it leaves unchanged).
"""

from __future__ import annotations

from django.utils import timezone

from panhuo.finance.debts.repayments import repayment_create
from panhuo.finance.models import Debt
from panhuo.site.demo import catalogue as c

#: What repays a matured debt of each type (None: it stays overdue).
REPAID_BY = {
    "general_bond": "refinancing",
    "special_bond": "refinancing",
    "lgfv_bond": "refinancing",
    "bank_loan": "budget",
    "trust_leasing": "budget",
    "arrears": None,
    "hidden": None,
}


def seed(seeder) -> None:
    # The demo's own day (its clock), never after the real one.
    today = min(getattr(seeder, "today", timezone.localdate()), timezone.localdate())
    officers = {c.DISTRICT[0]: "finance", c.OTHER_DISTRICT[0]: "dc_finance"}
    matured = (
        Debt.objects.active()
        .filter(jurisdiction__code__in=officers, maturity_date__lte=today, outstanding__gt=0)
        .select_related("jurisdiction")
        .order_by("maturity_date", "code")
    )
    for n, debt in enumerate(matured, start=1):
        source = REPAID_BY.get(debt.debt_type)
        if source is None:
            continue
        if source == "refinancing" and n % 4 == 0:
            source = "budget"  # a quarter of the bonds repaid from the budget itself
        year = debt.maturity_date.year
        document = f"REFI-{year}-{n:03d}" if source == "refinancing" else f"BUDGET-{year}-{n:03d}"
        repayment_create(
            actor=seeder.users[officers[debt.jurisdiction.code]],
            debt=debt,
            source=source,
            amount=debt.outstanding,
            repaid_on=debt.maturity_date,
            document=document,
            note="repaid at maturity",
        )
