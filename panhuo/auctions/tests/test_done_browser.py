"""Issue 16's "done when", clicked through in a real Chromium: an anonymous visitor finds a lot on
the public portal, registers as a bidder and is verified by the office, registers for the lot,
declares the deposit paid and finance confirms it, bids against two other bidders (who bid
through the API) through a soft-close extension and wins; the office awards the lot, the
project shows the deal and its expected receipts, and the result notice goes up on the portal;
and a sealed-bid lot's amounts cannot be read in the browser before its opening.

Each person has their own browser context (their own session). The auction's clock is the
server's (``bidding.now``), which the test sets (``support.Clock``) instead of waiting out the
minutes; the lot is closed by the worker's own step (``services.close_due``) once the clock has
passed its end. Everything else is the pages.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panhuo.auctions import sealed, services
from panhuo.auctions.models import Lot, LotStatus
from panhuo.auctions.tests.support import Clock, make_lot, registered
from panhuo.bidders.models import Bidder, BidderStatus
from panhuo.bidders.tests.factories import id_number
from panhuo.core.testing import PASSWORD as STAFF_PASSWORD
from panhuo.core.testing import AssetFactory, appraise, approved, recorded_late
from panhuo.core.tests.api_support import call
from panhuo.core.tests.test_browser import chromium, new_page, status_of, take
from panhuo.disposal import services as ds
from panhuo.finance.deposits.models import Deposit, DepositStatus
from panhuo.integrity.models import AuditEntry

D = Decimal
NAME = "Riverside warehouse No. 7"
PASSWORD = "a-long-Pass-phrase-9"


def _listed(w):
    """A public-auction project listed long enough ago that its disclosure has run."""
    asset = AssetFactory(unit=w.unit, name="Riverside warehouse")
    appraise(asset, D("5500000.00"))
    office = w.user("office")
    package = ds.package_create(
        actor=office, jurisdiction=w.district, name=NAME, channel="auction", asset_ids=[asset.pk]
    )
    sure = {"confirm_amount": True}
    p = ds.project_create(actor=office, package=package, reserve_price=D("5500000.00"), **sure)
    p = ds.project_transition(actor=office, project=p, transition="submit", **sure)
    p = approved(w, p)
    return ds.project_transition(
        actor=office, project=p, transition="list", **recorded_late("list"), **sure
    )


@pytest.fixture
def sale(transactional_db, world, monkeypatch):
    """The lot (10 minutes of bidding, soft close 5 + 5), two verified bidders registered with
    confirmed deposits, and the auction's clock. The clock starts 40 minutes back, so that
    every time the auction reaches is past by the real clock too (a deal is never dated
    tomorrow)."""
    clock = Clock(monkeypatch, timezone.now() - dt.timedelta(minutes=40))
    project = _listed(world)
    lot = services.lot_create(
        actor=world.user("office"), round=project.rounds.get(), start_price=D("5500000.00"),
        increment=D("50000.00"), deposit_amount=D("500000.00"),
        start_at=clock.at - dt.timedelta(minutes=1), end_at=clock.at + dt.timedelta(minutes=10),
        window_minutes=5, extension_minutes=5,
    )  # fmt: skip
    others = []
    for name in ("Other Bidder One", "Other Bidder Two"):
        c = Client(headers={"accept-language": "en"})
        c.force_login(registered(world, lot, name=name))
        others.append(c)
    return clock, project, lot, others


#: How long a page may take on a loaded machine (the test walks some fifty pages).
PATIENCE = 60_000


def _page(browser, csp):
    page = new_page(browser, csp)
    page.set_default_timeout(PATIENCE)
    page.set_default_navigation_timeout(PATIENCE)
    return page


def sign_in(browser, base: str, username: str, csp):
    page = _page(browser, csp)
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click(".login-card button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def _bid_api(client: Client, lot: Lot, amount: str) -> None:
    r = call(client, "POST", f"/api/v1/lots/{lot.pk}/bids", {"amount": amount})
    assert r.status_code == 200, r.content


def _bid_page(page, amount: str) -> None:
    page.fill("#id_amount_0" if page.locator("#id_amount_0").count() else "#id_amount", amount)
    page.get_by_role("button", name="Place bid").click()
    page.wait_for_load_state()


@pytest.mark.browser
def test_a_visitor_finds_a_lot_registers_bids_wins_and_the_result_is_published(
    live_server, world, sale, monkeypatch
):
    clock, project, lot, (one, two) = sale
    base = live_server.url
    csp: list[str] = []
    with chromium(monkeypatch) as browser:
        # An anonymous visitor finds the lot on the portal and follows it to bid.
        visitor = _page(browser, csp)
        visitor.goto(f"{base}/public/")
        visitor.fill("#id_q", "Riverside")
        visitor.get_by_role("button", name="Search").click()
        visitor.get_by_role("link", name=re.compile(NAME)).first.click()
        assert "Online auction" in visitor.content()
        visitor.get_by_role("link", name="Register and bid (sign in as a bidder)").click()
        visitor.wait_for_url(re.compile(r"/login/"))
        lot_url = f"{base}{lot.get_absolute_url()}"

        # They have no account: they register as a bidder (a person) and wait for the office.
        visitor.get_by_role("link", name="Register as a bidder").click()
        visitor.fill("#id_username", "zhaolei")
        visitor.fill("#id_password", PASSWORD)
        visitor.fill("#id_password2", PASSWORD)
        visitor.select_option("#id_jurisdiction", str(world.district.pk))
        visitor.select_option("#id_kind", "person")
        visitor.fill("#id_name", "Zhao Lei")
        number = id_number()
        visitor.fill("#id_id_number", number)
        visitor.fill("#id_phone", "13900139000")
        visitor.fill("#id_address", "1 Riverside Road")
        visitor.get_by_role("button", name="Register").click()
        visitor.wait_for_url(f"{base}/bidders/account/")
        bidder = visitor  # signed in as the new bidder from here on

        # The office finds the bidder awaiting verification and verifies them.
        office = sign_in(browser, base, "office", csp)
        office.goto(f"{base}/bidders/?status=pending")
        office.get_by_role("link", name="Zhao Lei").click()
        office.get_by_role("button", name="Verify").click()
        office.wait_for_load_state()
        assert "Verified" in office.content()

        # The bidder registers for the lot and declares the deposit paid.
        bidder.goto(lot_url)
        bidder.get_by_role("button", name="Register for this lot").click()
        bidder.wait_for_load_state()
        assert bidder.inner_text("[data-testid=deposit-status]").strip() == "Due"
        bidder.fill("#id_voucher", "ICBC-20260701-0042")
        bidder.get_by_role("button", name="Declare paid").click()
        bidder.wait_for_load_state()
        assert "awaiting confirmation" in bidder.inner_text("[data-testid=deposit-status]")
        assert bidder.locator("[data-testid=bid-form]").count() == 0

        # Finance sees the money arrived and confirms the deposit.
        finance = sign_in(browser, base, "finance", csp)
        finance.goto(f"{base}/deposits/?q=ICBC-20260701-0042")
        finance.get_by_role("link", name="ICBC-20260701-0042").click()
        finance.get_by_role("button", name="Confirm the money arrived (held)").click()
        finance.wait_for_load_state()
        assert finance.inner_text("[data-testid=deposit-status]").strip() == "Held (confirmed)"

        # Bidding: the two others through the API, the new bidder on the lot page.
        _bid_api(one, lot, "5500000")
        clock.move(minutes=1)
        bidder.goto(lot_url)
        _bid_page(bidder, "5600000")
        assert bidder.get_by_test_id("leading").is_visible()
        clock.move(minutes=1)
        _bid_api(two, lot, "5700000")
        # Three minutes before the end: inside the soft-close window, so the bid extends it.
        clock.move(minutes=5)
        bidder.goto(lot_url)
        assert bidder.get_by_test_id("leading").count() == 0
        _bid_page(bidder, "5800000")
        assert "extended 1 time by a late bid" in bidder.inner_text("[data-testid=lot-end]")
        # Four minutes before the new end: one of the others outbids them, extending it again.
        clock.move(minutes=4)
        _bid_api(one, lot, "5850000")
        bidder.goto(lot_url)
        assert bidder.inner_text("[data-testid=lot-price]").strip() == "5,850,000.00"
        _bid_page(bidder, "6000000")
        assert bidder.inner_text("[data-testid=lot-price]").strip() == "5,900,000.00"
        assert bidder.get_by_test_id("leading").is_visible()
        end = bidder.inner_text("[data-testid=lot-end]")
        assert "extended 2 times by late bids" in end, end

        # The end passes by the server's clock; the worker closes the lot.
        clock.move(minutes=30)
        assert [c.pk for c in services.close_due()] == [lot.pk]
        bidder.goto(lot_url)
        assert bidder.inner_text("[data-testid=lot-status]").strip() == "Closed (result pending)"
        assert bidder.locator("[data-testid=bid-form]").count() == 0

        # The office awards the lot: the deal is recorded on the project.
        office.goto(lot_url)
        office.get_by_role("button", name="Award to the leading bidder (records the deal)").click()
        office.wait_for_load_state()
        assert office.inner_text("[data-testid=lot-status]").strip() == "Awarded"
        bidder.goto(lot_url)
        assert bidder.get_by_test_id("won").is_visible()

        office.get_by_role("link", name="The disposal project").click()
        office.wait_for_url(re.compile(r"/projects/\d+/$"))
        assert status_of(office) == "Concluded"
        assert office.inner_text("[data-testid=deal-price]").strip() == "5,900,000.00"
        assert "Zhao Lei" in office.content()
        expected = office.inner_text("[data-testid=expected]")
        # The price is due (the deposit is still held: it is applied when the buyer pays).
        assert "5,900,000.00" in expected and "Open" in expected, expected

        # The contract is signed: the office publishes the result, and it is on the portal.
        take(office, "publish_result")
        assert status_of(office) == "Result published"
        visitor2 = _page(browser, csp)
        visitor2.goto(f"{base}/public/?status=result")
        visitor2.get_by_role("link", name=re.compile(NAME)).first.click()
        facts = visitor2.inner_text("main")
        assert "5,900,000.00" in facts and "Deal price" in facts
        assert "Zhao Lei" not in visitor2.content()  # bidders pseudonymised

    try:
        assert csp == []
        lot = Lot.objects.get(pk=lot.pk)
        assert lot.status == LotStatus.AWARDED and lot.extensions == 2
        assert lot.leader.bidder.name == "Zhao Lei"
        assert Bidder.objects.get(id_number=number).status == BidderStatus.VERIFIED
        assert Deposit.objects.get(voucher="ICBC-20260701-0042").status == DepositStatus.HELD
        project.refresh_from_db()
        assert project.deal_price == D("5900000.00") and project.buyer == "Zhao Lei"
    finally:
        connection.close()


@pytest.fixture
def sealed_sale(transactional_db, world, monkeypatch):
    """A sealed-bid lot (bidding for an hour, opening half an hour after) with two sealed bids."""
    clock = Clock(monkeypatch)
    start = clock.at - dt.timedelta(minutes=1)
    lot = make_lot(
        world, kind="sealed", increment=None, start=start, minutes=60,
        opens_at=start + dt.timedelta(minutes=90), tie_rule="earliest",
    )  # fmt: skip
    for amount in SEALED_AMOUNTS:
        user = registered(world, lot)
        clock.move(seconds=5)
        sealed.sealed_bid_place(actor=user, lot_id=lot.pk, amount=amount)
    return lot


#: Amounts that would show on a page that leaked them (grouped or not).
SEALED_AMOUNTS = ("5612345.67", "5798765.43")


@pytest.mark.browser
def test_a_sealed_bid_lot_cannot_be_read_before_opening(
    live_server, world, sealed_sale, monkeypatch
):
    """Before the opening, the office and the head open the lot's page and its bids' page: no
    amount shows anywhere, the bids' page refuses them (403, saying why), and each attempt is
    in the audit log."""
    base = live_server.url
    lot_url = f"{base}{sealed_sale.get_absolute_url()}"
    leaked = [a for x in SEALED_AMOUNTS for a in (x, f"{Decimal(x):,}")]
    csp: list[str] = []
    seen = []
    with chromium(monkeypatch) as browser:
        for who in ("office", "head"):
            page = sign_in(browser, base, who, csp)
            page.goto(lot_url)
            seen.append(page.content())
            response = page.goto(f"{base}{reverse('lot-sealed', args=[sealed_sale.pk])}")
            assert response is not None and response.status == 403, who
            seen.append(page.content())
    try:
        assert csp == []
        assert not [a for a in leaked for html in seen if a in html]
        refused = AuditEntry.objects.filter(
            action="lot.sealed_read_refused", object_id=str(sealed_sale.pk)
        )
        assert refused.count() >= 2
    finally:
        connection.close()
