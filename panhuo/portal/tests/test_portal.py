"""The public portal: notices put up by the disposal steps, only the published fields public,
search and filters, feeds, announcements, corrections."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve
from hypothesis import given
from hypothesis import strategies as st

from panhuo.core.tests.crawl import links_in
from panhuo.flags.models import Flag
from panhuo.integrity.models import AuditEntry
from panhuo.portal import published, services
from panhuo.portal.models import Announcement, Notice
from panhuo.portal.tests.support import SECRETS, destroying_value, listed_project, published_project


def crawl_public(client: Client, start: str = "/public/") -> dict[str, str]:
    """Every URL under /public/ reachable by links from ``start`` (any content type), each
    page's body, following every link once (filters and pages included)."""
    queue, seen, bodies = [start], {start}, {}
    while queue:
        url = queue.pop(0)
        response = client.get(url, follow=True)
        assert response.status_code == 200, (url, response.status_code)
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode("utf-8", "replace")
        bodies[url] = body
        if not response.get("Content-Type", "").startswith(("text/html", "application")):
            continue
        html = "html" in response["Content-Type"]
        candidates = [*links_in(body, url), *re.findall(r'src="([^"]+)"', body)] if html else []
        if url.endswith("feed.json"):
            candidates = [urlsplit(i["url"]).path for i in json.loads(body)["items"]]
        for link in candidates:
            path = urlsplit(link).path
            if not path.startswith("/public/") or link in seen:
                continue
            try:
                resolve(path)
            except Resolver404:
                continue
            seen.add(link)
            queue.append(link)
    return bodies


@pytest.fixture
def sales(world):
    return listed_project(world), published_project(world)


def test_listing_and_result_notices_go_up_with_the_steps(world, sales):
    listed, done = sales
    listing = Notice.objects.get(project=listed, current=True)
    assert listing.kind == "listing" and listing.revision == 1
    assert set(listing.data) == set(published.LISTING)
    assert listing.data["reserve"] == "6000000.00" and listing.data["appraisal"] == "6000000.00"
    assert listing.data["assets"][0]["encumbrances"] == [
        {"kind": "mortgage", "until": "2030-06-30"}
    ]
    assert [d["title"] for d in listing.data["documents"]] == ["Front of the depot"]
    result = Notice.objects.get(project=done, kind="result", current=True)
    assert set(result.data) == set(published.RESULT)
    assert result.data["deal_price"] == "6000000.00"
    assert result.ends_on > result.starts_on
    # The result's project was listed first: its listing notice is there too.
    assert Notice.objects.filter(project=done, kind="listing", current=True).exists()
    assert AuditEntry.objects.filter(action="notice.result", object_id=str(result.pk)).exists()


def test_an_anonymous_crawl_finds_only_published_fields(world, sales):
    """Every page and feed under /public/, in both languages: none of the records' values
    that no notice publishes appears; the published ones do."""
    destroying_value(world, sales[1])
    client = Client()
    pages = crawl_public(client)
    client.get("/public/language/?lang=zh-hans&next=/public/")
    pages_zh = crawl_public(client)
    everything = "\n".join([*pages.values(), *pages_zh.values()])
    leaked = {k: v for k, v in SECRETS.items() if v in everything}
    assert leaked == {}
    routes = {resolve(urlsplit(u).path).url_name for u in pages}
    assert {"portal-notices", "portal-notice", "portal-announcements", "portal-feed-atom",
            "portal-feed-json", "portal-document", "portal-language",
            "portal-accountability-index", "portal-accountability"} <= routes  # fmt: skip
    assert "6,000,000.00" in everything and "CERT-PUBLIC-1" in everything
    assert "Front of the depot" in everything
    # The value-destroying sale's public figures: the lot as its result notice names it,
    # decision support's value of holding and value destroyed, the debts repaid by type (the
    # bond by its code, the loan by its type alone).
    [lost] = Flag.objects.filter(rule="value_destroying_sale")
    assert "/public/accountability/D1/" in pages  # crawled above, in both languages
    page = Client().get("/public/accountability/D1/").content.decode()
    lost_table = page.split('data-testid="value-lost"')[1].split("</table>")[0]
    figures = ("hold_value", "interest_saved_npv", "value_destroyed")
    assert Decimal(lost.evidence["interest_saved_npv"]) > 0  # the running debts repaid early
    for figure in (lost.evidence[f] for f in figures):
        assert f"{Decimal(figure):,.2f}" in lost_table
    assert "Riverside warehouse" in lost_table and "Bank loan: 1,000,000.00" in lost_table
    assert "Special bond 2391234: 1,000,000.00" in lost_table
    assert "出让" in "\n".join(pages_zh.values()) or "公告" in "\n".join(pages_zh.values())


