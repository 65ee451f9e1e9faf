"""Documents on records: who may add them, the limits, versions, the store and its checks."""

from __future__ import annotations

import hashlib
import io
import logging
import os

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core.tests.api_support import USERS, build_api_world
from panhuo.integrity import document_files as files
from panhuo.integrity import document_services
from panhuo.integrity.document_registry import may_upload
from panhuo.integrity.document_selectors import (
    document_history,
    document_list,
    documents_for,
    get_document_for,
)
from panhuo.integrity.document_services import DocumentDamaged, document_open, document_upload
from panhuo.integrity.models import AuditEntry, Document
from panhuo.integrity.tests.document_support import (
    JPEG,
    KEYS,
    PNG,
    UPLOADERS,
    VIEWERS,
    ooxml,
    pdf_bytes,
    state,
    stored_files,
    targets,
    upload,
)
from panhuo.organisation.policy import NotPermitted


@pytest.fixture
def store(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def aw(world, store):
    return build_api_world(world)


def _up(aw, who="office", target=None, name="report.pdf", data=None, title="Appraisal", **kw):
    return document_upload(
        actor=aw.w.user(who),
        target=target if target is not None else aw.asset,
        kind=kw.pop("kind", "appraisal_report"),
        title=title,
        file=upload(name, pdf_bytes() if data is None else data),
    )


@pytest.mark.parametrize("key", KEYS)
def test_upload_is_for_those_who_may_change_the_record(aw, key):
    target = targets(aw)[key]
    for who in USERS:
        before = state()
        assert may_upload(aw.w.user(who), target) == (who in UPLOADERS[key]), who
        if who in UPLOADERS[key]:
            doc = _up(aw, who, target, title=f"Report by {who}")
            assert doc.target == target and doc.revision == 1
            assert doc.uploaded_by == aw.w.user(who)
            entry = AuditEntry.objects.order_by("-seq").first()
            assert entry.action == "document.upload" and entry.object_id == str(doc.pk)
            assert entry.after["sha256"] == doc.sha256 and entry.after["size"] == doc.size
            assert entry.jurisdiction_path == aw.w.district.path == doc.jurisdiction_path
        else:
            with pytest.raises(NotPermitted):
                _up(aw, who, target)
            assert state() == before, who


@pytest.mark.parametrize("key", KEYS)
def test_documents_are_seen_by_those_who_see_the_record(aw, key):
    target = targets(aw)[key]
    doc = _up(aw, sorted(UPLOADERS[key])[0], target)
    for who in USERS:
        visible = who in VIEWERS[key]
        user = aw.w.user(who)
        assert list(documents_for(user, target)) == ([doc] if visible else []), who
        assert (doc in document_list(user)) == visible, who
        if visible:
            assert get_document_for(user, doc.pk) == doc
        else:
            with pytest.raises(Document.DoesNotExist):
                get_document_for(user, doc.pk)


def test_a_unit_officer_adds_only_to_records_of_their_own_unit(aw):
    mixed = aw.package
    from panhuo.disposal import services as ds

    ds.package_add_assets(actor=aw.w.user("office"), package=mixed, asset_ids=[aw.asset2.pk])
    assert not may_upload(aw.w.user("unit_officer"), mixed)
    with pytest.raises(NotPermitted):
        _up(aw, "unit_officer", mixed)
    assert may_upload(aw.w.user("unit_officer"), aw.asset)
    assert not may_upload(aw.w.user("unit_officer"), aw.asset2)
    assert may_upload(aw.w.user("other_unit_officer"), aw.asset2)


def _refused(aw, field, name, data, *words):
    before = state()
    with pytest.raises(ValidationError) as exc:
        _up(aw, name=name, data=data)
    messages = exc.value.message_dict[field]
    for word in words:
        assert any(word in m for m in messages), (word, messages)
    assert state() == before


def test_oversized_file_is_refused_naming_the_limit(aw, settings):
    settings.PANHUO = {**settings.PANHUO, "DOCUMENT_MAX_BYTES": 1024}
    data = pdf_bytes() + b"%" + b"x" * 2000
    _refused(aw, "file", "big.pdf", data, "limit is", "1,024 bytes")
    assert _up(aw, name="small.pdf", data=pdf_bytes()[:1000] + b"%%EOF").size <= 1024


def test_an_oversized_file_is_reported_with_its_real_size(aw, settings):
    """Issue 13: a 200 MB upload was reported as "20.0 MiB" (what was read up to the limit)."""
    settings.PANHUO = {**settings.PANHUO, "DOCUMENT_MAX_BYTES": 1024 * 1024}
    data = b"x" * (3 * 1024 * 1024 + 512 * 1024)
    _refused(aw, "file", "big.txt", data, "The file is 3.5 MiB", "limit is 1.0 MiB")
    assert files.human_size(812) == "812 bytes"
    assert files.human_size(200 * 1000 * 1000) == "190.7 MiB"
    assert files.human_size(5 * 1024**3) == "5.0 GiB"


def test_default_limit_is_twenty_mebibytes():
    assert files.max_bytes() == 20 * 1024 * 1024


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("empty.pdf", b"", ["empty"]),
        ("tool.exe", b"MZ\x90\x00", ["Only PDF, PNG, JPEG, XLSX, DOCX, CSV, TXT", ".exe"]),
        ("noext", b"hello", ["no extension"]),
        ("scan.png", pdf_bytes(), ["PNG", "content is not"]),
        ("report.pdf", PNG, ["PDF"]),
        ("photo.jpg", b"just text", ["JPEG"]),
        ("sheet.xlsx", ooxml("docx"), ["XLSX"]),
        ("letter.docx", ooxml("xlsx"), ["DOCX"]),
        ("letter.docx", ooxml("zip"), ["DOCX"]),
        ("letter.docx", b"PK\x03\x04broken", ["DOCX"]),
        ("notes.txt", pdf_bytes(), ["TXT"]),
        ("rows.csv", b"a,b\x00,c", ["CSV"]),
        ("notes.txt", b"MZ\x90\x00 text", ["TXT"]),
        ("notes.txt", b"\xff\xfe\xfd", ["TXT"]),
    ],
)
def test_wrong_or_mismatched_types_are_refused_and_nothing_is_written(aw, name, data, words):
    _refused(aw, "file", name, data, *words)


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [
        ("Report.PDF", pdf_bytes(), "application/pdf"),
        ("site.png", PNG, "image/png"),
        ("site.jpeg", JPEG, "image/jpeg"),
        ("site.jpg", JPEG, "image/jpeg"),
        ("book.xlsx", ooxml("xlsx"), files.XLSX.mime),
        ("letter.docx", ooxml("docx"), files.DOCX.mime),
        ("rows.csv", "名称,金额\n办公楼,100\n".encode(), "text/csv"),
        ("notes.txt", "评估报告".encode("gb18030"), "text/plain"),
    ],
)
def test_accepted_types_keep_their_checked_content_type(aw, name, data, mime):
    doc = _up(aw, name=name, data=data)
    assert doc.content_type == mime and doc.filename == name and doc.size == len(data)


