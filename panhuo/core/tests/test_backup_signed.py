"""Signed backups: a backup whose receipt was changed and whose checksums were recomputed is
refused (the signature no longer matches); an unsigned archive is refused unless
``--allow-unsigned``, which the audit log records; another installation's backup needs its
public key; the audit checkpoints travel in the archive."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from panhuo.core.testing import concluded_project
from panhuo.finance.models import Receipt
from panhuo.finance.services import receipt_create
from panhuo.integrity import checkpoints as cps
from panhuo.integrity import signing
from panhuo.integrity.models import AuditEntry
from panhuo.integrity.services import audit_verify
from panhuo.site import backup as bk
from panhuo.site.backup_signing import CHECKPOINTS, SIGNATURE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


@pytest.fixture
def archive(world, tmp_path):
    """A backup of a concluded project with one receipt, taken after a checkpoint."""
    project = concluded_project(world)
    receipt_create(
        actor=world.user("finance"),
        project=project,
        amount="1000.00",
        received_on=timezone.localdate(),
        voucher="R-1",
        budget_class="non_tax",
    )
    cps.make_checkpoint()
    path = tmp_path / "signed.backup"
    call_command("backup", str(path), stdout=io.StringIO())
    return path


def _members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as a:
        return {i.filename: a.read(i.filename) for i in a.infolist()}


def _write(path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as b:
        for name, data in members.items():
            b.writestr(name, data)


def _restore(path, *args) -> str:
    out = io.StringIO()
    call_command("restore", str(path), "--force", *args, stdout=out)
    return out.getvalue()


def test_a_backup_is_signed_and_carries_the_checkpoints(archive):
    members = _members(archive)
    manifest = json.loads(members[bk.MANIFEST])
    signature = json.loads(members[SIGNATURE])
    assert signing.verify(members[bk.MANIFEST], signature, signing.public_key())
    assert members[CHECKPOINTS] == cps.checkpoint_path().read_bytes()
    assert manifest["checkpoints"]["sha256"] == hashlib.sha256(members[CHECKPOINTS]).hexdigest()
    assert manifest["audit_head"]["last_seq"] == AuditEntry.objects.count()
    assert "The audit chain is intact" in _restore(archive)


def test_a_changed_receipt_with_recomputed_checksums_is_refused(archive, tmp_path):
    members = _members(archive)
    manifest = json.loads(members[bk.MANIFEST])
    name = "tables/finance.receipt.jsonl"
    rows = [json.loads(line) for line in members[name].splitlines()]
    cols = [
        c
        for c, _k in next(t for t in manifest["tables"] if t["model"] == "finance.receipt")[
            "columns"
        ]
    ]
    rows[0][cols.index("amount")] = "1.00"
    members[name] = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
    for t in manifest["tables"]:
        if t["model"] == "finance.receipt":
            t["sha256"] = hashlib.sha256(members[name]).hexdigest()
    members[bk.MANIFEST] = json.dumps(manifest, indent=1).encode()
    forged = tmp_path / "forged.backup"
    _write(forged, members)
    amounts = list(Receipt.objects.values_list("amount", flat=True))
    with pytest.raises(CommandError, match=r"Restore refused: \[backup_signed") as exc:
        _restore(forged)
    assert "is not signed by the key" in str(exc.value)
    # Not even --allow-unsigned lets a wrongly signed archive in.
    with pytest.raises(CommandError, match="backup_signed"):
        _restore(forged, "--allow-unsigned")
    assert list(Receipt.objects.values_list("amount", flat=True)) == amounts


def test_an_unsigned_archive_needs_the_flag_and_is_recorded(archive, tmp_path):
    members = _members(archive)
    del members[SIGNATURE]
    unsigned = tmp_path / "unsigned.backup"
    _write(unsigned, members)
    with pytest.raises(CommandError, match="is not signed") as exc:
        _restore(unsigned)
    assert "--allow-unsigned" in str(exc.value)
    before = AuditEntry.objects.count()
    assert "The audit chain is intact" in _restore(
        unsigned, "--allow-unsigned", "--operator", "li.wei"
    )
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "backup.restore_unsigned"
    assert entry.actor_name == "li.wei (command line)"
    assert entry.after["file"] == "unsigned.backup" and entry.after["signed"] is False
    assert entry.seq == before + 1  # after the restored chain (same rows as before here)
    assert audit_verify().ok


def test_another_installations_backup_needs_its_public_key(archive, tmp_path, settings):
    other = tmp_path / "other.key"
    signing.generate_key(other)
    pem = tmp_path / "other.pub"
    pem.write_text(signing.public_pem(signing.load_public_key(other)))
    mine = settings.PANHUO
    settings.PANHUO = {**mine, "AUDIT_KEY_FILE": str(other)}
    theirs = tmp_path / "theirs.backup"
    call_command("backup", str(theirs), stdout=io.StringIO())
    settings.PANHUO = mine
    with pytest.raises(CommandError, match="another installation made it"):
        _restore(theirs)
    assert "The audit chain is intact" in _restore(theirs, "--public-key", str(pem))


def test_checkpoints_are_put_in_place_and_the_restore_is_anchored(archive):
    path = cps.checkpoint_path()
    path.unlink()
    restored = _restore(archive)
    assert "The audit chain is intact" in restored
    assert "1 checkpoints before the last restore describe the replaced history" in restored
    checkpoints, problems = cps.read_checkpoints()
    assert problems == []
    assert [c.kind for c in checkpoints] == ["checkpoint", "restore"]
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "agrees with 1 signed checkpoints" in out.getvalue()
    assert "1 checkpoints before the last restore" in out.getvalue()
