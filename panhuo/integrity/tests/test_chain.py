"""The audit chain: appended in order, and any edit, deletion or truncation is detected."""

import itertools

import pytest
from django.db import connection, transaction

from panhuo.core.testing import AssetFactory
from panhuo.integrity.models import AuditEntry, AuditHead
from panhuo.integrity.services import GENESIS, audit_record, audit_verify
from panhuo.register.services import asset_update


@pytest.fixture
def chain(world):
    asset = AssetFactory(unit=world.unit)
    for i in range(5):
        asset_update(actor=world.user("office"), asset=asset, data={"name": f"Name {i}"})
    return list(AuditEntry.objects.order_by("seq"))


def test_chain_links_and_verifies(chain):
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(chain))
    result = audit_verify()
    assert result.ok and result.checked == 5


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused():
    """An entry written outside the change's own transaction could survive a rolled-back
    change (or vanish with a committed one), so it is refused."""
    from panhuo.core.testing import build_world

    w = build_world()
    asset = AssetFactory(unit=w.unit)
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="asset.touch", obj=asset)
    assert not AuditEntry.objects.exists()


def test_deleting_a_middle_entry_is_named(chain):
    AuditEntry.objects.filter(seq=3).delete()
    result = audit_verify()
    assert not result.ok and result.broken_seq == 3 and "missing" in result.reason


def test_deleting_the_tail_is_caught_by_the_head(chain):
    AuditEntry.objects.filter(seq=5).delete()
    result = audit_verify()
    assert not result.ok and result.broken_seq == 5


def test_forged_entry_with_recomputed_hash_breaks_the_next_link(chain, world):
    """Someone who rewrites an entry and its own hash still breaks the link after it."""
    from panhuo.integrity.services import entry_hash

    victim = chain[1]
    AuditEntry.objects.filter(seq=victim.seq).delete()
    victim.after = {"name": "forged"}
    victim.hash = entry_hash(victim)
    victim.save(force_insert=True)
    result = audit_verify()
    assert not result.ok and result.broken_seq == victim.seq + 1
    assert "link" in result.reason


def test_update_is_refused_by_the_database(chain):
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(actor_name="mallory")
    assert AuditEntry.objects.get(seq=1).actor_name == "office"


def test_head_tracks_the_tip(chain):
    head = AuditHead.objects.get()
    assert (head.last_seq, head.last_hash) == (chain[-1].seq, chain[-1].hash)
