"""The scorecards' pages and API: who reads which card (allowed and denied by role and
jurisdiction), drill-down links, weights refused in the caller's language, issuing and
proposing a reward."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panhuo.core.tests.api_support import client_for
from panhuo.scorecards.models import Decision, Scorecard
from panhuo.scorecards.tests.support import scored_world

pytestmark = pytest.mark.django_db
WEIGHTS = {"completion": 40, "timeliness": 15, "price": 15, "compliance": 15, "quality": 15}


def test_pages_show_each_reader_their_cards_and_the_office_issues_and_proposes(world):
    w = world
    s = scored_world(w)
    listing = reverse("scorecard-list") + f"?plan={s.plan.pk}"
    card_u2 = reverse("scorecard-card", args=[s.plan.pk, w.unit2.pk])
    for who, sees, hidden in (("office", ["Housing bureau", "Urban investment"], []),
                              ("supervisor", ["Housing bureau", "Urban investment"], []),
                              ("unit_officer", ["Housing bureau"], ["Urban investment"]),
                              ("outsider_head", [], ["Housing bureau"])):  # fmt: skip
        page = client_for(w, who).get(listing).content.decode()
        assert all(n in page for n in sees) and not any(n in page for n in hidden), who
    assert client_for(w, "bidder").get(listing).status_code == 403
    for who, status in (("office", 200), ("other_unit_officer", 200), ("unit_officer", 404),
                        ("outsider_office", 404)):  # fmt: skip
        assert client_for(w, who).get(card_u2).status_code == status, who
    page = client_for(w, "office").get(card_u2).content.decode()
    assert f'href="{reverse("asset-list")}?unit={w.unit2.pk}"' in page  # quality's drill-down
    assert "32.14" in page
    # Compliance drills down to the unit's findings: the list filtered by the unit.
    auditor = client_for(w, "auditor")
    page = auditor.get(reverse("scorecard-card", args=[s.plan.pk, w.unit.pk])).content.decode()
    findings = f"{reverse('finding-list')}?state=open&unit="
    assert f'href="{findings.replace("&", "&amp;")}{w.unit.pk}"' in page
    assert "Sold below appraisal" in auditor.get(f"{findings}{w.unit.pk}").content.decode()
    assert "Sold below appraisal" not in auditor.get(f"{findings}{w.unit2.pk}").content.decode()
    r = client_for(w, "office").get(listing + "&export=csv")
    csv = b"".join(r.streaming_content).decode()
    assert "Urban investment co.,32.14" in csv
    # Weights: refused with the sum named, in Chinese too; the head may not set them.
    office = client_for(w, "office")
    url = reverse("scorecard-weights", args=[s.plan.pk])
    r = office.post(url, WEIGHTS | {"quality": 5})
    assert r.status_code == 400 and "add up to 90 %" in r.content.decode()
    r = office.post(url, WEIGHTS | {"quality": 5}, headers={"accept-language": "zh-hans"})
    assert "权重合计为 90 %" in r.content.decode()
    assert client_for(w, "head").post(url, WEIGHTS).status_code == 403
    assert client_for(w, "finance").post(reverse("scorecard-issue", args=[s.plan.pk]),
                                         {"period": "Y"}).status_code == 403  # fmt: skip
    r = office.post(reverse("scorecard-issue", args=[s.plan.pk]), {"period": "Y"})
    assert r.status_code == 302 and Scorecard.objects.count() == 2
    issued = Scorecard.objects.get(unit=w.unit2)
    propose = reverse("scorecard-propose", args=[issued.pk])
    assert (
        client_for(w, "head").post(propose, {"kind": "criticism", "reason": "x"}).status_code == 403
    )
    office.post(propose, {"kind": "criticism", "reason": "Register neglected"})
    decision = Decision.objects.get()
    detail = reverse("scorecard-decision-detail", args=[decision.pk])
    assert client_for(w, "other_unit_officer").get(detail).status_code == 200  # U2's own
    assert client_for(w, "unit_officer").get(detail).status_code == 404


def test_the_api_answers_allowed_and_denied_callers(world):
    w = world
    s = scored_world(w)
    base = "/api/v1/scorecards"
    rows = client_for(w, "unit_officer").get(f"{base}?plan={s.plan.pk}").json()
    assert [r["unit"] for r in rows["results"]] == ["Housing bureau"]
    card = f"{base}/plans/{s.plan.pk}/units/{w.unit2.pk}"
    assert client_for(w, "unit_officer").get(card).status_code == 404
    assert client_for(w, "outsider_head").get(card).status_code == 404
    got = client_for(w, "other_unit_officer").get(card).json()
    assert got["score"] == "32.14" and got["parts"][0]["name"] == "completion"
    office = client_for(w, "office")
    weights = f"{base}/plans/{s.plan.pk}/weights"
    r = office.put(weights, WEIGHTS | {"price": 20}, content_type="application/json")
    assert r.status_code == 400 and "105" in r.content.decode()
    r = client_for(w, "head").put(weights, WEIGHTS, content_type="application/json")
    assert r.status_code == 403
    assert office.put(weights, WEIGHTS, content_type="application/json").status_code == 200
    r = office.post(f"{base}/plans/{s.plan.pk}/issue", {"period": "Y"},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 201 and r.json()["issued"] == 2
    issued = Scorecard.objects.get(unit=w.unit)
    body = {"scorecard": issued.pk, "kind": "commendation", "reason": "Good year"}
    r = client_for(w, "outsider_office").post("/api/v1/scorecard-decisions", body,
                                              content_type="application/json")  # fmt: skip
    assert r.status_code == 404
    r = office.post("/api/v1/scorecard-decisions", body, content_type="application/json")
    assert r.status_code == 201
    mine = client_for(w, "unit_officer").get("/api/v1/scorecard-decisions").json()
    assert [d["kind"] for d in mine["results"]] == ["commendation"]
    assert (
        client_for(w, "other_unit_officer").get("/api/v1/scorecard-decisions").json()["results"]
        == []
    )
