"""The change feed (opaque cursors, nothing missed or repeated), the bulk file of a year, the
JSON API, the extension's files and the pages: all for anyone, read-only."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from panhuo.opendata import implementation, packages, releases, schema
from panhuo.opendata.releases import amount
from panhuo.portal.models import Notice


def _walk(client: Client, start: str) -> tuple[list[str], list[str]]:
    """Follow ``links.next`` from ``start`` until a page is empty: the release ids and the
    cursors seen."""
    ids, cursors, url = [], [], start
    while True:
        page = client.get(url).json()
        if not page["releases"]:
            return ids, cursors
        assert schema.errors(page, "release-package") == []
        ids += [r["id"] for r in page["releases"]]
        url = page["links"]["next"]
        cursors.append(parse_qs(urlsplit(url).query)["cursor"][0])


def test_the_feed_pages_through_every_release_once(small_demo, settings, client: Client):
    settings.PANHUO = {**settings.PANHUO, "OCDS_FEED_PAGE": 7}
    expected = [f"{n.code}-r{n.revision}" for n in Notice.objects.order_by("pk")]
    paid = sorted(implementation.release(n)["id"] for n, _ in implementation.dated())
    assert paid, "the small demo has paid disposals"
    ids, cursors = _walk(client, "/open-data/feed.json")
    # Every revision in order, and each disposal's implementation release: each once.
    assert [i for i in ids if "-impl-" not in i] == expected
    assert sorted(i for i in ids if "-impl-" in i) == paid
    assert len(cursors) >= -(-len(expected) // 7)
    # Opaque: encrypted under the site's key with a random IV, so the same place gives another
    # cursor each time, and without the key no cursor can be read (nor made).
    first = packages.position(cursors[0])
    assert packages.cursor_for(first) != packages.cursor_for(first)
    original, settings.SECRET_KEY = settings.SECRET_KEY, "another-site"
    with pytest.raises(packages.BadCursor):
        packages.position(cursors[0])
    settings.SECRET_KEY = original
    # The last cursor, asked again, is "nothing new yet", and keeps its place.
    last = client.get(f"/open-data/feed.json?cursor={cursors[-1]}").json()
    assert last["releases"] == []
    again = parse_qs(urlsplit(last["links"]["next"]).query)["cursor"][0]
    assert packages.position(again) == packages.position(cursors[-1]) > (0, 0, 0)
    # The API's feed is the same feed, continued in the API.
    api_ids, _ = _walk(client, "/api/v1/opendata/feed")
    assert api_ids == ids


def test_a_cursor_not_given_out_is_refused_naming_it(small_demo, client: Client):
    for url in ("/open-data/feed.json?cursor=NDI", "/api/v1/opendata/feed?cursor=NDI"):
        answer = client.get(url)
        assert answer.status_code == 400, url
        assert answer.json()["detail"].startswith("cursor")


def test_a_year_downloads_as_one_valid_package(small_demo, client: Client):
    year = timezone.localtime(Notice.objects.earliest("published_at").published_at).year
    answer = client.get(f"/open-data/bulk/{year}.json")
    assert answer.status_code == 200
    assert "attachment" in answer["Content-Disposition"]
    data = json.loads(b"".join(answer.streaming_content))
    assert schema.errors(data, "release-package") == []
    in_year = [n for n in Notice.objects.all() if timezone.localtime(n.published_at).year == year]
    paid = [
        implementation.release(n)["id"] for n, when in implementation.dated() if when.year == year
    ]
    assert sorted(r["id"] for r in data["releases"]) == sorted(
        [f"{n.code}-r{n.revision}" for n in in_year] + paid
    )
    for wrong in (year - 30, 0, 99999999999):
        assert client.get(f"/open-data/bulk/{wrong}.json").status_code == 404, wrong


def test_the_api_gives_the_same_documents_to_anyone(small_demo, client: Client):
    notice = Notice.objects.select_related("project", "jurisdiction").first()
    ocid = releases.ocid(notice)
    page = client.get(f"/open-data/releases/{ocid}.json").json()
    api = client.get(f"/api/v1/opendata/releases/{ocid}").json()
    assert api["releases"] == page["releases"]
    record = client.get(f"/api/v1/opendata/records/{ocid}").json()
    assert schema.errors(record, "record-package") == []
    nul = ocid.replace("-", "-%00", 1)
    for url in (
        f"/api/v1/opendata/releases/{ocid}x",
        "/open-data/records/ocds-x-1.json",
        f"/open-data/releases/{nul}.json",
        "/open-data/notices/GG%00/",
    ):
        assert client.get(url).status_code == 404, url


def test_the_portal_links_each_notice_to_its_open_data(small_demo, client: Client):
    notice = Notice.objects.select_related("project", "jurisdiction").filter(current=True).first()
    page = client.get(notice.get_absolute_url()).content.decode()
    assert f"/open-data/notices/{notice.code}/" in page
    away = client.get(f"/open-data/notices/{notice.code}/")
    assert away["Location"] == f"/open-data/releases/{releases.ocid(notice)}.json"
    assert client.get("/open-data/notices/GG999999/").status_code == 404


def test_the_extension_and_the_index_are_served(small_demo, client: Client):
    meta = client.get("/open-data/extension/extension.json").json()
    assert meta["documentationUrl"]["en"] == "http://testserver/open-data/extension/README.md"
    patch = client.get("/open-data/extension/release-schema.json").json()
    assert "reservePrice" in patch["definitions"]["Tender"]["properties"]
    codelist = client.get("/open-data/extension/codelists/disposalChannel.csv").content.decode()
    assert "auction" in codelist
    for wrong in ("schema.py", "codelists/partyRole.csv"):
        assert client.get(f"/open-data/extension/{wrong}").status_code == 404, wrong
    english = client.get("/open-data/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get("/open-data/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Change feed" in english and "变更源" in chinese
    assert client.post("/open-data/").status_code == 405
    switched = client.get("/public/language/?lang=zh-hans&next=/open-data/")
    assert switched["Location"] == "/open-data/"


@given(st.decimals(min_value=0, max_value=10**15, places=2, allow_nan=False))
def test_an_amount_is_released_exactly_or_not_at_all(value):
    """A JSON number in a release is the published decimal, to the cent, or the release fails:
    never a rounded amount."""
    text = str(value)
    try:
        number = amount(text)
    except ValueError:
        return
    from decimal import Decimal

    assert Decimal(repr(number)) == value
