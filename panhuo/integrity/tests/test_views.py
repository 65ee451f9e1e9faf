"""The audit log page and the chain check, for every role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panhuo.core.tests.per_caller import per_caller
from panhuo.core.tests.views_support import (
    AUDIT_SECTION,
    assert_login_redirect,
    build_sample,
    client_for,
    expected,
    fingerprint,
    statuses,
)
from panhuo.integrity.models import AuditEntry


@pytest.fixture
def sample(world):
    return build_sample(world)


def test_audit_page_for_every_role(world, sample):
    assert statuses(world, reverse("audit-list")) == expected(AUDIT_SECTION)
    assert_login_redirect(reverse("audit-list"))


def test_audit_page_shows_only_the_callers_jurisdictions(world, sample):
    a_entries = client_for(world, "auditor").get(reverse("audit-list")).context["page"]
    b_entries = client_for(world, "outsider_auditor").get(reverse("audit-list")).context["page"]
    assert {e.entry.jurisdiction_path for e in a_entries} == {world.district.path}
    assert {e.entry.jurisdiction_path for e in b_entries} == {world.other_district.path}


def test_audit_page_filters_and_shows_changes(world, sample):
    c = client_for(world, "auditor")
    response = c.get(reverse("audit-list"), {"action": "project.conclude"})
    entries = list(response.context["page"])
    assert [e.entry.action for e in entries] == ["project.conclude"]
    body = response.content.decode()
    # The changed fields by their labels, the amount in the reader's unit (10k yuan here).
    assert "Deal price" in body and "600.00 10k yuan" in body
    assert entries[0].url == sample.a.concluded.get_absolute_url()
    by_object = c.get(
        reverse("audit-list"),
        {"object_type": "finance.debt", "object_id": str(sample.a.debt.pk)},
    )
    # Its creation, and the allocation's change of its outstanding amount (newest first).
    assert [e.entry.action for e in by_object.context["page"]] == [
        "debt.outstanding",
        "debt.create",
    ]
    bad = c.get(reverse("audit-list"), {"seq": "not-a-number"})
    assert bad.status_code == 200 and "seq" in bad.context["filter_form"].errors


def test_verify_button_reports_an_intact_chain(world, sample):
    c = client_for(world, "auditor")
    response = c.post(reverse("audit-verify"), follow=True)
    assert response.status_code == 200
    assert "The audit chain is intact" in response.content.decode()


def test_verify_button_names_the_first_broken_entry(world, sample):
    AuditEntry.objects.filter(seq=3).delete()
    response = client_for(world, "head").post(reverse("audit-verify"), follow=True)
    assert "broken at entry #3" in response.content.decode()


@per_caller(["office", "finance", "unit_officer", "bidder"])
def test_verify_is_for_audit_readers_only(world, sample, who):
    before = fingerprint()
    assert client_for(world, who).post(reverse("audit-verify")).status_code == 403
    assert fingerprint() == before
