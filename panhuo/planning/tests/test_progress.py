"""Progress is computed from the records: the sums a person would make by hand, each receipt
counted once, and the units' figures adding up to the jurisdiction's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core.testing import AssetFactory, concluded_project
from panhuo.finance import services as fs
from panhuo.finance.disposal_receivables import cancel_open
from panhuo.finance.expected_models import ExpectedReceipt
from panhuo.finance.models import Receipt
from panhuo.integrity.services import audit_record
from panhuo.planning import progress, services
from panhuo.planning.models import Measure
from panhuo.planning.tests.support import listed_project, plan_data

pytestmark = pytest.mark.django_db
ZERO = Decimal("0.00")


def _bank_loan(w, principal="1000.00"):
    return fs.debt_create(
        actor=w.user("finance"), jurisdiction=w.district,
        data={"creditor": "Bank", "debt_type": "bank_loan", "principal": principal,
              "rate": Decimal("0"), "issue_date": dt.date(2024, 1, 1),
              "maturity_date": dt.date(2030, 1, 1)},
    )  # fmt: skip


def _by(lines, measure, *key):
    return next(ln for ln in lines if ln.measure == measure and ln.key == key)


def test_progress_is_the_hand_computed_sums_of_the_records(world, monkeypatch):
    w = world
    today = timezone.localdate()
    q = progress.quarter_of(today)
    project = concluded_project(
        w, deal_price=Decimal("5000.00"),
        assets=[AssetFactory(unit=w.unit), AssetFactory(unit=w.unit), AssetFactory(unit=w.unit2)],
    )  # fmt: skip
    receipt = fs.receipt_create(
        actor=w.user("finance"), project=project, amount="1200.00", received_on=today,
        voucher="V-1", budget_class="non_tax",
    )  # fmt: skip
    debt = _bank_loan(w)
    fs.allocation_create(actor=w.user("finance"), receipt=receipt, debt=debt, amount="450.00",
                         allocated_on=today)  # fmt: skip
    # An allocation reversed is no debt resolved: the pair nets to nothing.
    wrong = fs.allocation_create(actor=w.user("finance"), receipt=receipt, debt=debt,
                                 amount="100.00", allocated_on=today)  # fmt: skip
    fs.allocation_reverse(actor=w.user("finance"), allocation=wrong, reason="Wrong debt")
    ExpectedReceipt.objects.create(project=project, due_date=dt.date(today.year, 12, 31),
                                   amount=Decimal("300.00"), kind="instalment")  # fmt: skip
    listed_project(w, Decimal("700.00"))
    plan = services.plan_draft(
        actor=w.user("office"), jurisdiction=w.district, data=plan_data(w, year=today.year)
    )
    on = min(today, dt.date(today.year, 12, 30))
    lines = progress.plan_progress(plan, on)
    money = _by(lines, Measure.MONEY)
    assert money.actuals[q] == Decimal("1200.00") and money.actual == Decimal("1200.00")
    assert money.variance == Decimal("1200.00") - Decimal("400.00")
    owed = sum(
        e.amount
        for e in ExpectedReceipt.objects.filter(project=project)
        if e.due_date.year == today.year
    )
    assert owed >= Decimal("300.00")
    assert money.forecast == Decimal("1200.00") + (owed - Decimal("1200.00")) + Decimal("700.00")
    loans = _by(lines, Measure.DEBT, "bank_loan")
    assert (loans.actual, loans.target, loans.variance) == (
        Decimal("450.00"), Decimal("300.00"), Decimal("150.00"),
    )  # fmt: skip
    u1 = _by(lines, Measure.ASSETS, w.unit.pk, "auction")
    assert (u1.actuals[q], u1.target, u1.forecast) == (2, 3, 3)
    assert _by(lines, Measure.ASSETS, w.unit2.pk, "auction").actual == 1
    assert _by(lines, Measure.ASSETS, w.unit2.pk, "lease").actual == 0
    # The city's plan sees the district's records; the other district's sees none.
    city = progress.money_raised(w.city.path, today.year, on)
    assert sum(city.values()) == Decimal("1200.00")
    assert progress.money_raised(w.other_district.path, today.year, on) == {}
    # Cancelled the next day (the deal passed on): the forecast as of ``on`` still counts
    # what was owed then; as of the next day it does not.
    later = progress._day_end(on) + dt.timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert cancel_open(project) == ExpectedReceipt.objects.filter(project=project).count()
    assert _by(progress.plan_progress(plan, on), Measure.MONEY).forecast == money.forecast
    after = _by(progress.plan_progress(plan, on + dt.timedelta(days=1)), Measure.MONEY)
    assert after.forecast == money.forecast - (owed - Decimal("1200.00"))
    # The rows cancelled before they carried a time get the time of the project's audited
    # step that cancelled them (finance migration 0022); without one they keep none.
    ExpectedReceipt.objects.update(cancelled_at=None)
    step = audit_record(actor=w.user("office"), action="project.deal_reassign", obj=project,
                        after={}, jurisdiction_path=w.district.path)  # fmt: skip
    # One recorded (and cancelled) after that step: no step cancelled it, it keeps no time.
    monkeypatch.setattr(timezone, "now", lambda: later + dt.timedelta(hours=1))
    undated = ExpectedReceipt.objects.create(project=project, due_date=on, kind="instalment",
                                             amount=Decimal("5.00"), cancelled=True)  # fmt: skip
    dated = ExpectedReceipt.objects.exclude(pk=undated.pk)
    assert (
        import_module("panhuo.finance.migrations.0022_expected_cancelled_at").backfill(django_apps)
        == dated.count()
    )
    assert set(dated.values_list("cancelled_at", flat=True)) == {step.created_at}
    undated.refresh_from_db()
    assert undated.cancelled_at is None


HYPO = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
#: The year of the tests' records (projects are concluded today).
YEAR = timezone.localdate().year
receipts = st.lists(
    st.tuples(
        st.dates(dt.date(YEAR - 1, 11, 1), dt.date(YEAR + 1, 2, 1)),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e9"), places=2),
    ),
    max_size=25,
)


@pytest.fixture
def sold(world):
    return concluded_project(
        world, assets=[AssetFactory(unit=world.unit), AssetFactory(unit=world.unit2)]
    )


@HYPO
@given(rows=receipts, on=st.dates(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)))
def test_each_receipt_counts_once_and_units_add_up_to_the_jurisdiction(world, sold, rows, on):
    with transaction.atomic():
        Receipt.objects.bulk_create(
            Receipt(project=sold, amount=a, received_on=d, voucher=f"H-{i}",
                    budget_class="non_tax")
            for i, (d, a) in enumerate(rows)
        )  # fmt: skip
        expected = sum((a for d, a in rows if dt.date(YEAR, 1, 1) <= d <= on), ZERO)
        for place in (world.district, world.city, world.province):
            by_quarter = progress.money_raised(place.path, YEAR, on)
            assert sum(by_quarter.values(), ZERO) == expected
            assert all(1 <= q <= progress.quarter_of(on) for q in by_quarter)
        end = dt.date(YEAR, 12, 31)
        by_unit = progress.assets_activated(world.city.path, YEAR, end)
        # The units' counts add up to the jurisdiction's: every asset of the sold project once.
        assert sum(by_unit.values()) == sold.package.items.count() == 2
        assert by_unit == progress.assets_activated(world.district.path, YEAR, end)
        assert {u for u, _c, _q in by_unit} == {world.unit.pk, world.unit2.pk}
        transaction.set_rollback(True)
