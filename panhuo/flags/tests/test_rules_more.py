"""The other price and process rules: each fires on a case and not just inside its threshold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from panhuo.core import workdays
from panhuo.core.testing import AssetFactory, appraise
from panhuo.flags import engine
from panhuo.flags.models import Flag
from panhuo.flags.services import thresholds_set
from panhuo.flags.tests.builders import closed_lot, sale
from panhuo.pricing.models import Valuation

pytestmark = pytest.mark.django_db


def hits(rule: str) -> dict[str, Flag]:
    engine.recompute(rules=[rule])
    return {f.subject_id: f for f in Flag.objects.filter(rule=rule, status="open")}


def test_appraisal_stale(world):
    stale, fresh = sale(world), sale(world)
    today = timezone.localdate()
    Valuation.objects.filter(asset__package_items__package=stale.package).update(
        base_date=today - dt.timedelta(days=400), valid_until=today + dt.timedelta(days=30)
    )
    Valuation.objects.filter(asset__package_items__package=fresh.package).update(
        base_date=today - dt.timedelta(days=330), valid_until=today + dt.timedelta(days=30)
    )
    found = hits("appraisal_stale")
    assert set(found) == {str(stale.pk)}
    assert found[str(stale.pk)].evidence["months"] >= 13


def test_same_appraiser(world):
    for _ in range(2):
        appraise(AssetFactory(unit=world.unit2, appraisal=False), Decimal("100.00"))
    assert hits("same_appraiser") == {}  # two reports: not yet a pattern
    appraise(AssetFactory(unit=world.unit2, appraisal=False), Decimal("100.00"))
    found = hits("same_appraiser")
    assert set(found) == {str(world.unit2.pk)}
    assert found[str(world.unit2.pk)].evidence == {
        "appraiser": "Test Appraisal Co.",
        "count": 3,
        "share": "100.0",
        "threshold": 3,
    }
    other = Valuation.objects.filter(asset__unit=world.unit2).first()
    Valuation.objects.filter(pk=other.pk).update(appraiser="Other Appraisal Co.")
    assert hits("same_appraiser") == {}


def test_deal_below_comparables(world):
    # Buildings of 1,200 m² at 1,000–1,350 yuan/m², one at 700 and one at 500: Q1 1,012.5,
    # Q3 1,237.5, so the fence Q1 − 1.5 × IQR is 675: 500 is below it, 700 is not.
    for price in range(1000, 1400, 50):
        sale(world, deal=Decimal(price) * 1200)
    low = sale(world, deal=Decimal(500) * 1200)
    near = sale(world, deal=Decimal(700) * 1200)
    found = hits("deal_below_comparables")
    assert set(found) == {str(low.pk)}
    assert found[str(low.pk)].evidence | {"kind": "building", "n": 10, "fence": "675.00"} == (
        found[str(low.pk)].evidence
    )
    # A place that draws the fence at one IQR (787.5) flags 700 too.
    thresholds_set(actor=world.user("office"), jurisdiction=world.district,
                   rule="deal_below_comparables", values={"fence_k": "1"})  # fmt: skip
    assert set(hits("deal_below_comparables")) == {str(low.pk), str(near.pk)}


def test_token_price(world):
    low = sale(world, deal=Decimal("699999.99"))
    at = sale(world, deal=Decimal("700000.00"))
    found = hits("token_price")
    assert set(found) == {str(low.pk)} and str(at.pk) not in found
    assert "deal price" in found[str(low.pk)].explanation


def test_disclosure_short(world):
    listed = timezone.localdate() - dt.timedelta(days=90)
    full = workdays.add_working_days(listed, 20, jurisdiction=world.district)
    small = {"appraised": Decimal("500000.00")}  # below 1 million yuan: the general 20 days
    short = sale(
        world,
        **small,
        rounds=[{"listed_on": listed, "disclosure_ends": full - dt.timedelta(days=1)}],
    )
    ok = sale(world, **small, rounds=[{"listed_on": listed, "disclosure_ends": full}])
    # A building of 1–10 million yuan needs 10 working days only.
    mid = sale(
        world,
        appraised=Decimal("2000000.00"),
        rounds=[{"listed_on": listed, "disclosure_ends": full - dt.timedelta(days=1)}],
    )
    found = hits("disclosure_short")
    assert set(found) == {str(short.rounds.get().pk)}
    assert str(ok.rounds.get().pk) not in found and str(mid.rounds.get().pk) not in found
    assert found[str(short.rounds.get().pk)].evidence["need"] == 20


def test_instalments_overdue_and_grace(world):
    from panhuo.finance.expected_models import ExpectedReceipt

    late = sale(world, status="in_arrears")
    on_time = sale(world, status="in_arrears")
    today = timezone.localdate()
    ExpectedReceipt.objects.create(project=late, due_date=today - dt.timedelta(days=10),
                                   amount=Decimal("300000.00"), kind="instalment")  # fmt: skip
    ExpectedReceipt.objects.create(project=on_time, due_date=today, amount=Decimal("1.00"),
                                   kind="instalment")  # fmt: skip
    found = hits("instalments_overdue")
    assert set(found) == {str(late.pk)}
    assert found[str(late.pk)].evidence["amount"] == "300000.00"
    thresholds_set(actor=world.user("head"), jurisdiction=world.district,
                   rule="instalments_overdue", values={"grace_days": "10"})  # fmt: skip
    assert hits("instalments_overdue") == {}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@example(dues=[(300, -10, False), (200, -5, False), (100, 3, False)], paid=[(350, False)])
@given(
    dues=st.lists(
        st.tuples(st.integers(1, 10**9), st.integers(-60, 30), st.booleans()), max_size=6
    ),
    paid=st.lists(st.tuples(st.integers(1, 10**9), st.booleans()), max_size=4),
)
def test_arrears_matched_in_sql_are_the_ledgers(world, dues, paid):
    """The rule's arrears, matched in SQL (a running sum over the late expected receipts), are
    ``finance.expected.arrears`` (receipts applied in due order in Python) for any schedule:
    cancelled lines, forfeited deposits, lines due later, part payments, amounts in cents."""
    from django.db import transaction

    from panhuo.disposal.models import DisposalProject
    from panhuo.finance import expected
    from panhuo.finance.expected_models import ExpectedReceipt
    from panhuo.finance.models import Receipt
    from panhuo.flags import batch

    today = timezone.localdate()
    with transaction.atomic():
        project = sale(world, status="in_arrears")
        for cents, days, cancelled in dues:
            ExpectedReceipt.objects.create(
                project=project, due_date=today + dt.timedelta(days=days), kind="instalment",
                amount=Decimal(cents) / 100, cancelled=cancelled,
            )  # fmt: skip
        for n, (cents, forfeited) in enumerate(paid):
            Receipt.objects.create(
                project=project, amount=Decimal(cents) / 100, received_on=today,
                voucher=f"AR{project.pk}-{n}", budget_class="non_tax",
                kind="forfeited_deposit" if forfeited else "sale_price",
            )  # fmt: skip
        owed, since = expected.arrears(project, today=today)
        found = batch.arrears(DisposalProject.objects.filter(pk=project.pk), today=today)
        assert found == ({project.pk: (owed, since)} if owed > 0 else {})
        transaction.set_rollback(True)


def test_lot_rules(world):
    alone, regs = closed_lot(world, [Decimal("500000.00")], registered=3)
    contested, _ = closed_lot(world, [Decimal("500000.00"), Decimal("510000.00")], registered=3)
    twins, _ = closed_lot(world, [Decimal("600000.00"), Decimal("600000.00")])
    assert set(hits("all_but_winner_out")) == {str(alone.pk)}
    found = hits("identical_bids")
    assert set(found) == {str(twins.pk)} and found[str(twins.pk)].evidence["count"] == 2
    from panhuo.auctions.award_models import Award

    due = {"offered_on": timezone.localdate(), "due_on": timezone.localdate()}
    Award.objects.create(lot=contested, registration=regs[0], rank=1, price=Decimal("510000.00"),
                         status="defaulted", **due)  # fmt: skip
    runner = Award.objects.create(lot=contested, registration=regs[1], rank=2,
                                  price=Decimal("500000.00"), status="offered", **due)  # fmt: skip
    queued = Award.objects.create(lot=twins, registration=regs[2], rank=2,
                                  price=Decimal("600000.00"), status="offered", **due)  # fmt: skip
    found = hits("runner_up_after_default")
    assert set(found) == {str(runner.pk)} and str(queued.pk) not in found
    assert found[str(runner.pk)].evidence["gap"] == "10000.00"


def test_terms_changed_after_award(world):
    from django.db import transaction

    from panhuo.integrity.services import audit_record

    dealt = [
        {
            "result": "sold",
            "deal_price": Decimal("1000000.00"),
            "bidders": 2,
            "buyer": "Buyer Ltd",
            "ended_on": timezone.localdate() - dt.timedelta(days=30),
        }
    ]
    changed, planned = sale(world, rounds=dealt), sale(world, rounds=dealt)
    with transaction.atomic():
        for project, times in ((changed, 2), (planned, 1)):
            for _ in range(times):
                audit_record(actor=None, action="instalment_plan.set", obj=project,
                             after={"rows": []})  # fmt: skip
    found = hits("terms_changed_after_award")
    assert set(found) == {str(changed.pk)} and found[str(changed.pk)].evidence["count"] == 1
