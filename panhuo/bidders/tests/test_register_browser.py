"""Self-registration in a real Chromium, as an anonymous visitor: the page passes axe-core's
WCAG 2 A/AA checks (also with its errors shown) within the content security policy, and a
person fills it in, is refused naming the check digit, corrects it and lands signed in on
their account, awaiting verification."""

from __future__ import annotations

import pytest
from django.db import connection
from playwright.sync_api import sync_playwright

from panhuo.bidders.models import Bidder, BidderStatus
from panhuo.bidders.tests.factories import id_number
from panhuo.core.tests.a11y import axe_violations, describe, with_axe
from panhuo.core.tests.test_browser import CHROMIUM, CHROMIUM_ARGS, new_page


@pytest.fixture
def chromium(monkeypatch, transactional_db, world):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.browser
def test_an_anonymous_visitor_registers_in_the_browser(live_server, world, chromium):
    base = live_server.url
    csp: list[str] = []
    inaccessible: list[str] = []
    try:
        page = with_axe(new_page(chromium, csp))
        page.goto(f"{base}/login/")
        page.get_by_role("link", name="Register as a bidder").click()
        assert page.url.endswith("/bidders/register/")
        inaccessible += describe("/bidders/register/", axe_violations(page))
        page.fill("#id_username", "zhaolei")
        page.fill("#id_password", "a-long-Pass-phrase-9")
        page.fill("#id_password2", "a-long-Pass-phrase-9")
        page.select_option("#id_jurisdiction", str(world.district.pk))
        page.select_option("#id_kind", "person")
        page.fill("#id_name", "赵磊")
        page.fill("#id_id_number", "110105194912310021")  # wrong check digit
        page.fill("#id_phone", "13900139000")
        page.fill("#id_address", "北京市东城区 1 号")
        page.get_by_role("button", name="Register").click()
        assert "Resident ID check digit does not match." in page.content()
        inaccessible += describe("/bidders/register/ with errors", axe_violations(page))
        number = id_number()
        page.fill("#id_id_number", number)
        page.fill("#id_password", "a-long-Pass-phrase-9")
        page.fill("#id_password2", "a-long-Pass-phrase-9")
        page.get_by_role("button", name="Register").click()
        page.wait_for_url(f"{base}/bidders/account/")
        assert page.get_by_test_id("bidder-status").is_visible()
        inaccessible += describe("/bidders/account/", axe_violations(page))
        assert Bidder.objects.get(id_number=number).status == BidderStatus.PENDING
    finally:
        connection.close()
    assert csp == []
    assert not inaccessible, "\n".join(inaccessible)
