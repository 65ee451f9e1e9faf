"""The auditor's workspace in pages and API: the record pages offer "Raise a finding" to the
auditor only; the list filters, sorts and exports (real XLSX); a finding's page shows its
record, steps and evidence panel; other roles and places are refused."""

from __future__ import annotations

import io

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from panhuo.core.tests.api_support import call
from panhuo.findings import services as fs
from panhuo.findings.tests.support import records_of_every_kind


def _client(w, who):
    c = Client()
    c.force_login(w.user(who))
    return c


def test_pages_and_api_for_each_caller(world):
    recs, aw = records_of_every_kind(world)
    auditor = _client(world, "auditor")
    asset_page = auditor.get(recs["asset"].get_absolute_url()).content.decode()
    assert 'data-testid="raise-finding"' in asset_page
    for who in ("office", "head"):
        page = _client(world, who).get(recs["asset"].get_absolute_url()).content.decode()
        assert 'data-testid="raise-finding"' not in page, who
    new = reverse("finding-create") + f"?record_kind=debt&record_id={recs['debt'].pk}"
    form = auditor.get(new)
    assert form.status_code == 200 and recs["debt"].code in form.content.decode()
    r = auditor.post(
        new,
        {
            "record_kind": "debt",
            "record_id": recs["debt"].pk,
            "title": "Rate",
            "severity": "low",
            "description": "Too dear",
        },
    )
    assert r.status_code == 302
    bad = auditor.post(
        new,
        {
            "record_kind": "asset",
            "record_id": aw.other_asset.pk,
            "title": "x",
            "severity": "low",
            "description": "y",
        },
    )
    assert bad.status_code == 400 and "record_id" in bad.context["form"].errors
    f = fs.finding_raise(
        actor=world.user("auditor"),
        record_kind="asset",
        record_id=recs["asset"].pk,
        title="Idle for years",
        description="Nobody uses it",
        severity="high",
    )
    detail = auditor.get(f.get_absolute_url()).content.decode()
    assert recs["asset"].get_absolute_url() in detail and 'data-testid="step-refer"' in detail
    assert reverse("document-upload", args=["finding", f.pk]) in detail  # evidence upload
    # The asset page now links the findings on it.
    assert "record-findings" in auditor.get(recs["asset"].get_absolute_url()).content.decode()
    listed = auditor.get(reverse("finding-list") + "?severity=high&sort=-raised_at")
    assert [x.code for x in listed.context["page"]] == [f.code]
    xlsx = auditor.get(reverse("finding-list") + "?export=xlsx&record_kind=debt")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 2 and "Rate" in values[1]
    stats = auditor.get(reverse("finding-stats"))
    assert stats.status_code == 200 and "Housing bureau" in stats.content.decode()
    # Denied: a unit officer and finance hold no role for findings; district B sees none.
    for who in ("unit_officer", "finance", "bidder"):
        assert _client(world, who).get(reverse("finding-list")).status_code == 403, who
    assert _client(world, "outsider_auditor").get(f.get_absolute_url()).status_code == 404
    assert _client(world, "head").get(f.get_absolute_url()).status_code == 200
    r = _client(world, "head").post(
        reverse("finding-step", args=[f.pk]), {"step": "justify", "comment": "no"}
    )
    assert r.status_code == 403
    # API: the same rules.
    r = call(auditor, "get", "/api/v1/findings?record_kind=asset")
    assert r.status_code == 200 and [x["code"] for x in r.json()["results"]] == [f.code]
    assert call(_client(world, "office"), "get", "/api/v1/findings").status_code == 403
    r = call(_client(world, "outsider_auditor"), "get", f"/api/v1/findings/{f.pk}")
    assert r.status_code == 404
    r = call(
        auditor, "post", f"/api/v1/findings/{f.pk}/steps", {"step": "escalate", "comment": "up"}
    )
    assert r.status_code == 200 and r.json()["status"] == "escalated"
    r = call(auditor, "post", f"/api/v1/findings/{f.pk}/steps", {"step": "justify", "comment": "x"})
    assert r.status_code == 403
    r = call(
        _client(world, "supervisor"),
        "post",
        f"/api/v1/findings/{f.pk}/steps",
        {"step": "justify", "comment": "fine"},
    )
    assert r.status_code == 200 and r.json()["status"] == "justified"
    assert [e["step"] for e in r.json()["events"]] == ["raise", "escalate", "justify"]
    r = call(auditor, "get", "/api/v1/findings/stats")
    assert r.status_code == 200 and r.json()["total"] == 2
