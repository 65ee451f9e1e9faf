"""Signed checkpoints outside the database: ``panhuo audit verify`` passes on an intact chain and
names the first checkpoint contradicted by a truncated, wiped or recomputed chain (each of which
the hash chain alone accepts); the checkpoint file's own links and signatures are checked; the
worker and big commits make checkpoints by themselves."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core.testing import concluded_project
from panhuo.integrity import checkpoints as cps
from panhuo.integrity import signing
from panhuo.integrity.models import AuditEntry, AuditHead
from panhuo.integrity.services import ObjRef, _hash_of, audit_record_many, audit_verify
from panhuo.integrity.tests.test_audit_cli import _disable_append_only_trigger


@pytest.fixture
def chain(world):
    concluded_project(world)
    assert AuditEntry.objects.count() >= 6
    return world


def _verify() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def _refused() -> str:
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify")
    assert exc.value.returncode == 1
    return str(exc.value)


def _set_head(seq: int, digest: str) -> None:
    AuditHead.objects.filter(id=1).update(last_seq=seq, last_hash=digest)


def test_checkpoint_then_verify_agrees(chain):
    out = io.StringIO()
    call_command("audit", "checkpoint", stdout=out)
    head = AuditHead.objects.get()
    assert f"entry #{head.last_seq}" in out.getvalue()
    line = json.loads(cps.checkpoint_path().read_text().splitlines()[-1])
    assert (line["seq"], line["hash"], line["kind"]) == (
        head.last_seq,
        head.last_hash,
        "checkpoint",
    )
    assert line["key"] == signing.fingerprint(signing.public_key())
    text = _verify()
    assert "The audit chain is intact" in text
    assert f"agrees with 1 signed checkpoints (the last: entry #{head.last_seq}" in text


def test_no_checkpoint_yet_is_said_but_not_a_failure(chain):
    assert "There are no checkpoints yet" in _verify()


def test_truncation_is_reported_with_the_checkpoint(chain):
    cps.make_checkpoint()
    top = AuditEntry.objects.order_by("-seq").first()
    keep = top.seq - 3
    AuditEntry.objects.filter(seq__gt=keep).delete()
    _set_head(keep, AuditEntry.objects.get(seq=keep).hash)
    assert audit_verify().ok  # the hash chain alone cannot tell
    text = _refused()
    assert "Checkpoint 1 of" in text
    assert f"it records entry #{top.seq}, but the chain ends at #{keep}" in text


def test_a_wipe_is_reported(chain):
    cps.make_checkpoint()
    AuditEntry.objects.all().delete()
    AuditHead.objects.all().delete()
    assert audit_verify().ok
    text = _refused()
    assert "Checkpoint 1 of" in text and "the chain ends at #0" in text


def _more_entries(n: int = 3) -> None:
    records = [("bulk.test", ObjRef("register.asset", i, f"A{i}"), None, {"i": i}, "")
               for i in range(n)]  # fmt: skip
    audit_record_many(actor=None, records=records)


def test_a_recomputed_chain_is_reported_with_the_first_checkpoint_it_contradicts(chain):
    cps_made = [cps.make_checkpoint()]
    _more_entries()
    cps_made.append(cps.make_checkpoint())
    _more_entries()
    cps_made.append(cps.make_checkpoint())
    entries = list(AuditEntry.objects.order_by("seq"))
    first_seq = cps_made[0].seq + 1  # after checkpoint 1, before checkpoint 2
    assert "agrees with 3 signed checkpoints" in _verify()

    # An insider changes entry #first_seq and recomputes every later hash and the head.
    _disable_append_only_trigger()
    victim = AuditEntry.objects.get(seq=first_seq)
    after = dict(victim.after or {})
    after["forged"] = True
    prev = victim.prev_hash
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        for entry in AuditEntry.objects.filter(seq__gte=first_seq).order_by("seq"):
            if entry.seq == first_seq:
                entry.after = after
            digest = _hash_of(entry.seq, entry.created_at, entry.actor_id, entry.actor_name,
                              entry.action, entry.object_type, entry.object_id,
                              entry.object_repr, entry.jurisdiction_path, entry.before,
                              entry.after, prev)  # fmt: skip
            cursor.execute(
                f'UPDATE integrity_auditentry SET "after" = %s{cast}, prev_hash = %s, '  # noqa: S608
                "hash = %s WHERE seq = %s",
                [json.dumps(entry.after), prev, digest, entry.seq],
            )
            prev = digest
    _set_head(entries[-1].seq, prev)
    assert audit_verify().ok  # the chain is consistent again
    text = _refused()
    assert "Checkpoint 2 of" in text
    assert f"entry #{cps_made[1].seq} no longer has the hash it had" in text


def test_the_checkpoint_file_is_checked(chain):
    cps.make_checkpoint()
    cps.make_checkpoint()
    cps.make_checkpoint()
    path = cps.checkpoint_path()
    lines = path.read_text().splitlines()
    # A line removed from the middle breaks the next one's link.
    path.write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert "checkpoint 3 does not follow the line before it" in _refused()
    # A line edited (to agree with a rewritten chain) no longer matches its signature.
    forged = json.loads(lines[0])
    forged["seq"] = 1
    path.write_text(json.dumps(forged) + "\n")
    assert "checkpoint 1 has a wrong signature" in _refused()


def test_a_supervisors_copy_and_public_key_are_used(chain, tmp_path):
    cps.make_checkpoint()
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(cps.checkpoint_path().read_bytes())
    pem = tmp_path / "panhuo.pub"
    out = io.StringIO()
    call_command("audit", "public-key", stdout=out)
    pem.write_text(out.getvalue().split("Fingerprint")[0])
    cps.checkpoint_path().unlink()  # the local file is gone; the supervisor still holds one
    AuditEntry.objects.filter(seq=AuditHead.objects.get().last_seq).delete()
    with pytest.raises(CommandError, match="the chain ends at"):
        call_command("audit", "verify", "--checkpoints", str(copy), "--public-key", str(pem))
    # A key that did not sign them: each line is refused as signed by another key.
    other = tmp_path / "other.key"
    signing.generate_key(other)
    with pytest.raises(CommandError, match="signed by another key"):
        call_command("audit", "verify", "--checkpoints", str(copy), "--public-key", str(other))


def test_checkpoints_before_a_restore_describe_the_replaced_history(chain):
    cps.make_checkpoint()
    top = AuditHead.objects.get().last_seq
    AuditEntry.objects.filter(seq=top).delete()
    _set_head(top - 1, AuditEntry.objects.get(seq=top - 1).hash)
    cps.make_checkpoint(kind="restore", note="restored a backup")
    text = _verify()
    assert "1 checkpoints before the last restore" in text


def test_a_big_commit_is_checkpointed_once_it_lands(
    chain, settings, django_capture_on_commit_callbacks
):
    settings.PANHUO = {**settings.PANHUO, "AUDIT_CHECKPOINT_BULK": 3}
    with django_capture_on_commit_callbacks(execute=True):
        _more_entries(3)
    checkpoints, _ = cps.read_checkpoints()
    head = AuditHead.objects.get()
    assert [(c.seq, c.note) for c in checkpoints] == [
        (head.last_seq, "after a commit of 3 entries")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        _more_entries(2)  # below the threshold
    assert len(cps.read_checkpoints()[0]) == 1


def test_the_worker_schedules_checkpoints_once(chain, settings):
    settings.PANHUO = {**settings.PANHUO, "AUDIT_CHECKPOINT_INTERVAL": 600}
    assert cps.schedule_checkpoints()
    assert cps.schedule_checkpoints()  # already queued: not twice
    queued = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=cps.scheduled_checkpoint.module_path
    )
    assert queued.count() == 1
    # Running it checkpoints and queues the next one; the same head is not signed twice.
    assert cps.scheduled_checkpoint.call() == "checkpointed"
    assert cps.scheduled_checkpoint.call() == "checkpointed"
    assert len(cps.read_checkpoints()[0]) == 1
    assert queued.count() == 3
    settings.PANHUO = {**settings.PANHUO, "AUDIT_CHECKPOINT_INTERVAL": 0}
    assert not cps.schedule_checkpoints()


def test_a_configured_key_that_is_missing_is_refused(chain, settings, tmp_path):
    path = tmp_path / "gone.key"
    settings.PANHUO = {**settings.PANHUO, "AUDIT_KEY_FILE": str(path), "AUDIT_KEY_CREATE": False}
    with pytest.raises(CommandError, match="panhuo audit keygen"):
        call_command("audit", "checkpoint")
    assert not path.exists()
    out = io.StringIO()
    call_command("audit", "keygen", stdout=out)
    assert path.exists() and oct(path.stat().st_mode)[-3:] == "600"
    assert "BEGIN PUBLIC KEY" in out.getvalue()
    with pytest.raises(CommandError, match="already exists"):
        call_command("audit", "keygen")
    call_command("audit", "checkpoint", stdout=io.StringIO())


def test_the_audit_page_and_the_reconciliation_report_show_the_last_checkpoint(chain):
    from django.urls import reverse

    from panhuo.core.tests.views_support import client_for

    auditor = client_for(chain, "auditor")
    assert "No signed checkpoint has been made yet" in auditor.get(reverse("audit-list")).text
    cp = cps.make_checkpoint()
    shown = f"no. {cp.number}, entry #{cp.seq} at {cp.at}, key {cp.signature['key']}"
    assert shown in auditor.get(reverse("audit-list")).text
    assert shown in client_for(chain, "finance").get(reverse("reconciliation")).text
    # The page's check names a contradicted checkpoint too.
    AuditEntry.objects.filter(seq=cp.seq).delete()
    AuditHead.objects.filter(id=1).update(last_seq=cp.seq - 1)
    AuditHead.objects.filter(id=1).update(last_hash=AuditEntry.objects.get(seq=cp.seq - 1).hash)
    page = auditor.post(reverse("audit-verify"), follow=True).text
    assert "The audit chain is intact" in page and "Checkpoint 1 of" in page


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    marks=st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=5, unique=True),
    cut=st.integers(min_value=0, max_value=12),
    rewrite=st.booleans(),
)
def test_any_cut_or_rewrite_contradicts_exactly_the_first_later_checkpoint(
    db, tmp_path_factory, settings, marks, cut, rewrite
):
    """Checkpoints at arbitrary heads of a 12-entry chain; then the chain is cut back to ``cut``
    entries (or, with ``rewrite``, entry ``cut + 1`` on is rewritten with every hash
    recomputed). The check fails exactly when a checkpoint lies beyond the cut (or at or
    after the rewritten entry), naming the first such checkpoint."""
    path = tmp_path_factory.mktemp("cps") / "c.jsonl"
    settings.PANHUO = {**settings.PANHUO, "AUDIT_CHECKPOINT_FILE": str(path)}
    with transaction.atomic():
        made = []
        for n in range(1, 13):
            _more_entries(1)
            if n in marks:
                made.append(cps.make_checkpoint())
        if rewrite:
            prev = AuditEntry.objects.get(seq=cut).hash if cut else cps.GENESIS
            rows = list(AuditEntry.objects.filter(seq__gt=cut).order_by("seq"))
            AuditEntry.objects.filter(seq__gt=cut).delete()  # and put back forged
            for entry in rows:
                entry.after = {"forged": entry.seq}
                entry.prev_hash = prev
                entry.hash = _hash_of(entry.seq, entry.created_at, entry.actor_id,
                                      entry.actor_name, entry.action, entry.object_type,
                                      entry.object_id, entry.object_repr,
                                      entry.jurisdiction_path, entry.before, entry.after,
                                      prev)  # fmt: skip
                prev = entry.hash
            AuditEntry.objects.bulk_create(rows)
            _set_head(12, prev)
        else:
            AuditEntry.objects.filter(seq__gt=cut).delete()
            _set_head(cut, AuditEntry.objects.get(seq=cut).hash if cut else cps.GENESIS)
        assert audit_verify().ok  # the chain alone always looks intact
        report = cps.verify_checkpoints()
        first = next((c for c in made if c.seq > cut), None)
        assert report.problems == []
        assert (report.contradicted.number if report.contradicted else None) == (
            first.number if first else None
        )
        transaction.set_rollback(True)


def test_the_worker_checkpoints_at_start_and_schedules_the_next(chain, settings, monkeypatch):
    from panhuo.register.management.commands import worker

    # The queue runner itself (django-tasks-db's db_worker) is not under test here.
    monkeypatch.setattr(worker, "call_command", lambda *args, **kwargs: None)
    settings.PANHUO = {**settings.PANHUO, "AUDIT_CHECKPOINT_INTERVAL": 600}
    call_command("worker", "--batch", verbosity=0)
    checkpoints, _problems = cps.read_checkpoints()
    assert [(c.seq, c.note) for c in checkpoints] == [
        (AuditHead.objects.get().last_seq, "worker started")
    ]
    assert DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=cps.scheduled_checkpoint.module_path
    ).exists()


def test_the_last_checkpoint_is_read_from_the_end_of_a_long_file(chain):
    for _ in range(40):  # about 16 KB: more than the tail that is read
        cps.make_checkpoint()
    assert cps.checkpoint_path().stat().st_size > 8192
    last = cps.last_checkpoint()
    assert last == cps.read_checkpoints()[0][-1] and last.number == 40
    cps.checkpoint_path().unlink()
    assert cps.last_checkpoint() is None
