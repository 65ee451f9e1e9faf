import datetime as dt
from decimal import Decimal

from panhuo.core.testing import concluded_project, recorded_late
from panhuo.disposal import services as ds
from panhuo.finance import services as fs
from panhuo.integrity.services import audit_verify


def test_asset_to_repaid_debt(world):
    w = world
    p = concluded_project(w, late=True)
    r = fs.receipt_create(
        actor=w.user("finance"),
        project=p,
        amount="6000000.00",
        received_on=dt.date(2026, 1, 5),
        voucher="V1",
        budget_class="non_tax",
    )
    debt = fs.debt_create(
        actor=w.user("finance"),
        jurisdiction=w.district,
        data={
            "creditor": "Bank",
            "debt_type": "bank_loan",
            "principal": "10000000.00",
            "rate": Decimal("4.5"),
            "issue_date": dt.date(2020, 1, 1),
            "maturity_date": dt.date(2027, 1, 1),
        },
    )
    fs.allocation_create(actor=w.user("finance"), receipt=r, debt=debt, amount="6000000.00")
    debt.refresh_from_db()
    assert debt.outstanding == Decimal("4000000.00")
    # An auction: the result published at the deal, the payment confirmed, then closed once
    # the notice has run its 5 working days (all recorded late, with the reason).
    steps = [("publish_result", recorded_late("publish_result")), ("confirm_payment", {}),
             ("close", {})]  # fmt: skip
    for name, extra in steps:
        p = ds.project_transition(actor=w.user("office"), project=p, transition=name, **extra)
    assert p.status == "closed"
    result = audit_verify()
    assert result.ok and result.checked >= 10
