"""The dashboard, the error pages and the static files every page uses."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.views.defaults import server_error

from panhuo.core.tests.views_support import (
    USERS,
    assert_login_redirect,
    build_sample,
    client_for,
    expected,
    statuses,
)

PANHUO = Path(__file__).resolve().parents[2]


@pytest.fixture
def sample(world):
    return build_sample(world)


def test_dashboard_for_every_role(world, sample):
    assert statuses(world, reverse("dashboard")) == expected(USERS)
    assert_login_redirect(reverse("dashboard"))


def _chart(response, name: str) -> list[dict]:
    match = re.search(
        rf'<script id="{name}" type="application/json">(.*?)</script>', response.content.decode()
    )
    assert match, name
    return json.loads(match.group(1))


def test_dashboard_figures_follow_the_callers_scope(world, sample):
    office = client_for(world, "office").get(reverse("dashboard"))
    assets = office.context["assets"]
    # build_sample: in district A, five assets in U1 (one sold, so disposed) and one in U2.
    assert assets["total"] == 6
    by_status = {p["key"]: p["value"] for p in _chart(office, "chart-assets-status")}
    assert by_status == {"idle": 5, "disposed": 1}
    projects = {p["key"]: p["value"] for p in _chart(office, "chart-projects")}
    assert projects["draft"] == 1 and projects["concluded"] == 1 and projects["closed"] == 0
    money = office.context["money"]
    assert money["received"] == Decimal("4000000.00")
    assert money["allocated"] == Decimal("1000000.00")
    assert money["debt_outstanding"] == Decimal("9000000.00")
    assert money["allocated_share"] == 25
    assert _chart(office, "chart-money")[0]["display"] == "400.00"  # 10k yuan

    unit = client_for(world, "unit_officer").get(reverse("dashboard"))
    assert unit.context["assets"]["total"] == 5 and "money" not in unit.context
    assert b'id="chart-money"' not in unit.content

    bidder = client_for(world, "bidder").get(reverse("dashboard"))
    assert not ({"assets", "projects", "money"} & set(bidder.context.keys()))
    # A bidder lands on their registration's status and the public notices instead.
    assert b"nothing to show here yet" not in bidder.content
    assert b'data-testid="bidder-card"' in bidder.content and b'href="/public/"' in bidder.content


def test_navigation_follows_the_roles(world):
    def links(who) -> set[str]:
        page = client_for(world, who).get(reverse("dashboard")).content.decode()
        nav = re.search(r'<nav class="mainnav".*?</nav>', page, re.S).group(0)
        return set(re.findall(r'href="([^"]+)"', nav))

    money = {"/receipts/", "/debts/", "/risk/"}
    assert links("office") == {"/", "/assets/", "/packages/", "/projects/", *money} | {
        "/assets/import/",  # ("asset", "create")
        "/scope/",  # ("scope", "view")
        "/documents/",  # ("document", "view")
        "/approvals/",  # ("approval", "view")
        "/valuations/",  # ("valuation", "view")
        "/monitor/",  # ("revenue", "view")
        "/plans/",  # ("work_plan", "view")
        "/flags/",  # ("flag", "view")
    }
    assert links("auditor") == links("office") - {"/assets/import/"} | {"/audit/", "/findings/"}
    assert links("unit_officer") == {
        "/",
        "/assets/",
        "/assets/import/",
        "/packages/",
        "/projects/",
        "/documents/",
        "/approvals/",
        "/valuations/",
        "/plans/",
    }
    assert links("bidder") == {"/"}


def test_denied_and_missing_pages_use_our_templates(world, sample):
    c = client_for(world, "finance")
    denied = c.get(reverse("asset-create"))
    assert denied.status_code == 403 and b"Not permitted" in denied.content
    missing = c.get(reverse("asset-detail", args=[sample.a.other_asset.pk]))
    assert missing.status_code == 404 and b"not visible to you" in missing.content


def test_our_static_files_are_served_and_nothing_comes_from_elsewhere():
    for name in ("panhuo/panhuo.css", "panhuo/panhuo.js", "panhuo/logo.svg"):
        assert finders.find(name), name
    external = re.compile(r'(?:src|href)="(?:https?:)?//', re.I)
    templates = list(PANHUO.glob("*/templates/**/*.html"))
    assert templates
    for path in templates:
        assert not external.search(path.read_text()), f"{path} loads something from elsewhere"
    for name in ("panhuo/panhuo.css", "panhuo/panhuo.js"):
        text = Path(finders.find(name)).read_text()
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in text and "@import" not in text


def test_server_error_page_renders_without_a_request_context(rf):
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
