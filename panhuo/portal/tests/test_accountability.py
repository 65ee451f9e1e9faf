"""The public accountability page of a district: money raised from idle and from
income-producing assets, the debts it repaid, red flags raised and how they were resolved, as
of a date; public (no sign-in), both languages, and nothing that is not public."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

from django.test import Client
from django.utils import timezone

from panhuo.finance import services as fs
from panhuo.flags import engine
from panhuo.flags.models import Flag
from panhuo.flags.services import flag_resolve
from panhuo.flags.tests.builders import sale
from panhuo.portal.accountability import ZERO, accountability
from panhuo.portal.tests.support import destroying_value, published_project
from panhuo.register import services as register
from panhuo.register.models import Asset

CREDITOR = "Creditor-SECRET-Bank"


def _figures(w):
    """Two published sales (one of an idle asset, one of an asset with income), money received
    for both, part of it allocated to a debt, and two red flags, one resolved."""
    finance, today = w.user("finance"), timezone.localdate()
    idle, earning = published_project(w), published_project(w)
    Asset.objects.filter(package_items__package=earning.package).update(
        annual_income=Decimal("1.00")
    )
    r1 = fs.receipt_create(actor=finance, project=idle, amount="1000000.00", received_on=today,
                           voucher="ACC-1", budget_class="non_tax")  # fmt: skip
    fs.receipt_create(actor=finance, project=earning, amount="500000.00", received_on=today,
                      voucher="ACC-2", budget_class="non_tax")  # fmt: skip
    debt = fs.debt_create(actor=finance, jurisdiction=w.district, data={
        "creditor": CREDITOR, "debt_type": "bank_loan", "principal": "9000000.00",
        "rate": Decimal("4.100"), "issue_date": dt.date(2021, 1, 1),
        "maturity_date": dt.date(2031, 6, 30)})  # fmt: skip
    fs.allocation_create(actor=finance, receipt=r1, debt=debt, amount="400000.00")
    sale(w, deal=Decimal("700000.00"))
    sale(w, deal=Decimal("650000.00"))
    engine.recompute(rules=["deal_below_appraisal"])
    first = Flag.objects.filter(jurisdiction=w.district).order_by("pk").first()
    flag_resolve(actor=w.user("auditor"), flag=first, resolution="referred", comment="x")
    return today


def test_the_districts_figures_as_of_a_date_in_both_languages(world):
    today = _figures(world)
    c = Client()
    index = c.get("/public/accountability/")
    assert index.status_code == 200 and "/public/accountability/D1/" in index.content.decode()
    page = c.get("/public/accountability/D1/")
    assert page.status_code == 200
    a = page.context["a"]
    assert (a.idle, a.income, a.raised) == (
        Decimal("1000000.00"),
        Decimal("500000.00"),
        Decimal("1500000.00"),
    )
    assert [(d.debt_type, d.amount) for d in a.debts] == [("Bank loan", Decimal("400000.00"))]
    total = a.flag_total
    assert (total.raised, total.open, total.resolutions["referred"]) == (2, 1, 1)
    body = page.content.decode()
    assert f"Figures as of {today:%Y-%m-%d}" in body and "1,000,000.00" in body
    assert "400,000.00" in body and "Deal below the appraisal" in body
    # Nothing that is not public: no creditor, no flagged record, no auditor's comment.
    assert CREDITOR not in body and "FLAGPRJ" not in body and "FLAGPKG" not in body
    # As of yesterday: no money had come in and no flag had been seen.
    past = c.get(f"/public/accountability/D1/?as_of={today - dt.timedelta(days=1):%Y-%m-%d}")
    a = past.context["a"]
    assert (a.raised, a.debts, a.flags) == (Decimal("0.00"), [], [])
    # Bad dates are refused with a message and today's figures; an unknown district is a 404.
    for bad in ("yesterday", (today + dt.timedelta(days=3)).isoformat()):
        r = c.get(f"/public/accountability/D1/?as_of={bad}")
        assert r.status_code == 200 and r.context["refusal"] and r.context["a"].as_of == today
    assert c.get("/public/accountability/NOPE/").status_code == 404
    assert c.post("/public/accountability/D1/").status_code == 405
    c.get("/public/language/?lang=zh-hans&next=/public/accountability/D1/")
    zh = c.get("/public/accountability/D1/").content.decode()
    assert f"数据截至 {today:%Y-%m-%d}" in zh and "1,000,000.00" in zh


def test_a_past_date_shows_the_figures_as_they_stood_then(world, subtests):
    """The flag's figures and an asset's income as the audit log holds them on the page's date,
    not as a later recompute or correction left them."""
    project = published_project(world)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - dt.timedelta(1)):
        destroying_value(world, project)  # sold, paid, repaid and flagged yesterday
    [flag] = Flag.objects.filter(rule="value_destroying_sale")
    then = flag.evidence
    asset = project.package.items.get().asset
    office = world.user("office")
    register.asset_update(
        actor=office, asset=asset, data={"annual_income": asset.annual_income * 2}
    )
    engine.recompute(rules=["value_destroying_sale"])
    flag.refresh_from_db()
    assert flag.evidence["value_destroyed"] != then["value_destroyed"]
    # Today the asset is found to earn nothing after all (the flag not yet recomputed).
    register.asset_update(actor=office, asset=asset, data={"annual_income": Decimal("0.00")})
    price = project.deal_price
    for day, evidence, split in ((yesterday, then, (ZERO, price)),
                                 (timezone.localdate(), flag.evidence, (price, ZERO))):  # fmt: skip
        with subtests.test(day=day):
            a = accountability(world.district, day)
            [lost] = a.lost
            assert (lost.value_destroyed, lost.interest_saved, lost.hold_value) == tuple(
                Decimal(evidence[k])
                for k in ("value_destroyed", "interest_saved_npv", "hold_value")
            )
            assert (a.idle, a.income) == split
