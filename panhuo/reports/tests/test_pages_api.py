"""The reports' pages and API: readers of the place find and download them, others are
refused (role) or find nothing (jurisdiction); the office generates one on the page and the
API; the page shows the stored figures the PDF states."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panhuo.reports import services
from panhuo.reports.models import GeneratedReport
from panhuo.reports.tests.support import sale_and_plan

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_readers_find_and_download_reports_and_others_are_refused(world):
    w = world
    sale_and_plan(w)
    today = timezone.localdate()
    report = services.generate(actor=w.user("office"), kind="monthly", jurisdiction=w.district,
                               as_of=today)  # fmt: skip
    detail = report.get_absolute_url()
    pdf = reverse("report-file", args=[report.pk, "pdf"])
    for who in ("head", "auditor", "supervisor", "finance"):
        c = _client(w.user(who))
        page = c.get(reverse("report-list")).content.decode()
        assert report.number in page, who
        shown = c.get(detail).content.decode()
        assert "1,234,567.89" not in shown and "123.46" in shown  # 万元, as the PDF
        got = c.get(pdf)
        assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == \
            report.pdf_sha256  # fmt: skip
        api = c.get(f"/api/v1/reports/{report.pk}").json()
        assert api["figures"]["total"] == "1234567.89"
    # Role: a unit officer is refused the section; jurisdiction: district B's head sees none.
    assert _client(w.user("unit_officer")).get(reverse("report-list")).status_code == 403
    outsider = _client(w.user("outsider_head"))
    assert report.number not in outsider.get(reverse("report-list")).content.decode()
    assert outsider.get(detail).status_code == 404 and outsider.get(pdf).status_code == 404
    assert outsider.get(f"/api/v1/reports/{report.pk}/check").status_code == 404
    # The check, on the page and the API: every figure the same.
    assert _client(w.user("head")).get(detail + "?check=1").context["check"].ok
    assert _client(w.user("head")).get(f"/api/v1/reports/{report.pk}/check").json()["ok"]


def test_the_office_generates_on_the_page_and_the_api(world):
    w = world
    office = _client(w.user("office"))
    today = timezone.localdate().isoformat()
    r = office.post(
        reverse("report-create"),
        {"kind": "work_report", "jurisdiction": w.district.pk, "as_of": today},
    )
    made = GeneratedReport.objects.get()
    assert r.status_code == 302 and r["Location"] == made.get_absolute_url()
    # A dossier without its project: the form says so, nothing is written.
    r = office.post(
        reverse("report-create"), {"kind": "dossier", "jurisdiction": w.district.pk, "as_of": today}
    )
    assert r.status_code == 400 and GeneratedReport.objects.count() == 1
    r = office.post(
        "/api/v1/reports",
        {"kind": "monthly", "jurisdiction": w.district.pk, "as_of": today},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["kind"] == "monthly"
    # The auditor reads but does not generate; district B's office cannot name district A.
    body = {"kind": "monthly", "jurisdiction": w.district.pk, "as_of": today}
    r = _client(w.user("auditor")).post("/api/v1/reports", body, content_type="application/json")
    assert r.status_code == 403
    r = _client(w.user("outsider_office")).post(
        "/api/v1/reports", body, content_type="application/json"
    )
    assert r.status_code == 404 and GeneratedReport.objects.count() == 2


def test_text_filters_refuse_nul_before_the_database(world):
    """PostgreSQL cannot hold NUL in text: a filter carrying one is refused (422) by the
    schema, never sent to the database (the API fuzz found /api/v1/reports answering 500)."""
    c = _client(world.user("office"))
    for url in ("/api/v1/reports?kind=a%00b", "/api/v1/scorecard-decisions?status=a%00b",
                "/api/v1/scorecard-decisions?kind=%00"):  # fmt: skip
        assert c.get(url).status_code == 422, url
