"""Small defects a newcomer met (issue 14, item 9), each pinned by a test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from panhuo.core.tests.api_support import client_for
from panhuo.monitor.tests.support import seed_figures

pytestmark = pytest.mark.django_db


def test_favicon_is_served_and_linked(world):
    client = client_for(world, "office")
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("panhuo/favicon.svg")
    assert finders.find("panhuo/favicon.svg")
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page


@pytest.mark.parametrize(
    "name", ["asset-list", "project-list", "package-list", "debt-list", "receipt-list"]
)
def test_a_filters_empty_choice_reads_all(world, name):
    """Not Django's "- Select an option -": a blank filter means every value ("All", or the
    form's own "All kinds", "Either")."""
    html = client_for(world, "office").get(reverse(name)).content.decode()
    assert "Select an option" not in html and "---------" not in html
    bar = html[html.index('class="filters"') :]
    blanks = re.findall(r'<select name="(\w+)"[^>]*>\s*<option value=""[^>]*>([^<]*)<', bar)
    assert blanks, name
    assert all(label.startswith(("All", "Either", "Any")) for _, label in blanks), blanks


def test_a_filters_empty_choice_reads_all_in_chinese(world):
    client = client_for(world, "office")
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("asset-list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">全部</option>" in html and "Select an option" not in html


def test_the_monitors_category_tree_indents_without_inline_styles(world):
    """The indentation was an inline style, which the site's own CSP blocks (a flat tree)."""
    seed_figures(world)
    html = client_for(world, "head").get(reverse("monitor"), {"year": 2024}).content.decode()
    rows = re.findall(r'<tr data-code="[^"]*" class="depth-(\d)">\s*<th scope="row">', html)
    assert len(set(rows)) >= 3, rows  # several depths, each a class
    assert ' style="' not in html
    css = Path(finders.find("panhuo/panhuo.css")).read_text(encoding="utf-8")
    for depth in sorted(set(rows) - {"0"}):
        assert f"tr.depth-{depth} > th:first-child" in css


PROCEEDS_PAGES = ["receipt-list", "allocation-list", "deposit-list", "overdue-receipts"]


@pytest.mark.parametrize("name", [*PROCEEDS_PAGES, "reconciliation"])
def test_deposits_and_the_finance_reports_are_in_the_menu(world, name):
    """Deposits and the reports had no menu entry: the proceeds pages share tabs, and the main
    menu's Receipts stays current on each."""
    html = client_for(world, "finance").get(reverse(name)).content.decode()
    tabs = html[html.index('data-testid="money-tabs"') :].split("</nav>")[0]
    for target in ("receipt-list", "allocation-list", "deposit-list", "reconciliation"):
        assert f'href="{reverse(target)}"' in tabs
    assert f'href="{reverse(name)}" aria-current="page"' in tabs
    mainnav = html[html.index('class="mainnav"') :].split("</nav>")[0]
    assert f'href="{reverse("receipt-list")}" aria-current="page"' in mainnav
