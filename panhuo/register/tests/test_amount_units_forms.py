"""Amounts typed into the register's forms in the reader's unit: the unit is named beside each
box (the reader's own first), and 万元 is converted to yuan exactly on save."""

from __future__ import annotations

import re
from decimal import Decimal as D

from django.urls import reverse

from panhuo.core.tests.views_support import build_sample, client_for
from panhuo.register.models import Asset, Encumbrance
from panhuo.register.tests.test_views import asset_data


def _unit_select(page: str, name: str) -> str:
    return re.search(rf'<select name="{name}_unit".*?</select>', page, re.S).group(0)


def test_a_wan_reader_registers_an_asset_in_wan(world):
    world.users["office"].money_unit = "wan"
    world.users["office"].save(update_fields=["money_unit"])
    c = client_for(world, "office")
    page = c.get(reverse("asset-create")).content.decode()
    for name in ("book_value", "accumulated_depreciation", "appraised_value", "annual_income"):
        assert re.search(r'<option value="wan"[^>]*selected', _unit_select(page, name)), name
    data = asset_data(
        world.unit,
        book_value="123.4567",
        book_value_unit="wan",
        appraised_value="150",
        appraised_value_unit="wan",
        annual_income="8000.50",
        annual_income_unit="yuan",  # the unit beside the box is what counts
    )
    r = c.post(reverse("asset-create"), data)
    assert r.status_code == 302, r.context["form"].errors
    asset = Asset.objects.get(code="NEW-1")
    assert asset.book_value == D("1234567.00") and asset.appraised_value == D("1500000.00")
    assert asset.annual_income == D("8000.50")
    # The edit form offers the stored amounts in 万元, exactly.
    edit = c.get(reverse("asset-edit", args=[asset.pk])).content.decode()
    assert 'value="123.4567"' in edit


def test_more_places_than_a_cent_in_wan_is_refused_and_nothing_saved(world):
    c = client_for(world, "office")
    data = asset_data(world.unit, book_value="1.2345678", book_value_unit="wan")
    r = c.post(reverse("asset-create"), data)
    assert r.status_code == 200 and "book_value" in r.context["form"].errors
    assert not Asset.objects.filter(code="NEW-1").exists()


def test_a_form_posted_without_a_unit_reads_yuan(world):
    r = client_for(world, "office").post(reverse("asset-create"), asset_data(world.unit))
    assert r.status_code == 302
    assert Asset.objects.get(code="NEW-1").book_value == D("1200000.00")


def test_an_encumbrance_amount_in_wan(world):
    s = build_sample(world)
    c = client_for(world, "office")
    r = c.post(
        reverse("asset-encumbrance-add", args=[s.a.asset_free.pk]),
        {"kind": "mortgage", "holder": "Bank", "amount": "250.5", "amount_unit": "wan"},
    )
    assert r.status_code == 302
    assert Encumbrance.objects.get(asset=s.a.asset_free).amount == D("2505000.00")