def test_refusals_of_the_record_title_and_kind(aw):
    before = state()
    with pytest.raises(ValidationError) as exc:
        _up(aw, title="   ")
    assert "title" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _up(aw, kind="poem")
    assert "kind" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _up(aw, title="x" * 201)
    assert "200" in exc.value.message_dict["title"][0]
    with pytest.raises(ValidationError) as exc:
        _up(aw, target=aw.allocation)
    assert "target" in exc.value.message_dict
    assert state() == before


def test_the_client_path_is_dropped_from_the_file_name(aw):
    doc = _up(aw, name="C:\\Users\\x\\..\\评估报告.pdf")
    assert doc.filename == "评估报告.pdf"
    doc = _up(aw, name="../../etc/passwd.txt", data=b"root")
    assert doc.filename == "passwd.txt"
    assert doc.storage_path == f"documents/{doc.sha256[:2]}/{doc.sha256}"


def test_a_new_version_never_overwrites(aw, store):
    first = _up(aw, data=pdf_bytes("first"))
    second = _up(aw, who="head", data=pdf_bytes("second"))
    other_title = _up(aw, title="Valuation", data=pdf_bytes("first"))
    assert (first.revision, second.revision, other_title.revision) == (1, 2, 1)
    assert first.sha256 != second.sha256 and first.storage_path != second.storage_path
    assert other_title.storage_path == first.storage_path  # same bytes, stored once
    assert len(stored_files()) == 2
    user = aw.w.user("auditor")
    for doc, text in ((first, b"first"), (second, b"second")):
        data = document_open(actor=user, document=doc)
        assert hashlib.sha256(data).hexdigest() == doc.sha256 and text in data
    assert list(document_history(user, first)) == [second, first]
    assert list(document_list(user, latest_only=True, ordering="version")) in (
        [other_title, second],
        [second, other_title],
    )
    assert set(document_list(user, latest_only=True)) == {second, other_title}
    # Another kind under the same title is its own series.
    contract = _up(aw, kind="contract")
    assert contract.revision == 1


def test_the_database_refuses_to_change_a_stored_document(aw):
    doc = _up(aw)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Document.objects.filter(pk=doc.pk).update(sha256="0" * 64)
    doc.title = "Changed"
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        doc.save()
    assert Document.objects.get(pk=doc.pk).title == "Appraisal"


def test_two_documents_with_one_version_number_are_refused(aw):
    doc = _up(aw)
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            **{
                f.attname: getattr(doc, f.attname)
                for f in Document._meta.concrete_fields
                if f.name != "id"
            }
        )


