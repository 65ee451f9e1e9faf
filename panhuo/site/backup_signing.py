"""Signed backups: the archive's manifest is signed with the audit signing key.

The manifest holds the SHA-256 of every table file, stored file and the checkpoint file, so a
signature over the manifest covers the whole archive. Without the key, someone who changes a
receipt in a backup and recomputes its checksums still cannot make the signature match, and
``restore`` refuses the archive (gate ``backup_signed``). An unsigned archive (one from before
signing, or made by hand) restores only with ``--allow-unsigned``, and that restore is
recorded in the audit log. The checkpoint file travels in the archive too
(``audit/checkpoints.jsonl``): a restore onto a machine without one puts it in place.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from panhuo.core.gates import GateRefused, rule
from panhuo.integrity import signing
from panhuo.integrity.checkpoints import checkpoint_path

SIGNATURE = "signature.json"
CHECKPOINTS = "audit/checkpoints.jsonl"

BACKUP_SIGNED = rule(
    "backup_signed",
    _l("A backup is restored only with a valid signature of this installation's key"),
    _l("Panhuo security: signed backups (README, Security)"),
    owner="site.restore",
)


class SignatureRefused(Exception):
    """The archive is unsigned (without the flag) or wrongly signed."""


def add_checkpoints(archive: zipfile.ZipFile) -> dict[str, Any] | None:
    """Copy the checkpoint file into the archive; its checksum for the manifest."""
    path = checkpoint_path()
    if not path.is_file():
        return None
    data = path.read_bytes()
    archive.writestr(CHECKPOINTS, data)
    return {"path": CHECKPOINTS, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def sign_archive(archive: zipfile.ZipFile, manifest_bytes: bytes) -> dict[str, str]:
    """Add the manifest's signature to the archive (the manifest is already in it)."""
    signature = signing.sign(manifest_bytes)
    archive.writestr(SIGNATURE, json.dumps(signature))
    return signature


def _refuse(name: str, message: str, unblock: str) -> SignatureRefused:
    gate = GateRefused(BACKUP_SIGNED, field="file", message=message, unblock=unblock)
    return SignatureRefused(gate.text)


def check_signature(
    archive: zipfile.ZipFile,
    name: str,
    *,
    allow_unsigned: bool = False,
    public_key: Ed25519PublicKey | None = None,
) -> bool:
    """True when the manifest carries a valid signature, False for an unsigned archive that
    ``allow_unsigned`` lets through; otherwise refused (before anything is written)."""
    try:
        manifest_bytes = archive.read("manifest.json")
        raw = archive.read(SIGNATURE)
    except KeyError:
        if allow_unsigned:
            return False
        raise _refuse(
            name,
            _("%(name)s is not signed, so nothing shows it was not changed.") % {"name": name},
            _(
                "restore a signed backup, or pass --allow-unsigned (the restore is then recorded "
                "in the audit log)."
            ),
        ) from None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        raise _refuse(name, _("%(name)s cannot be read.") % {"name": name}, "") from None
    try:
        signature = json.loads(raw)
        if not isinstance(signature, dict):
            raise ValueError
    except ValueError:
        signature = {}
    key = public_key or signing.public_key()
    if not signing.verify(manifest_bytes, signature, key):
        raise _refuse(
            name,
            _(
                "%(name)s is not signed by the key %(key)s: it was changed after the backup, "
                "or another installation made it."
            )
            % {"name": name, "key": signing.fingerprint(key)},
            _(
                "restore an unchanged backup, or name its installation's public key with "
                "--public-key."
            ),
        )
    return True


def archived_checkpoints(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> bytes | None:
    """The archive's checkpoint file, when its checksum matches the manifest."""
    info = manifest.get("checkpoints")
    if not isinstance(info, dict):
        return None
    try:
        data = archive.read(CHECKPOINTS)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return None
    return data if hashlib.sha256(data).hexdigest() == info.get("sha256") else None


def put_checkpoints_in_place(data: bytes | None) -> bool:
    """Write the backup's checkpoints where this installation keeps them, unless it already
    has some (the file is append-only: a restore never shortens it)."""
    path = checkpoint_path()
    if data is None or (path.is_file() and path.stat().st_size):
        return False
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True
