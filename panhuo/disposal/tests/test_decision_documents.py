"""Decree 738 art. 19 for the ``disposal`` approval purpose: a disposal of administrative or
public-institution assets is approved only with the collective decision's minutes and the
approval document (with its number) on the project (gate ``approval_document_required``).
At, just below and just above: neither document, one of them, an approval without its number,
both; the class decides (enterprise assets: none needed; a mixed package: needed); the
service, the API and the inbox refuse or show the same, in English and Chinese, and nothing is
written."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from panhuo.approvals import services as aps
from panhuo.approvals.services.gates import missing_documents
from panhuo.core.gates import GateRefused
from panhuo.core.testing import AssetFactory, decision_documents
from panhuo.core.tests.api_support import call, client_for, fingerprint
from panhuo.disposal import services as ds
from panhuo.disposal.approval_purposes import DECISION_DOCUMENTS
from panhuo.integrity.document_services import document_upload

pytestmark = pytest.mark.django_db


def _submitted(w, *units):
    package = ds.package_create(
        actor=w.user("office"), jurisdiction=w.district, name="Lot", channel="auction",
        asset_ids=[AssetFactory(unit=u).pk for u in units or [w.unit]],
    )  # fmt: skip
    p = ds.project_create(actor=w.user("office"), package=package, reserve_price=D("100.00"))
    return ds.project_transition(actor=w.user("office"), project=p, transition="submit")


def _put(w, p, kind, number="No. 1"):
    return document_upload(
        actor=w.user("office"), target=p, kind=kind, title=kind, number=number,
        file=SimpleUploadedFile("d.txt", b"d\n"),
    )  # fmt: skip


def _approve(w, p):
    return ds.project_transition(actor=w.user("head"), project=p, transition="approve")


def test_the_request_names_the_documents_by_class(world):
    admin = aps.approval_status(_submitted(world), "disposal")
    assert tuple(admin.documents) == DECISION_DOCUMENTS
    enterprise = aps.approval_status(_submitted(world, world.unit2), "disposal")
    assert enterprise.documents == []
    mixed = aps.approval_status(_submitted(world, world.unit, world.unit2), "disposal")
    assert tuple(mixed.documents) == DECISION_DOCUMENTS


def test_below_at_and_above_the_documents_it_rests_on(world):
    p = _submitted(world)
    request = aps.approval_status(p, "disposal")
    steps = [
        (None, ["collective_decision", "approval"]),  # neither
        (("collective_decision", "No. 1"), ["approval"]),  # the minutes only
        (("approval", ""), ["approval"]),  # an approval without its number does not count
    ]
    for put, missing in steps:
        if put:
            _put(world, p, *put)
        assert missing_documents(request) == missing
        before = fingerprint()
        with pytest.raises(GateRefused) as exc:
            _approve(world, p)
        e = exc.value
        assert e.rule.code == "approval_document_required" and e.field == "documents"
        assert "Decree 738 art. 19" in e.text and "upload" in e.unblock
        assert fingerprint() == before
        assert p.status == "submitted"
    _put(world, p, "approval", "Task Force Approval [2026] No. 9")  # both: approved
    assert _approve(world, p).status == "approved"


def test_enterprise_assets_need_no_decree_738_documents(world):
    p = _submitted(world, world.unit2)
    assert _approve(world, p).status == "approved"


def test_the_api_and_the_page_say_what_is_missing(world):
    p = _submitted(world)
    head = client_for(world, "head")
    body = call(head, "GET", f"/api/v1/projects/{p.pk}").json()
    blocked = {t["name"]: t["reason"] for t in body["blocked_transitions"]}
    assert "approval_document_required" in blocked["approve"]
    assert "Collective decision minutes" in blocked["approve"]
    r = call(head, "POST", f"/api/v1/projects/{p.pk}/transitions", {"transition": "approve"})
    assert r.status_code == 400 and r.json()["gate"]["rule"] == "approval_document_required"
    inbox = call(head, "GET", "/api/v1/approvals?mine=true&purpose=disposal").json()["results"]
    assert [x["object_id"] for x in inbox] == [p.pk]
    detail = call(head, "GET", f"/api/v1/approvals/{inbox[0]['id']}").json()
    assert set(detail["documents_missing"]) == set(DECISION_DOCUMENTS)
    decision_documents(world, p)
    r = call(head, "POST", f"/api/v1/projects/{p.pk}/transitions", {"transition": "approve"})
    assert r.status_code == 200 and r.json()["status"] == "approved"


def test_refusal_in_chinese(world):
    p = _submitted(world)
    with translation.override("zh-hans"), pytest.raises(GateRefused) as exc:
        _approve(world, p)
    assert "如需继续" in exc.value.text and "集体决策" in exc.value.text
