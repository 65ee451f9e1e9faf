"""The receipt form suggests what is owed next: for a project paid by expected receipts (a
lease's deposit and rent), the first one still owing, not the whole remaining contract value."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from panhuo.core.tests.api_support import client_for
from panhuo.disposal import services as ds
from panhuo.disposal.tests.test_channels import _approved, _pay

# The channel records alone (the gates of disposal and pricing are tested by their own tests).
from panhuo.disposal.tests.test_workflow import _tables_only  # noqa: F401

pytestmark = pytest.mark.django_db


def _suggested(world, project):
    response = client_for(world, "finance").get(reverse("receipt-create", args=[project.pk]))
    assert response.status_code == 200
    return response.context["form"].initial["amount"]


def test_a_lease_suggests_the_first_expected_receipt_still_owing(world):
    start = timezone.localdate().replace(day=1) - dt.timedelta(days=40)
    p = _approved(world, "lease")
    p = ds.project_transition(
        actor=world.user("office"), project=p, transition="sign", counterparty="Café Ltd",
        term_start=start, term_end=start.replace(year=start.year + 1),
        period_amount=D("3000.00"), frequency="quarterly", deposit=D("1000.00"),
    )  # fmt: skip
    assert p.deal_price == D("13000.00")
    assert _suggested(world, p) == D("1000.00")  # the deposit, not 13,000
    _pay(world, p, "1000.00", 1)
    assert _suggested(world, p) == D("3000.00")  # the first quarter's rent
    _pay(world, p, "1800.00", 2)
    assert _suggested(world, p) == D("1200.00")  # what is left of it
    _pay(world, p, "1200.00", 3)
    _pay(world, p, "9000.00", 4)
    assert _suggested(world, p) is None  # everything paid


def test_a_sale_suggests_what_remains_of_the_deal_with_or_without_expected_receipts(world):
    from panhuo.finance.expected_models import ExpectedReceipt

    p = _approved(world, "negotiated", counterparty="Urban investment co.", counterparty_soe=True)
    p = ds.project_transition(
        actor=world.user("office"), project=p, transition="conclude", deal_price=D("500000.00"),
        buyer="Urban investment co.",
    )  # fmt: skip
    _pay(world, p, "200000.00")
    assert _suggested(world, p) == D("300000.00")  # the one expected payment, what is left
    # A project from before expected receipts were kept: the rest of the deal price.
    ExpectedReceipt.objects.filter(project=p).delete()
    assert _suggested(world, p) == D("300000.00")
    _pay(world, p, "300000.00", 2)
    assert _suggested(world, p) is None
