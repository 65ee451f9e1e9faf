"""A 万元 reader types the finance forms' amounts in 万元 (the unit beside each box starts at
theirs) and they are kept in yuan, converted exactly."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from panhuo.core.tests.views_support import build_sample, client_for
from panhuo.finance.models import Debt, Receipt
from panhuo.finance.tests.test_views import debt_data, receipt_data


@pytest.fixture
def wan_finance(world):
    user = world.users["finance"]
    user.money_unit = "wan"
    user.save(update_fields=["money_unit"])
    return client_for(world, "finance")


def test_a_debt_in_wan(world, wan_finance):
    page = wan_finance.get(reverse("debt-create")).content.decode()
    select = re.search(r'<select name="principal_unit".*?</select>', page, re.S).group(0)
    assert re.search(r'<option value="wan"[^>]*selected', select)
    data = debt_data(world.district, principal="250.5", principal_unit="wan")
    assert wan_finance.post(reverse("debt-create"), data).status_code == 302
    debt = Debt.objects.get(creditor="Agricultural Bank")
    assert debt.principal == debt.outstanding == D("2505000.00")


def test_a_receipt_in_wan_and_too_many_places_refused(world, wan_finance):
    sample = build_sample(world)
    url = reverse("receipt-create", args=[sample.a.concluded.pk])
    r = wan_finance.post(url, receipt_data(amount="1.2345678", amount_unit="wan"))
    assert r.status_code == 200 and "amount" in r.context["form"].errors
    assert not Receipt.objects.filter(voucher="V-NEW").exists()
    r = wan_finance.post(url, receipt_data(amount="200", amount_unit="wan"))
    assert r.status_code == 302
    assert Receipt.objects.get(voucher="V-NEW").amount == D("2000000.00")
