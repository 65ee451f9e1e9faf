"""The audit endpoints: who may read the log and verify the chain; a broken chain is named."""

import pytest

from panhuo.core.tests.api_support import (
    AUDIT_READERS,
    CALLERS,
    build_api_world,
    check,
    client_for,
)
from panhuo.core.tests.api_support import expect as expect_status
from panhuo.core.tests.per_caller import per_caller
from panhuo.integrity.models import AuditEntry

#: Audit readers of district B only: they get the log, without district A's entries.
OUTSIDE_AUDIT_READERS = {"outsider_head", "outsider_deputy", "outsider_auditor"}


@pytest.fixture
def aw(world):
    return build_api_world(world)


@per_caller(CALLERS)
def test_audit_list(aw, who):
    status = expect_status(403, **dict.fromkeys(AUDIT_READERS | OUTSIDE_AUDIT_READERS, 200))
    r = check(aw, who, "GET", "/api/v1/audit?page_size=500", expected=status)
    if r.status_code == 200:
        seqs = {e["seq"] for e in r.json()["results"]}
        district_a = set(
            AuditEntry.objects.filter(jurisdiction_path__startswith=aw.w.district.path).values_list(
                "seq", flat=True
            )
        )
        assert district_a
        assert (district_a <= seqs) == (who in AUDIT_READERS)
        assert not (district_a & seqs) or who in AUDIT_READERS


@per_caller(CALLERS)
def test_audit_verify(aw, who):
    status = expect_status(403, **dict.fromkeys(AUDIT_READERS | OUTSIDE_AUDIT_READERS, 200))
    r = check(aw, who, "GET", "/api/v1/audit/verify", expected=status)
    if r.status_code == 200:
        assert r.json() == {
            "ok": True,
            "checked": AuditEntry.objects.count(),
            "broken_seq": None,
            "reason": "",
        }


def test_verify_names_the_first_broken_entry(aw):
    AuditEntry.objects.filter(seq=3).delete()
    r = client_for(aw.w, "auditor").get("/api/v1/audit/verify")
    assert r.status_code == 200
    assert r.json()["ok"] is False and r.json()["broken_seq"] == 3
    assert "missing" in r.json()["reason"]


def test_audit_list_filters_and_sorts(aw):
    c = client_for(aw.w, "auditor")
    r = c.get("/api/v1/audit", {"action": "allocation.create"})
    (entry,) = r.json()["results"]
    assert entry["object_id"] == str(aw.allocation.pk) and entry["actor_name"] == "finance"
    assert entry["after"]["amount"] == "1000000.00"
    r = c.get("/api/v1/audit", {"object_type": "disposal.disposalproject", "ordering": "seq"})
    seqs = [e["seq"] for e in r.json()["results"]]
    assert seqs == sorted(seqs) and len(seqs) >= 5
    r = c.get("/api/v1/audit", {"actor": aw.w.user("head").pk})
    assert {e["action"] for e in r.json()["results"]} == {"project.approve"}
    assert c.get("/api/v1/audit?ordering=hash").status_code == 422
    assert c.get("/api/v1/audit?actor=abc").status_code == 422