def test_a_notice_stays_as_published_when_the_records_change(world, sales):
    listed, _done = sales
    asset = listed.package.items.get().asset
    asset.name = "Renamed later"
    asset.save()
    page = Client().get(Notice.objects.get(project=listed, current=True).get_absolute_url())
    assert "Binjiang depot" in page.content.decode()
    assert "Renamed later" not in page.content.decode()


def test_a_notice_number_with_a_nul_is_not_found(world):
    """PostgreSQL cannot compare a NUL: such a number was a 500, it names no notice."""
    anonymous = Client()
    for url in ("/public/notices/GG%00/", "/public/notices/GG%00/documents/1/"):
        assert anonymous.get(url).status_code == 404, url


def test_the_result_notice_appears_when_the_project_is_published(world):
    from panhuo.core.testing import concluded_project
    from panhuo.disposal import services as ds

    project = concluded_project(world, late=True)
    client = Client()
    before = client.get("/public/?status=result").content.decode()
    assert "Result notice" not in before.split("notices</p>")[-1]
    ds.project_transition(actor=world.user("office"), project=project,
                          transition="publish_result")  # fmt: skip
    after = client.get("/public/?status=result").content.decode()
    notice = Notice.objects.get(project=project, kind="result")
    assert notice.get_absolute_url() in after
    detail = client.get(notice.get_absolute_url()).content.decode()
    assert "6,000,000.00" in detail and "working day" in detail


def test_search_and_filters(world, sales):
    client = Client()

    def codes(query: str) -> set[str]:
        html = client.get(f"/public/?{query}").content.decode()
        return {n.code for n in Notice.objects.filter(current=True) if n.get_absolute_url() in html}

    listing = Notice.objects.get(project=sales[0], current=True)
    result = Notice.objects.get(project=sales[1], kind="result")
    assert codes("status=open") == {listing.code}
    assert codes("status=result") == {result.code}
    assert listing.code in codes("q=Binjiang") and result.code not in codes("q=Binjiang")
    assert codes("kind=land") == set()
    assert listing.code in codes("kind=building")
    # A place without notices is not offered: the filter says so and filters nothing.
    elsewhere = client.get(f"/public/?place={world.other_district.pk}").content.decode()
    assert "Select a valid choice" in elsewhere
    assert listing.code in codes(f"place={world.city.pk}")
    assert codes("price_min=7000000") == set()
    assert listing.code in codes("price_min=5000000&price_max=6000000")
    bad = client.get("/public/?price_min=abc&price_max=-1")
    assert bad.status_code == 200 and "Price from (yuan)" in bad.content.decode()
    swapped = client.get("/public/?price_min=9&price_max=1").content.decode()
    assert "The upper price is below the lower one." in swapped
    # The list component: sorts, and an export of the rows the filters give (published
    # fields only; the crawl follows its links too).
    by_price = client.get("/public/?sort=price").context["page"]
    assert [n.price for n in by_price] == sorted(n.price for n in by_price)
    assert client.get("/public/?sort=-title").context["sort"] == "-title"
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(client.get("/public/?status=open&export=csv").streaming_content).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert rows[0][:3] == ["Notice number", "Kind", "Status"] and len(rows) == 2
    assert rows[1][0] == listing.code and "6000000.00" in rows[1]
    assert "export=xlsx" in client.get("/public/?status=open").content.decode()


def test_the_list_query_count_does_not_grow_with_rows(world):
    listed_project(world, name="First lot", documents=False)
    client = Client()
    with CaptureQueriesContext(connection) as one:
        assert client.get("/public/").status_code == 200
    for n in range(4):
        listed_project(world, name=f"Lot {n}", documents=False)
    with CaptureQueriesContext(connection) as five:
        assert client.get("/public/").status_code == 200
    assert Notice.objects.filter(current=True).count() == 5
    assert len(five) == len(one)
    feeds = []
    for url in ("/public/feed.atom", "/public/feed.json"):
        with CaptureQueriesContext(connection) as q:
            client.get(url)
        feeds.append(len(q))
    assert max(feeds) <= 3


