"""The public portal in a real Chromium, as an anonymous visitor: every page and both languages
pass axe-core's WCAG 2 A/AA checks with no violation, the pages keep to the content security
policy, and they are usable on a phone (375 px wide: nothing wider than the screen but the
asset table, which scrolls in its own region)."""

from __future__ import annotations

import pytest
from django.db import connection
from playwright.sync_api import sync_playwright

from panhuo.core.tests.a11y import axe_violations, describe, with_axe
from panhuo.core.tests.test_browser import CHROMIUM, CHROMIUM_ARGS, watch_csp
from panhuo.portal.models import Announcement, Notice
from panhuo.portal.services import announcement_publish
from panhuo.portal.tests.support import listed_project, published_project

#: How much wider than the viewport the page may be (none: no sideways scrolling).
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def records(transactional_db, world):
    listed_project(world)
    published_project(world)
    announcement_publish(
        actor=world.user("office"), jurisdiction=world.district, kind="policy",
        title="Disposal policy", body="Every sale is public.\n\nResults are published.",
    )  # fmt: skip
    return world


@pytest.fixture
def chromium(monkeypatch, records):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _pages() -> list[str]:
    notices = [n.get_absolute_url() for n in Notice.objects.filter(current=True)]
    announcements = [a.get_absolute_url() for a in Announcement.objects.all()]
    return ["/public/", "/public/?status=open&kind=building", "/public/?price_min=x",
            *notices, "/public/announcements/", *announcements, "/public/accountability/",
            "/public/accountability/D1/", "/public/accountability/D1/?as_of=x"]  # fmt: skip


@pytest.mark.browser
# Both languages on a phone; the desktop width in Chinese (the longer labels are English).
@pytest.mark.parametrize(("language", "width"), [("en", 375), ("zh-hans", 375), ("zh-hans", 1366)])
def test_the_portal_passes_axe_and_fits_a_phone(live_server, records, chromium, language, width):
    base = live_server.url
    csp: list[str] = []
    inaccessible: list[str] = []
    too_wide: list[str] = []
    try:
        context = chromium.new_context(viewport={"width": width, "height": 800})
        page = with_axe(context.new_page())
        page.set_default_timeout(15_000)
        # A worker's first page waits for its live server's first request (URLs, templates,
        # catalogue) while the other worker loads both cores: 15 s ran out then, under load.
        page.set_default_navigation_timeout(45_000)
        watch_csp(page, csp)
        page.goto(f"{base}/public/language/?lang={language}&next=/public/")
        assert page.locator("html").get_attribute("lang") == language
        for url in _pages():
            response = page.goto(f"{base}{url}")
            assert response is not None and response.status == 200, url
            inaccessible += describe(f"{url} ({language}, {width} px)", axe_violations(page))
            if page.evaluate(OVERFLOW) > 0:
                too_wide.append(url)
        context.close()
    finally:
        connection.close()
    assert csp == []
    assert not inaccessible, f"{len(inaccessible)} WCAG 2 A/AA violations:\n" + "\n".join(
        inaccessible
    )
    assert too_wide == []
