"""The audit trail reads as sentences in the reader's language: labels not field names, names
not ids, amounts in the reader's unit, local times; on the log, its export, its API and the
history of every detail page."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from panhuo.core.tests.api_support import build_api_world
from panhuo.core.tests.views_support import client_for
from panhuo.integrity.models import AuditEntry
from panhuo.integrity.readable import readable
from panhuo.integrity.services import audit_verify
from panhuo.organisation.preferences import user_set_language


@pytest.fixture
def a(world):
    return build_api_world(world)


def test_the_log_reads_as_sentences_in_english_and_chinese(world, a):
    office = world.user("office")
    url = reverse("audit-list")
    query = {"action": "project.conclude", "object_id": str(a.concluded.pk)}
    english = client_for(world, "auditor").get(url, query)
    row = english.context["page"][0]
    assert row.sentence == (
        f"{office} concluded {a.concluded.code} at a deal price of 600.00 10k yuan"
    )
    assert row.url == a.concluded.get_absolute_url()
    assert ("Deal price", "—", "600.00 10k yuan") in row.changes
    body = english.content.decode()
    assert row.sentence in body and "deal_price" not in body

    auditor = world.user("auditor")
    user_set_language(actor=auditor, language="zh-hans")
    chinese = client_for(world, "auditor").get(url, query)
    zh_row = chinese.context["page"][0]
    assert zh_row.sentence == f"{office}以成交价600.00 万元成交了{a.concluded.code}"
    assert any(label == "成交价" for label, _before, _after in zh_row.changes)


def test_related_ids_read_as_names_and_times_as_local(world, a):
    entry = AuditEntry.objects.get(action="allocation.create", object_id=str(a.allocation.pk))
    [row] = readable([entry])
    # The debt and the receipt by their names, not their ids.
    assert str(a.debt) in row.sentence and a.receipt.voucher in row.sentence
    labels = {label: after for label, _before, after in row.changes}
    assert labels["Debt"] == str(a.debt) and labels["Receipt"] == str(a.receipt)
    assert row.when.utcoffset() == timezone.localtime(entry.created_at).utcoffset()
    assert str(row.when.tzinfo) == str(timezone.get_current_timezone())


def test_an_unknown_verb_or_a_missing_field_still_reads_as_a_sentence(world, a):
    entry = AuditEntry.objects.filter(object_type="disposal.disposalproject").first()
    entry.action = "project.teleport"
    with translation.override("en"):
        [row] = readable([entry])
    assert row.sentence.startswith(f"{entry.actor}: project.teleport on the disposal project")
    # A listing entry without the reserve falls back to the verb's sentence.
    entry.action, entry.after, entry.before = "project.list", {"status": "listed"}, {}
    with translation.override("en"):
        [row] = readable([entry])
    assert row.sentence.startswith(f"{entry.actor} listed the disposal project ")


def test_the_export_carries_the_sentences_and_the_codes(world, a):
    response = client_for(world, "auditor").get(
        reverse("audit-list"), {"export": "csv", "action": "project.conclude"}
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert "What happened" in header and "Action" in header
    sentence = rows[1][header.index("What happened")]
    assert "concluded" in sentence and a.concluded.code in sentence
    assert rows[1][header.index("Action")] == "project.conclude"


def test_the_api_gives_each_entry_its_sentence(world, a):
    response = client_for(world, "auditor").get(
        "/api/v1/audit", {"action": "project.conclude", "object_id": str(a.concluded.pk)}
    )
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["sentence"].endswith(
        f"concluded {a.concluded.code} at a deal price of 600.00 10k yuan"
    )


@pytest.mark.parametrize(
    ("who", "page", "words"),
    [
        ("office", "concluded", "concluded"),
        ("finance", "debt", "set the outstanding amount of"),
        ("finance", "receipt", "recorded receipt"),
    ],
)
def test_detail_pages_show_their_history_as_sentences(world, a, who, page, words):
    obj = getattr(a, page)
    response = client_for(world, who).get(obj.get_absolute_url())
    assert response.status_code == 200
    history = response.context["history"]
    assert history and all(h.entry.object_id == str(obj.pk) for h in history)
    assert any(words in h.sentence for h in history)
    assert words in response.content.decode()


def test_reading_changes_nothing_and_the_chain_still_verifies(world, a):
    before = AuditEntry.objects.count()
    client_for(world, "auditor").get(reverse("audit-list"))
    client_for(world, "office").get(a.concluded.get_absolute_url())
    assert AuditEntry.objects.count() == before
    assert audit_verify().ok