def test_public_pages_are_cacheable_and_refuse_posts(world, sales):
    client = Client()
    page = client.get("/public/")
    assert "public" in page["Cache-Control"] and "max-age=60" in page["Cache-Control"]
    assert "Accept-Language" in page["Vary"]
    assert client.post("/public/").status_code == 405
    assert "csrftoken" not in page.cookies
    feed = client.get("/public/feed.json")
    assert feed["Content-Type"] == "application/feed+json"
    body = json.loads(feed.content)
    assert body["version"] == "https://jsonfeed.org/version/1.1" and len(body["items"]) == 3
    atom = client.get("/public/feed.atom")
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert atom.content.count(b"<entry>") == 3


def test_only_published_documents_are_served(world, sales):
    from panhuo.integrity.models import Document

    notice = Notice.objects.get(project=sales[0], current=True)
    photo = notice.data["documents"][0]["id"]
    client = Client()
    ok = client.get(f"/public/notices/{notice.code}/documents/{photo}/")
    assert ok.status_code == 200 and ok["Content-Type"] == "image/png"
    private = Document.objects.get(title=SECRETS["private_document"])
    missing = client.get(f"/public/notices/{notice.code}/documents/{private.pk}/")
    assert missing.status_code == 404


def test_the_office_corrects_a_listing_and_the_notice_is_republished(world, sales):
    notice = Notice.objects.get(project=sales[0], current=True)
    with pytest.raises(PermissionDenied):
        services.notice_correct(actor=world.user("finance"), notice=notice,
                                terms={"deposit": "1"}, reason="x")  # fmt: skip
    with pytest.raises(ValidationError) as bad:
        services.notice_correct(actor=world.user("office"), notice=notice,
                                terms={"deposit": "lots"}, reason="x")  # fmt: skip
    assert "deposit" in bad.value.message_dict
    assert Notice.objects.filter(code=notice.code).count() == 1
    new = services.notice_correct(
        actor=world.user("office"), notice=notice,
        terms={"increment": "50000", "deposit": "600000", "viewing": "Weekdays 9-11, call ahead",
               "priority_holders": "The sitting tenant"},
        reason="Terms of the auction", documents=[],
    )  # fmt: skip
    assert new.revision == 2 and new.data["deposit"] == "600000.00"
    assert new.data["documents"] == []
    assert not Notice.objects.get(pk=notice.pk).current
    page = Client().get(new.get_absolute_url()).content.decode()
    assert "600,000.00" in page and "The sitting tenant" in page and "Terms of the auction" in page
    # Through the page, as the office: the form, and a bad amount named.
    office = Client()
    office.force_login(world.user("office"))
    url = f"/public/notices/{notice.code}/correct/"
    assert office.get(url).status_code == 200
    refused = office.post(url, {"deposit": "-5", "reason": "r"})
    assert refused.status_code == 200 and Notice.objects.filter(code=notice.code).count() == 2


def test_a_withdrawal_takes_the_listing_down(world):
    from panhuo.disposal import services as ds

    project = listed_project(world, documents=False)
    ds.project_transition(actor=world.user("office"), project=project, transition="withdraw",
                          comment="The unit needs the depot back")  # fmt: skip
    notice = Notice.objects.get(project=project, current=True)
    assert notice.state == "withdrawn" and notice.revision == 2
    assert notice.get_absolute_url() in Client().get("/public/?status=withdrawn").content.decode()


def test_announcements_are_written_by_the_office_and_public(world):
    with pytest.raises(PermissionDenied):
        services.announcement_publish(actor=world.user("finance"), jurisdiction=world.district,
                                      kind="policy", title="T", body="B")  # fmt: skip
    with pytest.raises(ValidationError) as bad:
        services.announcement_publish(actor=world.user("office"), jurisdiction=world.district,
                                      kind="gossip", title=" ", body="B")  # fmt: skip
    assert set(bad.value.message_dict) == {"kind", "title"}
    assert not Announcement.objects.exists()
    office = Client()
    office.force_login(world.user("office"))
    response = office.post(
        "/public/announcements/new/",
        {"jurisdiction": world.district.pk, "kind": "progress", "title": "Ten lots sold",
         "body": "Proceeds repaid bank loans."},
    )  # fmt: skip
    item = Announcement.objects.get()
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert AuditEntry.objects.filter(action="announcement.publish").count() == 1
    anonymous = Client()
    assert "Ten lots sold" in anonymous.get("/public/announcements/").content.decode()
    assert "Proceeds repaid" in anonymous.get(item.get_absolute_url()).content.decode()
    finance = Client()
    finance.force_login(world.user("finance"))
    assert finance.get("/public/announcements/new/").status_code == 403


