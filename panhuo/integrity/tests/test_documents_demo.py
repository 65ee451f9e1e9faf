"""The demo seeds documents of every kind on its records, each stored and verifiable."""

from __future__ import annotations

import pytest

from panhuo.core.tests.demo_snapshot import seed_small_demo
from panhuo.integrity.document_files import sniff
from panhuo.integrity.document_selectors import document_history
from panhuo.integrity.document_services import document_open
from panhuo.integrity.models import Document, DocumentKind
from panhuo.integrity.services import audit_verify
from panhuo.organisation.models import User

pytestmark = pytest.mark.django_db


def test_demo_documents(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    seed_small_demo()  # its documents' files land in tmp_path
    docs = list(Document.objects.all())
    assert {d.kind for d in docs} == set(DocumentKind.values)
    assert {d.target_type.model for d in docs} == {
        "asset",
        "package",
        "disposalproject",
        "receipt",
        "debt",
    }
    auditor = User.objects.get(username="auditor")
    for doc in docs:
        data = document_open(actor=auditor, document=doc)
        assert len(data) == doc.size
        assert sniff(data) == ("pdf" if doc.content_type == "application/pdf" else "text")
    signed = Document.objects.get(revision=2)
    assert [d.revision for d in document_history(auditor, signed)] == [2, 1]
    assert audit_verify().ok
