"""An import's audit: one chained entry per written batch holding each row's digest and their
Merkle root, the rows read in each asset's history, and `audit verify` naming a tampered row
(integrity/batches.py). One world for the whole story; runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.integrity.batches import (
    _Heads,
    canonical,
    merkle_proof,
    merkle_root,
    proven,
    row_digest,
)
from panhuo.integrity.models import AuditEntry, AuditRow
from panhuo.integrity.readable import readable
from panhuo.integrity.reconcile import reconcile
from panhuo.integrity.selectors import history_of
from panhuo.integrity.services import audit_verify
from panhuo.register.models import Asset
from panhuo.register.tests.test_import_engine import ROWS, _gbk, _run


def _tamper_after(row: AuditRow, after: dict) -> None:
    """As an attacker with database access would: past the append-only trigger (the test's
    rollback restores it), rewrite one stored row's values."""
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE integrity_auditrow DISABLE TRIGGER integrity_audit_row_no_update"
            )
        else:
            cursor.execute("DROP TRIGGER IF EXISTS integrity_audit_row_no_update")
        cursor.execute(
            f'UPDATE integrity_auditrow SET "after" = %s{cast} WHERE id = %s',  # noqa: S608
            [json.dumps(after), row.pk],
        )


def test_an_import_is_one_chained_entry_per_batch_and_verify_names_a_tampered_row(world):
    report = _run(world, _gbk(ROWS), commit=True)
    assert report.committed and report.new == 3
    [batch] = AuditEntry.objects.filter(action="asset.import_batch")
    rows = list(AuditRow.objects.filter(entry=batch).order_by("position"))
    assert [r.action for r in rows] == ["asset.import_create"] * 3
    assert batch.after["rows"] == 3 and batch.after["source"]["file"] == ""
    assert batch.after["digests"] == [row_digest(r) for r in rows]
    assert batch.after["root"] == merkle_root(batch.after["digests"])
    assert not AuditEntry.objects.filter(action="asset.import_create").exists()
    said = readable([batch])[0]
    assert "imported a batch of 3 rows" in said.sentence and "digests" not in dict(
        (label, b) for label, b, _a in said.changes
    )

    # The asset's history still shows the row that created it, then the one that changed it.
    changed = [ROWS[0].replace("老城区办公楼", "老城区办公楼（东楼）"), *ROWS[1:]]
    assert _run(world, _gbk(changed), commit=True).updated == 1
    asset = Asset.objects.get(code="FW-001")
    history = history_of(asset)
    assert [e.action for e in history] == ["asset.import_update", "asset.import_create"]
    assert history[0].after == {"name": "老城区办公楼（东楼）"}
    assert history[1].actor_name == world.user("office").get_username()
    # The rows replay to the table as it stands: no difference for reconcile.
    assert reconcile(["register.asset"]).differences == []
    assert audit_verify().ok

    # Someone with database access lowers one imported row's book value.
    victim = AuditRow.objects.get(object_id=str(asset.pk), action="asset.import_create")
    _tamper_after(victim, {**victim.after, "book_value": "1.00"})
    result = audit_verify()
    assert not result.ok and result.broken_seq == victim.entry_id
    assert f"row {victim.position} (register.asset #{asset.pk} FW-001 老城区办公楼)" in (
        result.reason
    )
    assert "does not match its digest" in result.reason


def _hex(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=40), st.data())
def test_every_row_proves_into_its_root_and_no_other_digest_does(numbers, data):
    digests = [_hex(n) for n in numbers]
    position = data.draw(st.integers(0, len(digests) - 1))
    root = merkle_root(digests)
    proof = merkle_proof(digests, position)
    assert proven(digests[position], proof, root)
    other = _hex(data.draw(st.integers(-(10**6), -1)))
    assert not proven(other, proof, root)
    assert merkle_root([*digests[:position], other, *digests[position + 1 :]]) != root


_TEXTS = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)


@settings(max_examples=80)
@given(
    st.integers(1, 10**9), st.integers(0, 10**4), st.datetimes(timezones=st.timezones()),
    _TEXTS, _TEXTS, _TEXTS, st.one_of(st.none(), _TEXTS),
)  # fmt: skip
def test_a_rows_head_is_its_canonical_list(seq, position, when, action, otype, oid, path):
    # The batch writer makes each row's head text without the JSON encoder (_Heads); a row
    # hashed from any other text would fail `audit verify`, which hashes canonical's.
    head = _Heads(seq, when)
    orepr = f"{oid} {action}"
    assert head(position, action, otype, oid, orepr, path) == canonical(
        [seq, position, when.astimezone(dt.UTC).isoformat(), action, otype, oid, orepr, path]
    )
