"""The cryptography of sealed bids (no database, no clock): a key pair per lot, a bid sealed
with the lot's public key, the private key wrapped under the server's sealing secret.

- Each sealed-bid lot gets an X25519 key pair when it is set up. The public key is stored as is.
  The private key is stored only wrapped: AES-256-GCM under a key derived (HKDF-SHA256) from the
  sealing secret (``settings.SEALED_BID_KEY``, from the environment, never in the database) and
  the lot's id, with the lot id and public key as associated data.
- A bid is sealed the moment it is received: the amount, padded to a fixed length (so the
  ciphertext's size does not tell its number of digits), is encrypted with a fresh key agreed
  between a one-time X25519 key and the lot's public key (ECIES: X25519 + HKDF-SHA256 +
  AES-256-GCM). The lot id and the registration id are associated data: a ciphertext moved to
  another bidder or lot no longer opens.
- Only the private key opens a bid; :func:`unwrap` gives it back, and only the opening service
  calls it, after the opening time and two officers' confirmations (``auctions.sealed``).
"""

from __future__ import annotations

import hashlib
import os
from decimal import Decimal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

#: A sealed amount is padded to this many bytes ("12345678.90" and "1.00" seal to one size).
PADDED = 32
_RAW = serialization.Encoding.Raw
_NONCE = 12


class SealError(Exception):
    """A ciphertext or wrapped key that does not open (wrong key, moved, or altered)."""


def _derive(secret: bytes, info: bytes, salt: bytes = b"panhuo sealed bids") -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)


def _kek(secret: str, lot_id: int) -> bytes:
    return _derive(secret.encode(), b"wrap lot %d" % lot_id)


def _bid_context(lot_id: int, registration_id: int) -> bytes:
    return b"panhuo sealed bid lot=%d registration=%d" % (lot_id, registration_id)


def new_key_pair(secret: str, lot_id: int) -> tuple[bytes, bytes]:
    """A fresh key pair for lot ``lot_id``: (public key, private key wrapped under ``secret``)."""
    private = X25519PrivateKey.generate()
    public = private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    raw = private.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    nonce = os.urandom(_NONCE)
    aad = b"lot %d " % lot_id + public
    return public, nonce + AESGCM(_kek(secret, lot_id)).encrypt(nonce, raw, aad)


def unwrap(secret: str, lot_id: int, public: bytes, wrapped: bytes) -> bytes:
    """The lot's private key (raw bytes): the opening's step, and no one else's."""
    aad = b"lot %d " % lot_id + bytes(public)
    wrapped = bytes(wrapped)
    try:
        return AESGCM(_kek(secret, lot_id)).decrypt(wrapped[:_NONCE], wrapped[_NONCE:], aad)
    except InvalidTag:
        raise SealError("the lot's private key does not unwrap under this secret") from None


def seal(public: bytes, lot_id: int, registration_id: int, amount: Decimal) -> bytes:
    """``amount`` sealed for the lot's private key, bound to the lot and the registration."""
    text = f"{amount:.2f}".encode()
    if len(text) >= PADDED:
        raise ValueError("amount too long to seal")
    padded = text + b" " * (PADDED - len(text))
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(bytes(public)))
    eph_public = ephemeral.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    context = _bid_context(lot_id, registration_id)
    key = _derive(shared, context, salt=eph_public)
    nonce = os.urandom(_NONCE)
    return eph_public + nonce + AESGCM(key).encrypt(nonce, padded, context)


def unseal(private: bytes, lot_id: int, registration_id: int, ciphertext: bytes) -> Decimal:
    """The amount of a sealed bid (with the lot's released private key)."""
    ciphertext = bytes(ciphertext)
    eph_public, nonce, body = ciphertext[:32], ciphertext[32 : 32 + _NONCE], ciphertext[44:]
    context = _bid_context(lot_id, registration_id)
    try:
        shared = X25519PrivateKey.from_private_bytes(bytes(private)).exchange(
            X25519PublicKey.from_public_bytes(eph_public)
        )
        padded = AESGCM(_derive(shared, context, salt=eph_public)).decrypt(nonce, body, context)
    except (InvalidTag, ValueError):
        raise SealError("the sealed bid does not open with this key") from None
    return Decimal(padded.decode().strip())


def digest(ciphertext: bytes) -> str:
    """The receipt of a sealed bid: the SHA-256 of its ciphertext, in hex."""
    return hashlib.sha256(bytes(ciphertext)).hexdigest()
