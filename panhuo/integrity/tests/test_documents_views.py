"""The document pages and the Documents panel on each record's page, for every role."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest
from django.urls import reverse

from panhuo.core.tests.views_support import (
    REGISTER_SECTION,
    assert_login_redirect,
    client_for,
    expected,
    statuses,
)
from panhuo.integrity.document_services import document_upload
from panhuo.integrity.models import AuditEntry
from panhuo.integrity.tests.document_support import (
    UPLOADERS,
    VIEWERS,
    pdf_bytes,
    state,
    targets,
    upload,
)

#: Everyone who holds a role that reads records.
SECTION = REGISTER_SECTION


@pytest.fixture
def aw(world, settings, tmp_path):
    from panhuo.core.tests.api_support import build_api_world

    settings.DATA_DIR = tmp_path
    return build_api_world(world)


def _doc(aw, key, title="Contract", data=None):
    who = "head" if "head" in UPLOADERS[key] else sorted(UPLOADERS[key])[0]
    return document_upload(
        actor=aw.w.user(who),
        target=targets(aw)[key],
        kind="contract",
        title=title,
        file=upload("contract.pdf", data or pdf_bytes(title)),
    )


@pytest.mark.parametrize("key", sorted(UPLOADERS))
def test_each_record_page_shows_the_documents_panel(aw, key):
    target = targets(aw)[key]
    doc = _doc(aw, key)
    upload_url = reverse("document-upload", args=[key, target.pk])
    for who in VIEWERS[key]:
        response = client_for(aw.w, who).get(target.get_absolute_url())
        assert response.status_code == 200, who
        body = response.content.decode()
        assert 'id="documents"' in body and doc.get_download_url() in body, who
        assert doc.sha256[:12] in body
        assert (upload_url in body) == (who in UPLOADERS[key]), who
        if who in UPLOADERS[key]:
            assert 'enctype="multipart/form-data"' in body and "csrfmiddlewaretoken" in body


@pytest.mark.parametrize("key", sorted(UPLOADERS))
def test_upload_page_per_role(aw, key):
    target = targets(aw)[key]
    url = reverse("document-upload", args=[key, target.pk])
    ok = UPLOADERS[key]
    assert statuses(aw.w, url) == expected(ok, SECTION, forbidden=VIEWERS[key] - UPLOADERS[key])
    assert_login_redirect(url)
    for who in sorted(SECTION | {"bidder", "norole"}):
        before = state()
        response = client_for(aw.w, who).post(
            url,
            {
                "kind": "notice",
                "title": "Public notice",
                "file": upload("notice.txt", f"notice by {who}".encode()),
            },
        )
        if who in ok:
            assert response.status_code == 302, who
            assert response["Location"] == target.get_absolute_url() + "#documents"
        else:
            assert response.status_code == expected(ok, SECTION, forbidden=VIEWERS[key])[who]
            assert state() == before, who


def test_a_refused_upload_shows_why_and_writes_nothing(aw, settings):
    url = reverse("document-upload", args=["asset", aw.asset.pk])
    c = client_for(aw.w, "unit_officer")
    before = state()
    for name, data, words in (
        ("scan.pdf", b"\x89PNG\r\n\x1a\nxx", "PDF"),
        ("empty.txt", b"", "empty"),
        ("tool.exe", b"MZ", "Only PDF"),
    ):
        response = c.post(url, {"kind": "other", "title": "Scan", "file": upload(name, data)})
        assert response.status_code == 400, name
        assert words in response.content.decode(), name
    settings.PANHUO = {**settings.PANHUO, "DOCUMENT_MAX_BYTES": 10}
    response = c.post(url, {"kind": "other", "title": "Scan", "file": upload("a.txt", b"x" * 11)})
    assert response.status_code == 400 and "limit is" in response.content.decode()
    assert state() == before


def test_upload_from_the_panel_adds_a_version(aw):
    url = reverse("document-upload", args=["debt", aw.debt.pk])
    c = client_for(aw.w, "finance")
    for text in ("first", "second"):
        r = c.post(
            url,
            {
                "kind": "contract",
                "title": "Loan contract",
                "file": upload("loan.pdf", pdf_bytes(text)),
            },
            follow=True,
        )
        assert r.status_code == 200
    body = r.content.decode()
    assert "version 2" in body  # the message
    assert "v1" in body and "v2" in body and 'class="older-version"' in body


@pytest.mark.parametrize("key", sorted(UPLOADERS))
def test_download_and_detail_pages_per_role(aw, key):
    doc = _doc(aw, key)
    ok = VIEWERS[key]
    for url in (doc.get_download_url(), doc.get_absolute_url()):
        assert statuses(aw.w, url) == expected(ok, SECTION), url
        assert_login_redirect(url)
    r = client_for(aw.w, sorted(ok)[0]).get(doc.get_download_url())
    assert hashlib.sha256(r.content).hexdigest() == doc.sha256
    assert r["Content-Disposition"] == 'attachment; filename="contract.pdf"'


def test_detail_page_lists_every_version(aw):
    one = _doc(aw, "project", data=pdf_bytes("one"))
    two = _doc(aw, "project", data=pdf_bytes("two"))
    body = client_for(aw.w, "auditor").get(one.get_absolute_url()).content.decode()
    assert one.sha256[:16] in body and two.sha256[:16] in body
    assert two.get_download_url() in body and aw.project.get_absolute_url() in body


def test_a_tampered_file_is_refused_with_a_page_saying_so(aw, tmp_path):
    doc = _doc(aw, "receipt")
    path = tmp_path / doc.storage_path
    path.chmod(0o640)
    path.write_bytes(b"%PDF-1.4 changed")
    n = AuditEntry.objects.count()
    r = client_for(aw.w, "finance").get(doc.get_download_url())
    assert r.status_code == 409 and "no longer matches" in r.content.decode()
    assert AuditEntry.objects.count() == n + 1


def test_list_page_per_role_scoped_filtered_sorted_and_exported(aw, world):
    docs = {key: _doc(aw, key, title=f"Doc on {key}") for key in UPLOADERS}
    url = reverse("document-list")
    assert statuses(aw.w, url) == expected(SECTION)
    assert_login_redirect(url)
    for who in ("unit_officer", "outsider_office", "finance", "supervisor"):
        page = client_for(aw.w, who).get(url).context["page"]
        seen = {d.pk for d in page}
        assert seen == {d.pk for k, d in docs.items() if who in VIEWERS[k]}, who
    c = client_for(aw.w, "office")
    page = c.get(url, {"target_type": "debt"}).context["page"]
    assert [d.pk for d in page] == [docs["debt"].pk]
    page = c.get(url, {"q": "on pack"}).context["page"]
    assert [d.pk for d in page] == [docs["package"].pk]
    page = c.get(url, {"sort": "title"}).context["page"]
    assert [d.title for d in page] == sorted(
        d.title for k, d in docs.items() if "office" in VIEWERS[k]
    )  # the office does not read the auditor's findings, nor their evidence
    assert page[0].record == aw.asset
    r = c.get(url, {"kind": "notice"})
    assert r.context["page"].paginator.count == 0
    assert "No documents match" in r.content.decode()
    r = c.get(url, {"format": "csv", "target_type": "asset"})
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["id", "record_type", "record_id"]
    assert [row[1] for row in rows[1:]] == ["asset"]
    assert rows[1][9] == docs["asset"].sha256


def test_audit_entries_of_uploads_link_to_the_document(aw):
    doc = _doc(aw, "asset")
    response = client_for(aw.w, "auditor").get(reverse("audit-list"), {"action": "document.upload"})
    (entry,) = response.context["page"]
    assert entry.url == doc.get_absolute_url()
    assert entry.entry.after["sha256"] == doc.sha256 and entry.entry.after["size"] == doc.size


def test_a_huge_upload_is_refused_before_it_is_read(aw, settings):
    settings.PANHUO = {**settings.PANHUO, "DOCUMENT_MAX_BYTES": 1024}
    url = reverse("document-upload", args=["asset", aw.asset.pk])
    before = state()
    response = client_for(aw.w, "office").post(
        url,
        {"kind": "other", "title": "Huge", "file": upload("huge.txt", b"x" * 200_000)},
    )
    assert response.status_code == 400
    # The upload's real size (issue 13: a 200 MB upload read "20.0 MiB"), then the limit.
    assert "The file is 195." in response.content.decode()
    assert "the limit is 1.0 KiB (1,024 bytes)" in response.content.decode()
    assert state() == before
