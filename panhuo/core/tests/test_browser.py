"""One disposal from draft to a repaid debt, clicked through in a real Chromium.

Each person uses their own browser context (their own session), as they would their own
computer: the office opens and submits the project, the head approves it, the office lists it
and records the deal, finance records the proceeds and allocates them to a debt, and the office
closes the project.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.db import connection, connections
from playwright.sync_api import sync_playwright

from panhuo.core.testing import PASSWORD, AssetFactory, make_user, recorded_late
from panhuo.core.tests.a11y import axe_violations, describe, with_axe
from panhuo.core.tests.api_support import build_api_world, client_for
from panhuo.core.tests.crawl import Page, crawl
from panhuo.core.tests.test_security import inline_problems
from panhuo.disposal import services as ds
from panhuo.disposal.models import DisposalProject
from panhuo.finance import services as fs
from panhuo.finance.models import Debt
from panhuo.organisation.models import Role

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def records(transactional_db, world):
    """A package ready for a project, and a debt to repay. Made before the browser starts."""
    asset = AssetFactory(unit=world.unit, name="Idle depot on Binjiang Road")
    package = ds.package_create(
        actor=world.user("office"),
        jurisdiction=world.district,
        name="Binjiang depot lot",
        channel="auction",
        asset_ids=[asset.pk],
    )
    debt = fs.debt_create(
        actor=world.user("finance"),
        jurisdiction=world.district,
        data={
            "creditor": "District Bank",
            "debt_type": "bank_loan",
            "principal": "20000000.00",
            "rate": Decimal("4.350"),
            "issue_date": dt.date(2021, 1, 1),
            "maturity_date": dt.date(2031, 1, 1),
        },
    )
    return package, debt


@contextlib.contextmanager
def chromium(monkeypatch):
    """Chromium through Playwright's sync API, for one test."""
    # Playwright's sync API runs an event loop in this thread, so Django would refuse the
    # test's own (synchronous) ORM calls; this is Django's documented escape hatch for that.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # Between two Playwright calls its loop counts as running, so Django kept the
        # connection of the test's ORM calls in this context's storage, not the thread's,
        # where pytest-django never closes it: close it here, in the same context, or it
        # outlives the test and PostgreSQL refuses to drop the test database at the end.
        connections.close_all()


@pytest.fixture
def browser(monkeypatch, records):
    with chromium(monkeypatch) as browser:
        yield browser


#: The widths of the menu's entries and the user's corner, to say why a header wrapped.
WIDTHS = """[...document.querySelectorAll('.mainnav li, .usernav')]
    .map(e => Math.round(e.getBoundingClientRect().width)).join(' ')"""

#: What Chromium reported as blocked by the content security policy, per page, as it happened.
CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy")


def watch_csp(page, violations: list[str]) -> None:
    """Record every console message in which Chromium reports a CSP violation."""

    def on_console(message) -> None:
        if any(marker in message.text for marker in CSP_MARKERS):
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)


def new_page(browser, violations: list[str] | None = None):
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    # A worker's first page waits for its live server's first request (URLs, templates,
    # catalogue) while the other worker loads both cores: 15 s ran out then, under load.
    page.set_default_navigation_timeout(45_000)
    if violations is not None:
        watch_csp(page, violations)
    return page


def sign_in(browser, base: str, username: str, violations: list[str] | None = None):
    return sign_in_on(new_page(browser, violations), base, username)