def test_tampered_file_is_detected_reported_and_refused(aw, store, caplog):
    doc = _up(aw)
    path = store / doc.storage_path
    os.chmod(path, 0o640)
    path.write_bytes(path.read_bytes().replace(b"Appraisal", b"Appraisol"))
    seq = AuditEntry.objects.order_by("-seq").first().seq
    with caplog.at_level(logging.ERROR), pytest.raises(DocumentDamaged):
        document_open(actor=aw.w.user("auditor"), document=doc)
    assert "failed its integrity check" in caplog.text
    entry = AuditEntry.objects.get(seq=seq + 1)
    assert entry.action == "document.damaged" and entry.object_id == str(doc.pk)
    path.unlink()
    with pytest.raises(DocumentDamaged):
        document_open(actor=aw.w.user("auditor"), document=doc)


def test_a_damaged_copy_in_the_store_is_never_replaced(aw, store):
    data = pdf_bytes("shared")
    doc = _up(aw, data=data)
    path = store / doc.storage_path
    os.chmod(path, 0o640)
    path.write_bytes(b"%PDF-garbage")
    before = state()
    with pytest.raises(ValidationError) as exc:
        _up(aw, title="Again", data=data)
    assert "damaged" in exc.value.message_dict["file"][0]
    assert state() == before and path.read_bytes() == b"%PDF-garbage"


def test_a_failure_after_storing_leaves_no_file_and_no_row(aw, monkeypatch):
    before = state()

    def broken(**kwargs):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(document_services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        _up(aw)
    assert state() == before

    def disk_full(data, sha256):
        raise OSError("disk full")

    monkeypatch.undo()
    monkeypatch.setattr(files, "store", disk_full)
    with pytest.raises(OSError):
        _up(aw)
    assert state() == before


def test_a_failed_upload_does_not_remove_a_file_other_documents_use(aw, monkeypatch):
    data = pdf_bytes("kept")
    doc = _up(aw, data=data)

    def broken(**kwargs):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(document_services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        _up(aw, title="Other", data=data)
    assert document_open(actor=aw.w.user("head"), document=doc) == data


EXTENSIONS = [".pdf", ".png", ".jpg", ".xlsx", ".docx", ".csv", ".txt", ".exe", ""]
PREFIXES = [b"", b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"PK\x03\x04", b"MZ"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    prefix=st.sampled_from(PREFIXES),
    body=st.binary(max_size=300) | st.text(max_size=100).map(str.encode),
    ext=st.sampled_from(EXTENSIONS),
)
def test_any_bytes_upload_with_their_hash_or_are_refused_cleanly(aw, prefix, body, ext):
    data = prefix + body
    before = state()
    try:
        doc = _up(aw, name=f"file{ext}", data=data)
    except ValidationError as exc:
        assert list(exc.message_dict) == ["file"]
        assert state() == before
        return
    assert doc.size == len(data) and doc.sha256 == hashlib.sha256(data).hexdigest()
    assert document_open(actor=aw.w.user("office"), document=doc) == data
    assert ext in files.EXTENSIONS


def test_the_documents_command_names_missing_or_changed_files(aw, store):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    kept = _up(aw, data=pdf_bytes("kept"))
    changed = _up(aw, title="Changed", data=pdf_bytes("changed"))
    out = io.StringIO()
    call_command("audit", "documents", stdout=out)
    assert "intact: 2 checked" in out.getvalue()
    path = store / changed.storage_path
    os.chmod(path, 0o640)
    path.write_bytes(b"%PDF-1.4 changed")
    with pytest.raises(CommandError) as exc:
        call_command("audit", "documents")
    message = str(exc.value)
    assert f"#{changed.pk} Changed v1" in message and "1 of 2" in message
    assert f"#{kept.pk} " not in message


def test_a_document_carries_its_number_and_a_too_long_one_is_refused(aw):
    doc = document_upload(
        actor=aw.w.user("office"),
        target=aw.project,
        kind="approval",
        title="Written approval",
        number="  Approval   [2026] No. 5 ",
        file=upload("approval.pdf", pdf_bytes()),
    )
    assert doc.number == "Approval [2026] No. 5"
    before = Document.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        document_upload(
            actor=aw.w.user("office"),
            target=aw.project,
            kind="collective_decision",
            title="Minutes",
            number="N" * 101,
            file=upload("minutes.pdf", pdf_bytes()),
        )
    assert list(exc.value.message_dict) == ["number"]
    assert (Document.objects.count(), AuditEntry.objects.count()) == before
    # Stored documents stay unchangeable after the number column was added (the trigger).
    with pytest.raises(DatabaseError), transaction.atomic():
        Document.objects.filter(pk=doc.pk).update(number="changed")
