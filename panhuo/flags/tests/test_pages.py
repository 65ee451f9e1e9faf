"""The flags' pages and API: who sees what, the auditor's resolution through the page and the
API, filters and export, thresholds set through the page."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from panhuo.core.tests.api_support import call, client_for
from panhuo.flags import engine
from panhuo.flags.models import Flag, FlagStatus, FlagThreshold
from panhuo.flags.tests.builders import sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(world):
    low = sale(world, deal=Decimal("800000.00"))
    other = sale(world, deal=Decimal("700000.00"), unit=world.other_unit)
    engine.recompute()
    return (
        Flag.objects.get(rule="deal_below_appraisal", subject_id=str(low.pk)),
        Flag.objects.get(rule="deal_below_appraisal", subject_id=str(other.pk)),
    )


def test_who_sees_the_list_and_a_flag(world, flagged):
    mine, theirs = flagged
    for who in ("head", "office", "finance", "auditor", "supervisor"):
        page = client_for(world, who).get(reverse("flag-list"))
        assert page.status_code == 200, who
        text = page.content.decode()
        assert mine.subject_label in text
        # District B's flag: the supervisor (city) sees it, district A's roles do not.
        assert (theirs.subject_label in text) == (who == "supervisor"), who
    for who in ("unit_officer", "bidder", "norole"):
        assert client_for(world, who).get(reverse("flag-list")).status_code == 403, who
    assert client_for(world, "outsider_auditor").get(mine.get_absolute_url()).status_code == 404
    detail = client_for(world, "head").get(mine.get_absolute_url()).content.decode()
    assert "80.0 %" in detail and 'name="resolution"' not in detail  # only the auditor's form


def test_filters_and_export(world, flagged):
    mine, _theirs = flagged
    c = client_for(world, "supervisor")
    shown = c.get(reverse("flag-list"), {"unit": world.unit.pk}).content.decode()
    assert mine.subject_label in shown and flagged[1].subject_label not in shown
    assert (
        mine.subject_label not in c.get(reverse("flag-list"), {"severity": "high"}).content.decode()
    )
    older = c.get(reverse("flag-list"), {"older_than_days": 3}).content.decode()
    assert mine.subject_label not in older
    export = c.get(reverse("flag-list"), {"export": "csv"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 3 and any("80.0 %" in cell for cell in rows[1] + rows[2])


def test_the_auditor_resolves_through_the_page_and_the_api(world, flagged):
    mine, theirs = flagged
    url = reverse("flag-resolve", args=[mine.pk])
    assert client_for(world, "head").post(url, {"resolution": "justified",
                                                "comment": "x"}).status_code == 403  # fmt: skip
    auditor = client_for(world, "auditor")
    assert auditor.post(url, {"resolution": "justified", "comment": ""}).status_code == 400
    done = auditor.post(url, {"resolution": "referred", "comment": "Buyer linked to the unit."})
    assert done.status_code == 302
    mine.refresh_from_db()
    assert mine.status == FlagStatus.RESOLVED and mine.resolution == "referred"
    assert mine.resolved_by == world.user("auditor")
    # The API: another district's flag is missing to this auditor; the resolved one is refused.
    api = f"/api/v1/flags/{theirs.pk}/resolve"
    body = {"resolution": "justified", "comment": "ok"}
    assert call(auditor, "post", api, body).status_code == 404
    again = call(auditor, "post", f"/api/v1/flags/{mine.pk}/resolve", body)
    assert again.status_code == 400 and "status" in again.content.decode()
    listed = call(auditor, "get", "/api/v1/flags?status=resolved").json()
    assert [f["id"] for f in listed["results"]] == [mine.pk]
    assert listed["results"][0]["explanation"].startswith("The deal price")


def test_thresholds_page_sets_and_shows_inheritance(world, flagged):
    url = reverse("flag-thresholds")
    data = {"jurisdiction": world.city.pk, "rule": "deal_below_appraisal", "ratio_pct": "75"}
    assert client_for(world, "auditor").post(url, data).status_code == 403
    head = client_for(world, "head")
    assert head.post(url, data).status_code == 400  # the head of district A, not of the city
    data["jurisdiction"] = world.district.pk
    assert head.post(url, {**data, "ratio_pct": "-1"}).status_code == 400
    assert head.post(url, data).status_code == 302
    assert FlagThreshold.objects.get().values == {"ratio_pct": "75"}
    page = head.get(url, {"jurisdiction": world.district.pk}).content.decode()
    assert 'value="75"' in page
    assert engine.recompute(rules=["deal_below_appraisal"]).cleared == 1


def test_a_flag_written_in_english_reads_in_chinese(world):
    """The records a flag names are named when read, in the reader's language: a worker that
    ran the rule in English does not make a Chinese reader see "Lot … round 1"."""
    from django.utils import translation

    from panhuo.flags.tests.builders import closed_lot

    lot, _regs = closed_lot(world, [Decimal("600000.00"), Decimal("600000.00")])
    with translation.override("en"):
        engine.recompute(rules=["identical_bids"])
    flag = Flag.objects.get(rule="identical_bids", subject_id=str(lot.pk))
    code, n = lot.round.project.code, lot.round.number
    english, chinese = f"Lot {code} round {n}", f"标的 {code} 第 {n} 轮"
    assert flag.subject_label == english  # stored in the site's language: searched, sorted
    with translation.override("zh-hans"):
        status = str(lot.round.project.get_status_display())
    auditor = client_for(world, "auditor", HTTP_ACCEPT_LANGUAGE="zh-hans")
    auditor.cookies["django_language"] = "zh-hans"
    # (the page's history below quotes the audit entries as they were written)
    detail = auditor.get(flag.get_absolute_url()).content.decode().split('id="resolution"')[0]
    for text in (detail, auditor.get(reverse("flag-list")).content.decode()):
        assert chinese in text and english not in text
    assert f"{code} ({status})" in detail
    got = call(auditor, "get", f"/api/v1/flags/{flag.pk}").json()
    assert got["subject_label"] == chinese
    assert {link["label"] for link in got["links"]} == {chinese, f"{code} ({status})"}
    assert {link.get("code") for link in got["links"]} == {code}
    # A record no longer there is named as stored.
    flag.links = [{"type": "auctions.lot", "id": "0", "label": english, "url": ""}]
    assert flag.records[0]["label"] == english