def sign_in_on(page, base: str, username: str):
    """``page`` signed in as ``username``, from the sign-in page."""
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click(".login-card button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def sign_out_of(page) -> None:
    """``page``'s person gone from its context (the session cookie, any stored state), as if
    the next person sat down at a fresh browser that kept only its cache of static files."""
    if page.url.startswith("http"):
        page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
    page.context.clear_cookies()


def take(page, transition: str, **fields) -> None:
    """Fill a transition's form on the project page and press its button."""
    for name, value in fields.items():
        box = f"#id_{transition}-{name}"
        if page.locator(box).count() == 0:
            box += "_0"  # an amount: its box, with the unit (元 / 万元) beside it
        page.fill(box, value)
    page.click(f"button[name=do][value={transition}]")
    page.wait_for_load_state()


def status_of(page) -> str:
    return page.inner_text("[data-testid=project-status]").strip()


@pytest.mark.browser
def test_a_disposal_from_draft_to_repaid_debt(live_server, records, browser):
    base = live_server.url
    package, debt = records
    csp: list[str] = []  # every page below must render without a CSP violation

    # The office opens a draft project for the package and submits it.
    office = sign_in(browser, base, "office", csp)
    office.goto(f"{base}{package.get_absolute_url()}")
    office.click("text=Open a disposal project")
    office.fill("#id_reserve_price_0", "6,000,000.00")  # the unit beside it stays 元
    office.click("button:has-text('Open draft project')")
    office.wait_for_url(re.compile(r"/projects/\d+/$"))
    project_url = office.url
    assert status_of(office) == "Draft"
    assert office.locator("button[name=do][value=approve]").count() == 0
    take(office, "submit")
    assert status_of(office) == "Submitted"
    # What the approval rests on (Decree 738 art. 19): the collective decision's minutes and
    # the approval document with its number, uploaded on the project page.
    for kind, number in (("collective_decision", "Minutes [2026] No. 7"),
                         ("approval", "Approval [2026] No. 7")):  # fmt: skip
        office.click("#documents summary")
        office.select_option("#documents select[name=kind]", kind)
        office.fill("#documents input[name=title]", number)
        office.fill("#documents input[name=number]", number)
        office.set_input_files(
            "#documents input[name=file]",
            files=[{"name": f"{kind}.txt", "mimeType": "text/plain", "buffer": b"Decided.\n"}],
        )
        office.click("#documents button:has-text('Upload')")
        office.wait_for_url(re.compile(r"/projects/\d+/"))
        office.goto(project_url)

    # The head approves: the office may not, and is not offered the button.
    assert office.locator("button[name=do][value=approve]").count() == 0
    head = sign_in(browser, base, "head", csp)
    head.goto(project_url)
    take(head, "approve", comment="Task-force meeting No. 7")
    assert status_of(head) == "Approved"

    # The office lists it and records the deal.
    office.goto(project_url)
    # (Each recorded late, with its date and the reason: the disclosure and the result notice
    # have run their periods by today.)
    take(office, "list", **recorded_late("list"))
    assert status_of(office) == "Listed"
    take(office, "conclude", deal_price="6,500,000.00", buyer="Binjiang Logistics Ltd",
         **recorded_late("conclude"))  # fmt: skip
    assert status_of(office) == "Concluded"
    assert office.inner_text("[data-testid=deal-price]").strip() == "6,500,000.00"
    # The contract is in force: the result notice goes up.
    take(office, "publish_result", **recorded_late("publish_result"))
    assert status_of(office) == "Result published"

    # Finance records the proceeds in full and allocates them to the debt.
    finance = sign_in(browser, base, "finance", csp)
    finance.goto(project_url)
    finance.click("text=Record a receipt")
    assert finance.input_value("#id_amount_0") == "6500000.00"
    finance.fill("#id_voucher", "FZ-2026-0042")
    finance.select_option("#id_budget_class", "non_tax")
    finance.click("button:has-text('Record receipt')")
    finance.wait_for_url(re.compile(r"/receipts/\d+/$"))
    finance.select_option("#id_debt", str(debt.pk))
    assert finance.input_value("#id_amount_0") == "6500000.00"
    finance.click("button:has-text('Allocate')")
    finance.wait_for_load_state()
    assert finance.inner_text("[data-testid=receipt-unallocated]").strip() == "0.00"

    # Paid in full: the payment is confirmed, and the office closes the project (its result
    # notice has run); it shows as closed, and the debt's outstanding fell.
    office.goto(project_url)
    take(office, "confirm_payment")
    assert status_of(office) == "Paid in full"
    take(office, "close", comment="Proceeds received and applied to the bank loan.")
    assert status_of(office) == "Closed"
    assert office.locator("button[name=do]").count() == 0
    finance.goto(f"{base}{debt.get_absolute_url()}")
    outstanding = finance.inner_text("[data-testid=debt-outstanding]").strip()
    assert outstanding == "13,500,000.00"

    office.click("button:has-text('Sign out')")
    office.wait_for_url(re.compile(r"/login/"))
    assert csp == []

    # What the pages showed is what was stored. While Playwright's loop runs, the ORM works in
    # a context of its own and opens a connection there: close it, or it outlives the tests.
    try:
        project = DisposalProject.objects.get(package=package)
        assert project.status == "closed"
        assert Debt.objects.get(pk=debt.pk).outstanding == Decimal("13500000.00")
        assert list(project.events.values_list("transition", flat=True)) == [
            "submit",
            "approve",
            "list",
            "conclude",
            "publish_result",
            "confirm_payment",
            "close",
        ]
    finally:
        connection.close()


@pytest.fixture
def all_records(transactional_db, world):
    """Records in every state (the API tests' world), made before the browser starts; and a
    site administrator, whom the world lacks."""
    api_world = build_api_world(world)
    world.users["siteadmin"] = make_user("siteadmin", Role.SITE_ADMIN, world.district)
    return api_world


#: One person per role (the world's users), so that every page is seen as each role sees it; in
#: two groups, one item each, so that the crawl spreads over the test workers (CI time, issue
#: 11). The staff of the first group see mostly the same pages (158 distinct of their 380);
#: the second group's people see pages of their own.
EVERY_ROLE = ["office", "finance", "head", "auditor", "deputy", "supervisor",
              "unit_officer", "siteadmin", "bidder"]  # fmt: skip
ROLE_GROUPS = [EVERY_ROLE[:6], EVERY_ROLE[6:]]

#: What differs between two people's copies of one page besides its content: the header (the
#: menu and the user's corner, checked on each person's home page) and the per-response nonce
#: and form token.
HEADER = re.compile(r'<header class="topbar">.*?</header>', re.S)
PER_RESPONSE = re.compile(r'nonce="[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')


def content_of(html: str) -> str:
    """A page as any person would see it below the header, per-response values removed."""
    return PER_RESPONSE.sub("", HEADER.sub("", html, count=1))


@contextlib.contextmanager
def replaying(live_server):
    """A dict of crawled pages by address that the live server answers with the bytes and
    headers the crawl fetched (the content security policy with its nonce among them) instead
    of rendering the same page for the same person a second time (the page loads were about a
    third of the crawl's time, CI time, issue 11). The bytes are the same views' answer
    through the same middleware; any other address (sign-in, styles, scripts, images) goes to
    the site as usual, as does every page of the other browser tests.

    The live server answers, not a Playwright route: a route turns Chromium's HTTP cache off,
    so every page fetched, parsed and compiled the site's styles and scripts again: 30 % of
    Chromium's CPU time in the page loads (docs/benchmarks.md, issue 11)."""
    httpd = live_server.thread.httpd
    site = httpd.get_app()
    pages: dict[str, Page] = {}

    def app(environ, start_response):
        query = environ.get("QUERY_STRING", "")
        crawled = pages.get(environ["PATH_INFO"] + (f"?{query}" if query else ""))
        if crawled is None or environ["REQUEST_METHOD"] != "GET":
            return site(environ, start_response)
        reason = HTTPStatus(crawled.status).phrase
        start_response(f"{crawled.status} {reason}", list(crawled.headers.items()))
        return [crawled.html.encode()]

    httpd.set_app(app)
    try:
        yield pages
    finally:
        httpd.set_app(site)


@pytest.mark.browser
@pytest.mark.parametrize("people", ROLE_GROUPS, ids=["staff", "others"])
def test_every_page_renders_without_a_csp_violation(
    live_server, all_records, records, browser, people, subtests
):
    """Every page a user can reach by links (crawl.py), opened in Chromium under the real
    policy: Chromium must report no violation, and the pages must work. axe-core must find no
    WCAG 2 A/AA violation on any of them (issue 14, item 10; a11y.py).

    Each person's crawl (what they reach) is their own, and so are their home page and menu,
    opened and checked for each. A page whose content below the header another person of the
    group already had checked is the same document but for the header, so Chromium and
    axe-core would answer the same: it is not opened again (about half of the 456 visits of
    nine people, and of the crawl's CPU time, CI time, issue 11)."""
    base = live_server.url
    checked: set[str] = set()
    csp: list[str] = []
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(connection.close)
        replay = cleanup.enter_context(replaying(live_server))
        # One context for the group, each person signed out before the next signs in: a new
        # context per person started a renderer and fetched every style and script cold, 2.7
        # CPU seconds of Chromium per person (docs/benchmarks.md, issue 11).
        page = with_axe(new_page(browser, csp))
        cleanup.callback(page.context.close)
        for who in people:
            with subtests.test(msg=who, who=who):
                reported = len(csp)
                inaccessible: list[str] = []
                client = client_for(all_records.w, who)
                crawled_pages = crawl(client, "/", per_route=1)
                # What test_security's crawl asks of every page (no 500, nothing the policy
                # would need 'unsafe-inline' for), asked here of every role's: a run with this
                # test leaves that one out (crawled_in_browser, conftest.py).
                assert all(p.status < 500 for p in crawled_pages), (who, crawled_pages)
                inline = {p.url: found for p in crawled_pages if (found := inline_problems(p.html))}
                assert inline == {}, (who, inline)
                pages = [p for p in crawled_pages if p.status == 200]
                assert len(pages) >= 3, (who, [p.url for p in pages])
                replay.clear()
                sign_out_of(page)
                sign_in_on(page, base, who)
                # Issue 14: at 1366 px the English header wrapped to three rows. One row now,
                # menu badges included (the bar is 52 px high; a second row would add 40 more).
                bar = page.evaluate("document.querySelector('.topbar-inner').offsetHeight")
                assert bar < 80, (who, bar, page.evaluate(WIDTHS))
                replay.update((p.url, p) for p in pages)
                for crawled in pages:
                    content = content_of(crawled.html)
                    if crawled.url != "/" and content in checked:
                        continue
                    checked.add(content)
                    response = page.goto(f"{base}{crawled.url}")
                    assert response is not None and response.status == 200, (who, crawled.url)
                    where = f"{crawled.url} as {who}"
                    inaccessible += describe(where, axe_violations(page))
                assert csp[reported:] == []
                assert not inaccessible, (
                    f"{len(inaccessible)} WCAG 2 A/AA violations:\n" + "\n".join(inaccessible)
                )


@pytest.mark.browser
def test_the_api_docs_and_sign_in_render_without_a_csp_violation(live_server, records, browser):
    """The API docs (Swagger UI from ninja's static files) draw the operations under the
    policy, and the sign-in page works for a stranger."""
    base = live_server.url
    csp: list[str] = []
    docs = sign_in(browser, base, "office", csp)
    docs.goto(f"{base}/api/v1/docs")
    # Swagger UI is a large bundle drawing every operation: give it time on a busy machine.
    docs.wait_for_selector(".swagger-ui .info .title", timeout=90_000)
    assert "Panhuo API" in docs.inner_text(".swagger-ui .info .title")
    docs.wait_for_selector(".opblock", timeout=30_000)
    assert docs.locator(".opblock").count() >= 20
    docs.locator(".opblock-summary").first.click()
    docs.wait_for_selector(".opblock-body")
    anonymous = with_axe(new_page(browser, csp))
    anonymous.goto(f"{base}/login/")
    anonymous.wait_for_selector("#id_username")
    # The pages no crawl reaches: signing in, and a page that is not there.
    login_a11y = describe("/login/ as a stranger", axe_violations(anonymous))
    missing = anonymous.goto(f"{base}/no-such-page/")
    assert missing is not None and missing.status == 404
    login_a11y += describe("a 404 page as a stranger", axe_violations(anonymous))
    assert csp == []
    assert not login_a11y, "\n".join(login_a11y)


@pytest.mark.browser
def test_the_browser_reports_a_violation_when_there_is_one(live_server, records, browser):
    """The listener above would notice: an inline script injected into a page is refused. And
    axe-core would: an image without a text alternative and a nameless button, put into the
    sign-in page, are reported by rule, page and element."""
    csp: list[str] = []
    page = with_axe(new_page(browser, csp))
    page.goto(f"{live_server.url}/login/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran === true") is False
    assert csp and "script-src" in csp[0]
    page.evaluate(
        "() => { const img = document.createElement('img'); img.id = 'no-alt';"
        " img.src = document.querySelector('.brand-mark').src; document.body.appendChild(img);"
        " const b = document.createElement('button'); b.id = 'no-name';"
        " document.body.appendChild(b); }"
    )
    found = describe("/login/ as a stranger", axe_violations(page))
    assert any(line.startswith("image-alt (critical) on /login/ as a stranger: #no-alt")
               for line in found), found  # fmt: skip
    assert any(line.startswith("button-name (critical) on /login/ as a stranger: #no-name")
               for line in found), found  # fmt: skip


@pytest.fixture
def located_assets(transactional_db, world):
    """Two assets with coordinates in unit U1, made before the browser starts."""
    return [
        AssetFactory(unit=world.unit, code="MAP-1", status="in_use", idle_since=None,
                     latitude=Decimal("31.230400"), longitude=Decimal("121.473700")),
        AssetFactory(unit=world.unit, code="MAP-2", status="leased_out", idle_since=None,
                     latitude=Decimal("31.250000"), longitude=Decimal("121.500000")),
    ]  # fmt: skip


@pytest.mark.browser
def test_the_map_of_assets_draws_its_points(live_server, located_assets, records, browser):
    """Leaflet (from its package, as static files) draws the points under the real policy, with
    no tile server: a point opens its code and a link; the asset page draws its own point."""
    base = live_server.url
    csp: list[str] = []
    try:
        page = with_axe(sign_in(browser, base, "office", csp))
        page.goto(f"{base}/assets/map/?q=MAP-")
        page.wait_for_selector("#asset-map[data-drawn='2']")
        # The maps pass axe-core too, drawn (the crawl's assets have no coordinates).
        inaccessible = describe("/assets/map/ as office", axe_violations(page))
        assert page.locator("#asset-map path.map-point").count() == 2
        assert page.locator("#asset-map path.map-graticule").count() >= 2  # offline background
        page.locator("#asset-map path.map-status-leased_out").click()
        popup = page.wait_for_selector(".leaflet-popup-content")
        assert "MAP-2" in popup.inner_text()
        assert popup.query_selector("a").get_attribute("href") == (
            located_assets[1].get_absolute_url()
        )
        page.goto(f"{base}{located_assets[0].get_absolute_url()}")
        page.wait_for_selector(".asset-map-small[data-drawn='1'] path.map-status-in_use")
        inaccessible += describe("an asset's page as office", axe_violations(page))
        page.context.close()
    finally:
        connection.close()
    assert csp == []
    assert not inaccessible, "\n".join(inaccessible)
