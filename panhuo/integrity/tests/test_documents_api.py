"""The document endpoints, for every caller: list, upload, metadata, versions, download."""

from __future__ import annotations

import hashlib

import pytest

from panhuo.core.tests.api_support import (
    ANON,
    CALLERS,
    USERS,
    build_api_world,
    client_for,
)
from panhuo.integrity.document_services import document_upload
from panhuo.integrity.tests.document_support import (
    UPLOADERS,
    VIEWERS,
    pdf_bytes,
    state,
    targets,
    upload,
)

#: Who holds some role that reads records (and so may call the document endpoints at all).
SECTION = {u for u in USERS if u not in {"bidder", "norole", "outsider_bidder"}}


@pytest.fixture
def aw(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return build_api_world(world)


def _doc(aw, key="project", who="office", data=None, title="Approval"):
    target = targets(aw)[key]
    who = who if who in UPLOADERS[key] else sorted(UPLOADERS[key])[0]
    return document_upload(
        actor=aw.w.user(who),
        target=target,
        kind="approval",
        title=title,
        file=upload("approval.pdf", data or pdf_bytes(title)),
    )


def _status_for_read(who: str, key: str) -> int:
    if who == ANON:
        return 401
    if who not in SECTION:
        return 403
    return 200 if who in VIEWERS[key] else 404


@pytest.mark.parametrize("key", sorted(UPLOADERS))
def test_metadata_versions_and_download_per_caller(aw, key):
    doc = _doc(aw, key)
    for who in CALLERS:
        c = client_for(aw.w, who)
        expected = _status_for_read(who, key)
        r = c.get(f"/api/v1/documents/{doc.pk}")
        assert r.status_code == expected, (who, r.content[:300])
        if expected == 200:
            body = r.json()
            assert body["sha256"] == doc.sha256 and body["target_type"] == key
            assert body["version"] == 1 and body["size"] == doc.size
            assert body["download_url"] == f"/api/v1/documents/{doc.pk}/download"
        r = c.get(f"/api/v1/documents/{doc.pk}/versions")
        assert r.status_code == expected, who
        r = c.get(f"/api/v1/documents/{doc.pk}/download")
        assert r.status_code == expected, who
        if expected == 200:
            assert hashlib.sha256(r.content).hexdigest() == doc.sha256
            assert r["Content-Type"] == "application/pdf"
            assert r["Content-Disposition"] == 'attachment; filename="approval.pdf"'
        else:
            assert "detail" in r.json()


@pytest.mark.parametrize("key", sorted(UPLOADERS))
def test_list_for_a_record_per_caller(aw, key):
    doc = _doc(aw, key)
    target = targets(aw)[key]
    for who in CALLERS:
        r = client_for(aw.w, who).get(
            "/api/v1/documents", {"target_type": key, "target_id": target.pk}
        )
        expected = _status_for_read(who, key)
        assert r.status_code == expected, who
        if expected == 200:
            assert [d["id"] for d in r.json()["results"]] == [doc.pk]


@pytest.mark.parametrize("key", sorted(UPLOADERS))
def test_upload_per_caller(aw, key):
    target = targets(aw)[key]
    for who in CALLERS:
        before = state()
        r = client_for(aw.w, who).post(
            "/api/v1/documents",
            {
                "target_type": key,
                "target_id": target.pk,
                "kind": "contract",
                "title": f"Contract {who}",
                "file": upload("contract.pdf", pdf_bytes(who)),
            },
        )
        if who in UPLOADERS[key]:
            expected = 201
        elif who == ANON:
            expected = 401
        elif who not in SECTION:
            expected = 403
        elif who in VIEWERS[key]:
            expected = 403  # sees the record, may not change it
        else:
            expected = 404  # another unit's or jurisdiction's record
        assert r.status_code == expected, (who, r.content[:300])
        if expected == 201:
            body = r.json()
            assert body["sha256"] == hashlib.sha256(pdf_bytes(who)).hexdigest()
            assert body["uploaded_by"] == who and body["version"] == 1
        else:
            assert state() == before, who


def test_upload_refusals_name_the_field_and_write_nothing(aw, settings):
    c = client_for(aw.w, "office")
    base = {"target_type": "asset", "target_id": aw.asset.pk, "kind": "other", "title": "Photo"}
    before = state()
    r = c.post("/api/v1/documents", {**base, "file": upload("photo.png", pdf_bytes())})
    assert r.status_code == 400 and list(r.json()["errors"]) == ["file"]
    assert "PNG" in r.json()["detail"]
    r = c.post("/api/v1/documents", {**base, "file": upload("empty.txt", b"")})
    assert r.status_code in (400, 422) and "file" in r.json()["errors"]
    settings.PANHUO = {**settings.PANHUO, "DOCUMENT_MAX_BYTES": 100}
    r = c.post("/api/v1/documents", {**base, "file": upload("big.txt", b"x" * 101)})
    assert r.status_code == 400 and "limit is" in r.json()["detail"]
    r = c.post("/api/v1/documents", {**base, "kind": "poem", "file": upload("a.txt", b"a")})
    assert r.status_code == 422 and "kind" in r.json()["errors"]
    r = c.post("/api/v1/documents", {**base, "target_type": "allocation", "file": b"a"})
    assert r.status_code == 422
    r = c.post("/api/v1/documents", base)
    assert r.status_code == 422 and "file" in r.json()["errors"]
    r = c.post("/api/v1/documents", {**base, "target_id": 10**9, "file": upload("a.txt", b"a")})
    assert r.status_code == 404
    assert state() == before


def test_a_new_version_and_the_list_filters(aw):
    c = client_for(aw.w, "office")
    base = {"target_type": "project", "target_id": aw.project.pk, "kind": "approval"}
    one = c.post(
        "/api/v1/documents", {**base, "title": "Reply", "file": upload("a.pdf", pdf_bytes("1"))}
    )
    two = c.post(
        "/api/v1/documents", {**base, "title": "Reply", "file": upload("b.pdf", pdf_bytes("2"))}
    )
    assert (one.json()["version"], two.json()["version"]) == (1, 2)
    assert one.json()["sha256"] != two.json()["sha256"]
    for body, text in ((one.json(), b"1"), (two.json(), b"2")):
        r = c.get(body["download_url"])
        assert r.status_code == 200 and b"(" + text + b")" in r.content
    r = c.get(f"/api/v1/documents/{one.json()['id']}/versions")
    assert [d["version"] for d in r.json()] == [2, 1]
    r = c.get("/api/v1/documents", {"latest_only": True, "target_type": "project"})
    assert [d["id"] for d in r.json()["results"]] == [two.json()["id"]]
    r = c.get("/api/v1/documents", {"ordering": "version"})
    assert [d["version"] for d in r.json()["results"]] == [1, 2]
    r = c.get("/api/v1/documents", {"q": "b.pdf"})
    assert [d["id"] for d in r.json()["results"]] == [two.json()["id"]]
    r = c.get("/api/v1/documents", {"kind": "contract"})
    assert r.json()["count"] == 0
    assert c.get("/api/v1/documents", {"ordering": "sha256"}).status_code == 422
    assert c.get("/api/v1/documents", {"target_type": "user"}).status_code == 422
    other = c.get("/api/v1/documents", {"target_type": "asset", "target_id": aw.other_asset.pk})
    assert other.status_code == 404


def test_a_tampered_file_is_refused_with_409(aw, tmp_path):
    doc = _doc(aw, "asset")
    path = tmp_path / doc.storage_path
    path.chmod(0o640)
    path.write_bytes(b"%PDF-1.4 forged")
    r = client_for(aw.w, "auditor").get(f"/api/v1/documents/{doc.pk}/download")
    assert r.status_code == 409 and "SHA-256" in r.json()["detail"]