def test_the_language_switch_stays_on_the_portal(world):
    client = Client()
    away = client.get("/public/language/?lang=en&next=https://evil.example/")
    assert away["Location"] == "/public/"
    back = client.get("/public/language/?lang=zh-hans&next=/public/announcements/")
    assert back["Location"] == "/public/announcements/"
    assert "公告" in client.get("/public/announcements/").content.decode()


def test_prices_are_filtered_as_decimals(world, sales):
    """A price filter compares money as Decimal (no float rounding at the edge)."""
    from panhuo.portal.selectors import NoticeFilters, notices

    exact = Decimal("6000000.00")
    assert notices(NoticeFilters(price_min=exact, price_max=exact)).count() == 2
    assert notices(NoticeFilters(price_min=exact + Decimal("0.01"))).count() == 0


@given(
    st.one_of(
        st.none(), st.text(max_size=30), st.integers(), st.decimals(allow_nan=True),
        st.decimals(allow_nan=False, allow_infinity=False, places=4),
    )
)  # fmt: skip
def test_a_term_amount_is_money_or_refused_naming_its_field(value):
    """Whatever an increment or deposit is given as, it is kept as yuan with two decimals, at
    least zero, or refused naming the field; never anything else."""
    try:
        kept = services._amount(value, "deposit")
    except ValidationError as exc:
        assert list(exc.message_dict) == ["deposit"]
        return
    if kept is not None:
        amount = Decimal(kept)
        assert amount >= 0 and amount == amount.quantize(Decimal("0.01"))


def test_a_steps_reason_is_shown_in_the_readers_language(world):
    project = listed_project(world, documents=False)
    notice = Notice.objects.get(project=project, current=True)
    assert notice.reason == "Listed for sale"
    client = Client()
    client.get("/public/language/?lang=zh-hans&next=/public/")
    assert "挂牌出让" in client.get(notice.get_absolute_url()).content.decode()


def test_notices_of_sales_made_before_the_portal_are_put_up_once(world):
    from django.core.management import call_command

    project = listed_project(world, documents=False)
    done = published_project(world)
    Notice.objects.all().delete()  # as before the portal existed
    call_command("notices_backfill", "--as", "finance")  # no office role: nothing
    assert not Notice.objects.exists()
    call_command("notices_backfill", "--as", "office")
    kinds = set(Notice.objects.values_list("project_id", "kind"))
    assert kinds == {(project.pk, "listing"), (done.pk, "result")}
    call_command("notices_backfill", "--as", "office")
    assert Notice.objects.count() == 2


def test_the_api_serves_the_published_notices_to_anyone(world, sales):
    client = Client()
    listing = Notice.objects.get(project=sales[0], current=True)
    page = client.get("/api/v1/public/notices?status=open").json()
    assert page["count"] == 1 and page["results"][0]["code"] == listing.code
    assert set(page["results"][0]["fields"]) == set(published.LISTING)
    one = client.get(f"/api/v1/public/notices/{listing.code}").json()
    assert one["fields"]["reserve"] == "6000000.00"
    assert client.get("/api/v1/public/notices/NOPE").status_code == 404
    refused = client.get("/api/v1/public/notices?price_min=-1&colour=red")
    assert refused.status_code == 422 and {"price_min", "colour"} <= set(refused.json()["errors"])
    body = json.dumps([page, one, client.get("/api/v1/public/announcements").json()])
    assert {k: v for k, v in SECRETS.items() if v in body} == {}


def test_a_listing_offered_as_a_lot_shows_where_its_auction_stands(world):
    from panhuo.auctions.tests.support import make_lot

    lot = make_lot(world)
    notice = Notice.objects.get(project=lot.round.project, current=True)
    page = Client().get(notice.get_absolute_url()).content.decode()
    assert "Online auction" in page and lot.get_absolute_url() in page
    state = re.search(r"Online auction</h2>(.*?)</dl>", page, re.S).group(1)
    assert "Lowest next bid" in state and "5,500,000.00" in state  # no bid yet: the start
    plain = listed_project(world, name="Not at auction", documents=False)
    other = Notice.objects.get(project=plain, current=True)
    assert "Online auction" not in Client().get(other.get_absolute_url()).content.decode()
