"""Districts side by side over years: each cell is the place's own indicators at the end of
the year, debts issued later left out, missing years missing; only places the caller sees."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from panhuo.core.tests.api_support import client_for
from panhuo.finance.debts.fiscal import fiscal_inputs_set
from panhuo.finance.models import Debt

D = Decimal


def _debt(world, place, code, amount, issued):
    Debt.objects.create(
        code=code, jurisdiction=place, creditor="c", debt_type="general_bond",
        principal=D(amount), outstanding=D(amount), rate=D("3"), rate_type="fixed",
        issue_date=issued, maturity_date=dt.date(2040, 1, 1),
    )  # fmt: skip


def _figures(world, place, year, capacity):
    from panhuo.core.testing import make_user
    from panhuo.organisation.models import Role

    finance = make_user(f"fin{place.pk}{year}", Role.FINANCE, place)
    fiscal_inputs_set(actor=finance, jurisdiction=place, year=year,
                      comprehensive_fiscal_capacity=capacity)  # fmt: skip


def test_the_supervisor_compares_the_districts_over_years(world):
    _debt(world, world.district, "A1", "1000.00", dt.date(2020, 1, 1))
    _debt(world, world.district, "A2", "500.00", dt.date(2025, 3, 1))  # not there in 2024
    _debt(world, world.other_district, "B1", "3000.00", dt.date(2020, 1, 1))
    for year in (2024, 2025):
        _figures(world, world.district, year, "1000.00")
    _figures(world, world.other_district, 2025, "1000.00")  # 2024 missing
    page = client_for(world, "supervisor").get(
        reverse("risk-compare"),
        {"jurisdiction": world.city.pk, "from_year": 2024, "to_year": 2025},
    )
    assert page.status_code == 200
    rows = {r["jurisdiction"].code: r for r in page.context["table"]}
    assert list(rows) == ["C1", "D1", "D2"] and rows["C1"]["own"]
    a, b = rows["D1"]["cells"], rows["D2"]["cells"]
    # 2024: only the first bond existed; 2025: both.
    assert a[0]["ratio"] == D("100.0000") and a[1]["ratio"] == D("150.0000")
    assert str(a[1]["tier"]) == "yellow"
    # District B has no 2024 figures: missing, with the reason; 300 % red in 2025.
    assert b[0]["ratio"] is None and "2024" in b[0]["missing"]
    assert b[1]["ratio"] == D("300.0000") and str(b[1]["tier"]) == "red"
    html = page.content.decode()
    assert "150.00" in html and "300.00" in html
    csv = client_for(world, "supervisor").get(
        reverse("risk-compare"),
        {"jurisdiction": world.city.pk, "from_year": 2024, "to_year": 2025, "format": "csv"},
    )
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "D2,District B,,300.00" in text  # two decimals (issue 15 item 8)


def test_a_district_sees_only_itself_and_others_are_refused(world):
    finance = client_for(world, "finance")
    page = finance.get(reverse("risk-compare"), {"jurisdiction": world.city.pk})
    # The city is not offered to district A's finance: the page falls back to the district.
    assert page.status_code == 200 and page.context["jurisdiction"] == world.district
    assert [r["jurisdiction"] for r in page.context["table"]] == [world.district]
    assert client_for(world, "unit_officer").get(reverse("risk-compare")).status_code == 403
    assert client_for(world, "bidder").get(reverse("risk-compare")).status_code == 403


def test_bad_years_are_named_on_the_form(world):
    c = client_for(world, "supervisor")
    page = c.get(reverse("risk-compare"), {"from_year": 2026, "to_year": 2020})
    assert page.status_code == 200 and "to_year" in page.context["form"].errors
    page = c.get(reverse("risk-compare"), {"from_year": 2001, "to_year": 2026})
    assert "to_year" in page.context["form"].errors and page.context["table"] == []
    page = c.get(reverse("risk-compare"), {"from_year": "soon"})
    assert page.status_code == 200 and "from_year" in page.context["form"].errors
