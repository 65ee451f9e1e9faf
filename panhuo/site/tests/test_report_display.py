"""Figures as a debt office reports them (issue 15 item 8): amounts in the reader's 元 / 万元 /
亿元 with two decimals, percentages with two decimals, and the date each figure is taken at,
on the risk page, the comparison, the fiscal monitor, the dashboard and their exports, in
English and in Chinese."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from panhuo.core.tests.api_support import client_for
from panhuo.finance.debts.fiscal import fiscal_inputs_set
from panhuo.finance.models import Debt
from panhuo.organisation.preferences import user_set_language, user_set_money_unit

pytestmark = pytest.mark.django_db

ENGLISH_DAY = "as of 2024-12-31"
CHINESE_DAY = "截至 2024年12月31日"


@pytest.fixture
def debts(world):
    """District A: a 1.5亿元 general bond against a capacity of 4.5亿元 in 2024 (33.3333… %)."""
    Debt.objects.create(
        code="G1", jurisdiction=world.district, creditor="c", debt_type="general_bond",
        principal=D("150000000.00"), outstanding=D("150000000.00"), rate=D("3.25"),
        rate_type="fixed", issue_date=dt.date(2020, 1, 1), maturity_date=dt.date(2040, 1, 1),
    )  # fmt: skip
    fiscal_inputs_set(
        actor=world.user("finance"), jurisdiction=world.district, year=2024,
        comprehensive_fiscal_capacity=D("450000000.00"),
    )  # fmt: skip
    return world


def _reader(world, who: str, language: str, unit: str):
    user = world.user(who)
    user_set_language(actor=user, language=language)
    user_set_money_unit(actor=user, unit=unit)
    return client_for(world, who)


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "unit", "day", "amount"),
    [
        ("en", "yi", ENGLISH_DAY, "1.50"),
        ("zh-hans", "yi", CHINESE_DAY, "1.50"),
        ("en", "wan", ENGLISH_DAY, "15,000.00"),
        ("zh-hans", "wan", CHINESE_DAY, "15,000.00"),
    ],
)
def test_the_risk_page_reports_in_the_reader_unit_as_of_its_date(
    debts, language, unit, day, amount
):
    c = _reader(debts, "finance", language, unit)
    r = c.get(
        reverse("risk-indicators"), {"jurisdiction": debts.district.pk, "as_of": "2024-12-31"}
    )
    assert r.status_code == 200
    html = r.content.decode()
    table = re.search(r'data-testid="indicators">(.*?)</table>', html, re.S).group(1)
    caption = re.search(r'data-testid="as-of">(.*?)</caption>', table, re.S).group(1)
    label = {"yi": ("100m yuan", "亿元"), "wan": ("10k yuan", "万元")}[unit][language != "en"]
    assert day in caption and label in caption
    assert day in html.split("</h1>")[0]  # the heading names the date too
    # The outstanding 150,000,000.00 yuan in the reader's unit; the ratio 33.3333 % to 0.01.
    assert f'<td class="num">{amount}</td>' in table
    assert re.search(r'data-testid="debt-ratio">33\.33</td>', table)
    assert re.search(r'data-testid="debt-to-gdp">—</td>', table)  # missing stays missing
    # Every figure with decimals shows exactly two of them.
    numbers = re.findall(r'<td class="num"[^>]*>([^<]*)</td>', table)
    decimals = [n for n in numbers if re.search(r"\d\.\d", n)]
    two = r"[\d,]+\.\d\d( / ([\d,]+\.\d\d|—))?"  # "debt / its limit" when the limit is missing
    assert decimals and [n for n in decimals if not re.fullmatch(two, n)] == []
    # The maturity wall reads the ledger as of the same day, and says so.
    assert re.search(r'data-testid="wall-as-of">(.*?)</span>', html).group(1) == day


@pytest.mark.parametrize(("language", "day"), [("en", ENGLISH_DAY), ("zh-hans", CHINESE_DAY)])
def test_the_comparison_and_its_export_name_the_date_with_two_decimals(debts, language, day):
    c = _reader(debts, "supervisor", language, "yi")
    query = {"jurisdiction": debts.city.pk, "from_year": 2023, "to_year": 2024}
    html = c.get(reverse("risk-compare"), query).content.decode()
    assert day in html and ("截至 2023年12月31日" if language == "zh-hans" else "as of 2023-12-31")
    row = re.search(r'data-jurisdiction="D1".*?</tr>', html, re.S).group(0)
    assert re.search(r">33\.33 ", row)
    csv = _text(c.get(reverse("risk-compare"), {**query, "format": "csv"}))
    header, *rows = csv.splitlines()
    assert day in header
    assert any(r.startswith("D1,") and r.endswith(",33.33") for r in rows), rows


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_monitor_and_its_export_show_percentages_to_two_decimals(world, language):
    from panhuo.monitor.tests.support import seed_figures

    seed_figures(world)
    c = _reader(world, "finance", language, "wan")
    html = c.get(reverse("monitor"), {"year": 2024}).content.decode()
    table = re.search(r'data-testid="monitor-table">(.*?)</table>', html, re.S).group(1)
    cells = re.findall(r'data-field="(?:month|ytd)_growth">([^<]*)</td>', table)
    shown = [c for c in cells if c != "—"]
    assert shown and all(re.fullmatch(r"-?[\d,]+\.\d\d", c) for c in shown), shown
    csv = _text(c.get(reverse("monitor"), {"year": 2024, "format": "csv"}))
    header, *rows = csv.splitlines()
    assert "2024-03" in header and "2023-03" in header  # each amount column names its period
    growth = [r.split(",")[3] for r in rows if r.split(",")[3]]
    assert growth and all(re.fullmatch(r"-?\d+\.\d\d", g) for g in growth), growth


@pytest.mark.parametrize(("language", "word"), [("en", "as of"), ("zh-hans", "截至")])
def test_the_dashboard_dates_its_debt_figures(debts, language, word):
    c = _reader(debts, "finance", language, "yi")
    html = c.get(reverse("dashboard")).content.decode()
    today = timezone.localdate()
    for testid in ("debt-as-of", "money-as-of"):
        shown = re.search(rf'data-testid="{testid}">([^<]*)<', html).group(1)
        assert word in shown and str(today.year) in shown and str(today.day) in shown
