"""The Ed25519 key that signs audit checkpoints and backups, kept outside the database.

Whoever can write the database can rewrite the audit chain and recompute every hash; they
cannot make a signature without the private key, which lives in a file the database never
holds: ``PANHUO_AUDIT_KEY_FILE``, else ``audit-signing.key`` in the data directory (created on
first use, readable by its owner only). A configured path that does not exist is refused rather
than filled with a new key, so a missing mount never silently replaces the key. The public key
(``panhuo audit public-key``) is what a supervisor keeps to check checkpoints and backups
independently.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils.translation import gettext as _

KEY_NAME = "audit-signing.key"
ALGORITHM = "ed25519"


class SigningError(Exception):
    """The key cannot be read or made; the message says which file and what to do."""


def key_path() -> Path:
    configured = settings.PANHUO.get("AUDIT_KEY_FILE") or ""
    return Path(configured) if configured else Path(settings.DATA_DIR) / KEY_NAME


def _may_create() -> bool:
    """A key is made on first use unless its path was given explicitly (env)."""
    return bool(settings.PANHUO.get("AUDIT_KEY_CREATE", True))


def generate_key(path: Path | None = None) -> Ed25519PrivateKey:
    """Write a new private key to ``path`` (never over an existing file) and return it."""
    path = path or key_path()
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".key-", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        # link() fails if the file exists: two processes making the key at once keep one.
        os.link(tmp, path)
    except FileExistsError:
        raise SigningError(
            _("The signing key %(path)s already exists; it was not replaced.") % {"path": path}
        ) from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return key


def private_key() -> Ed25519PrivateKey:
    path = key_path()
    if not path.exists():
        if not _may_create():
            raise SigningError(
                _(
                    "The audit signing key file %(path)s does not exist. Create it with "
                    "`panhuo audit keygen`, or point PANHUO_AUDIT_KEY_FILE at the key."
                )
                % {"path": path}
            )
        try:
            return generate_key(path)
        except SigningError:
            pass  # another process made it first: read theirs
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningError(
            _("The audit signing key %(path)s cannot be read (%(error)s).")
            % {"path": path, "error": exc}
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(_("The key in %(path)s is not an Ed25519 key.") % {"path": path})
    return key


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    """A public key from a PEM file (the supervisor's copy); a private key file works too."""
    data = Path(path).read_bytes()
    try:
        key: Any = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as exc:
            raise SigningError(
                _("%(path)s holds no readable key (%(error)s).") % {"path": path, "error": exc}
            ) from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError(_("The key in %(path)s is not an Ed25519 key.") % {"path": path})
    return key


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def fingerprint(key: Ed25519PublicKey) -> str:
    """A short name for a public key: the first 16 hex digits of its SHA-256."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def canonical(data: dict[str, Any]) -> bytes:
    """The bytes a signature covers: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sign(data: bytes, key: Ed25519PrivateKey | None = None) -> dict[str, str]:
    """A detached signature of ``data``: algorithm, key fingerprint and signature (base64)."""
    key = key or private_key()
    return {
        "alg": ALGORITHM,
        "key": fingerprint(key.public_key()),
        "sig": base64.b64encode(key.sign(data)).decode("ascii"),
    }


def verify(data: bytes, signature: dict[str, Any], key: Ed25519PublicKey) -> bool:
    """True when ``signature`` is ``key``'s signature of ``data``."""
    try:
        if signature.get("alg") != ALGORITHM:
            return False
        key.verify(base64.b64decode(str(signature.get("sig", "")), validate=True), data)
    except (InvalidSignature, ValueError, TypeError, AttributeError):
        return False
    return True
