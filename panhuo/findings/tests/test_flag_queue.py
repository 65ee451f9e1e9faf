"""The queue of open red flags: by severity, unit and age, filtered and exported; an auditor
resolves a flag (through the flags app's service) from its page or the API, and raises a
finding from it; nobody else resolves; the flagged record and everything audited stay as they
were."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from panhuo.core.tests.api_support import call
from panhuo.findings.models import Finding
from panhuo.findings.tests.support import audited_rows
from panhuo.flags import engine
from panhuo.flags.models import Flag, FlagStatus
from panhuo.flags.tests.builders import sale


def _client(w, who):
    c = Client()
    c.force_login(w.user(who))
    return c


def test_the_queue_and_resolving_a_flag(world):
    low = sale(world, deal=Decimal("700000.00"))
    lower = sale(world, deal=Decimal("600000.00"))
    engine.recompute(rules=["deal_below_appraisal"])
    flags = {f.subject_id: f for f in Flag.objects.filter(status=FlagStatus.OPEN)}
    flag, other = flags[str(low.pk)], flags[str(lower.pk)]
    auditor = _client(world, "auditor")
    rows = audited_rows()
    queue = auditor.get(reverse("flag-queue") + "?older_than_days=&severity=" + flag.severity)
    assert queue.status_code == 200
    assert {f.pk for f in queue.context["page"]} == {flag.pk, other.pk}
    assert not auditor.get(reverse("flag-queue") + "?older_than_days=30").context["page"]
    exported = b"".join(
        auditor.get(reverse("flag-queue") + "?export=csv&sort=subject").streaming_content
    )
    lines = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert len(lines) == 3 and lines[1][2] == flag.subject_label
    page = auditor.get(reverse("flag-detail", args=[flag.pk])).content.decode()
    assert 'data-testid="flag-resolve"' in page and "70" in page
    # Refused: a comment is required; office reads but may not resolve; district B sees none.
    r = auditor.post(reverse("flag-resolve", args=[flag.pk]), {"resolution": "justified"})
    assert r.status_code == 400 and "comment" in r.context["form"].errors
    office = _client(world, "office")
    assert (
        'data-testid="flag-resolve"'
        not in office.get(reverse("flag-detail", args=[flag.pk])).content.decode()
    )
    r = office.post(
        reverse("flag-resolve", args=[flag.pk]), {"resolution": "justified", "comment": "x"}
    )
    assert r.status_code == 403
    outsider = _client(world, "outsider_auditor")
    assert outsider.get(reverse("flag-detail", args=[flag.pk])).status_code == 404
    assert _client(world, "unit_officer").get(reverse("flag-queue")).status_code == 403
    assert Flag.objects.get(pk=flag.pk).status == FlagStatus.OPEN
    # The auditor resolves it from the page; the queue no longer shows it.
    r = auditor.post(
        reverse("flag-resolve", args=[flag.pk]),
        {"resolution": "rectified", "comment": "Price corrected by the unit"},
    )
    assert r.status_code == 302
    done = Flag.objects.get(pk=flag.pk)
    assert (done.status, done.resolution, done.resolved_by) == (
        "resolved",
        "rectified",
        world.user("auditor"),
    )
    assert [f.pk for f in auditor.get(reverse("flag-queue")).context["page"]] == [other.pk]
    assert audited_rows() == rows
    # The API: the queue and a resolution; the record's page is offered a finding with the flag.
    r = call(auditor, "get", "/api/v1/findings/flags")
    assert r.status_code == 200 and [f["id"] for f in r.json()["results"]] == [other.pk]
    assert call(_client(world, "unit_officer"), "get", "/api/v1/findings/flags").status_code == 403
    r = call(
        office,
        "post",
        f"/api/v1/findings/flags/{other.pk}/resolve",
        {"resolution": "referred", "comment": "x"},
    )
    assert r.status_code == 403
    r = call(
        auditor,
        "post",
        f"/api/v1/findings/flags/{other.pk}/resolve",
        {"resolution": "referred", "comment": "To the commission"},
    )
    assert r.status_code == 200 and r.json()["resolution"] == "referred"
    r = call(
        auditor,
        "post",
        f"/api/v1/findings/flags/{other.pk}/resolve",
        {"resolution": "justified", "comment": "again"},
    )
    assert r.status_code == 400 and "status" in r.content.decode()
    raise_url = (
        reverse("finding-create") + f"?record_kind=project&record_id={low.pk}&flag_id={flag.pk}"
    )
    assert raise_url.split("?")[1] in auditor.get(
        reverse("flag-detail", args=[flag.pk])
    ).content.decode().replace("&amp;", "&")
    r = auditor.post(
        raise_url,
        {
            "record_kind": "project",
            "record_id": low.pk,
            "flag_id": flag.pk,
            "title": "Under-priced",
            "severity": "high",
            "description": "30 % below",
        },
    )
    assert r.status_code == 302
    assert Finding.objects.get().flag_id == flag.pk
    stats = auditor.get(reverse("finding-stats")).content.decode()
    assert "stats-flags" in stats and "Deal below the appraisal" in stats
    assert audited_rows() == rows
