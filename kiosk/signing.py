"""Request signing of county-api.md, "Authentication": one module both sides use.

The kiosk signs every request but enrollment with its Ed25519 device key; the county backend
(and the fake county in the tests) verify with :func:`verify_request`. The signed string is
five lines joined by ``\\n`` with no trailing newline::

    METHOD \\n PATH(?QUERY as sent on the wire) \\n TIMESTAMP \\n NONCE \\n sha256(body) hex

Kept free of the rest of ``kiosk`` (only ``cryptography`` and the standard-library-only
``kiosk.fileio``) so the backend may import it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
import time
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.fileio import PrivateFileError, atomic_write, read_private_file

HEADER_DEVICE = "X-Kiosk-Device"
HEADER_TIMESTAMP = "X-Kiosk-Timestamp"
HEADER_NONCE = "X-Kiosk-Nonce"
HEADER_SIGNATURE = "X-Kiosk-Signature"
#: The backend's window: a timestamp further than this from its clock is ``clock_skew``.
CLOCK_WINDOW_S = 300
#: How long the backend remembers a nonce.
NONCE_MEMORY_S = 600

#: A PEM Ed25519 private key is about 119 bytes; anything far larger is not one.
MAX_KEY_FILE_BYTES = 64 * 1024

NONCE_PATTERN = re.compile(r"^[0-9a-f]{32}$")
TIMESTAMP_PATTERN = re.compile(r"^[0-9]{1,12}$")


class KeyFileError(Exception):
    """The device key file cannot be used (unreadable, malformed, or readable by others)."""


class DeviceKey:
    """The kiosk's Ed25519 private key, kept in a file of mode 0600."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key

    @classmethod
    def generate(cls) -> "DeviceKey":
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load(cls, path: str | Path) -> "DeviceKey":
        """Read a key file (PKCS#8 PEM); refuse one that others may read, or a symlink."""
        path = Path(path)
        try:
            data = read_private_file(path, MAX_KEY_FILE_BYTES)
        except PrivateFileError as err:
            message = str(err).replace(": no such file", ": no such key file")
            raise KeyFileError(message.replace("open to others", "key file is open to others")) from None
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            raise KeyFileError(f"{path}: not a PEM private key") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFileError(f"{path}: not an Ed25519 key")
        return cls(key)

    @classmethod
    def load_or_create(cls, path: str | Path) -> "DeviceKey":
        """Load the key, or make one and write it with mode 0600 (never wider, not even briefly).

        For ``kiosk-provision init`` (and tests); the agent only loads its key (:meth:`load`).
        """
        path = Path(path)
        if os.path.lexists(path):
            return cls.load(path)
        key = cls.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, key.private_pem(), 0o600)
        return key

    def private_pem(self) -> bytes:
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def public_key(self) -> Ed25519PublicKey:
        return self._key.public_key()

    def public_key_raw(self) -> bytes:
        return self.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def public_key_b64(self) -> str:
        """What enrollment sends: base64 of the raw 32-byte public key."""
        return base64.b64encode(self.public_key_raw()).decode("ascii")

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    def __repr__(self) -> str:
        return f"DeviceKey(public={self.public_key_b64()})"


def load_public_key(b64: str) -> Ed25519PublicKey:
    """The enrolled public key from its base64 form; ValueError when it is not 32 raw bytes."""
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("public key is not base64") from None
    if len(raw) != 32:
        raise ValueError("public key is not 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def new_nonce() -> str:
    return secrets.token_hex(16)


def string_to_sign(method: str, path_with_query: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """The five signed lines, UTF-8, joined by ``\\n``, no trailing newline."""
    digest = hashlib.sha256(body or b"").hexdigest()
    return "\n".join([method.upper(), path_with_query, timestamp, nonce, digest]).encode("utf-8")


def sign_request(
    key: DeviceKey,
    device_id: str,
    method: str,
    path_with_query: str,
    body: bytes = b"",
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four ``X-Kiosk-*`` headers of one request.

    ``path_with_query`` is the request target exactly as it goes on the wire; ``timestamp``
    is whole Unix seconds (the caller passes its corrected clock), default ``time.time()``.
    """
    ts = str(int(time.time() if timestamp is None else timestamp))
    nonce = new_nonce() if nonce is None else nonce
    if not NONCE_PATTERN.match(nonce):
        raise ValueError("nonce must be 32 lowercase hex characters")
    signature = key.sign(string_to_sign(method, path_with_query, ts, nonce, body))
    return {
        HEADER_DEVICE: device_id,
        HEADER_TIMESTAMP: ts,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: base64.b64encode(signature).decode("ascii"),
    }


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def verify_request(
    public_key: Ed25519PublicKey,
    method: str,
    path_with_query: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    window_s: int = CLOCK_WINDOW_S,
) -> str | None:
    """None when the request is genuine, else the contract's reason.

    ``bad_signature`` for missing or malformed headers or a signature that does not verify;
    ``clock_skew`` for a genuine request whose timestamp is more than ``window_s`` from
    ``now``. The signature is checked first, so a forged request never learns the clock.
    Remembering nonces (``replayed_nonce``) is the server's job.
    """
    ts = _header(headers, HEADER_TIMESTAMP)
    nonce = _header(headers, HEADER_NONCE)
    sig_b64 = _header(headers, HEADER_SIGNATURE)
    if ts is None or nonce is None or sig_b64 is None or _header(headers, HEADER_DEVICE) is None:
        return "bad_signature"
    if not TIMESTAMP_PATTERN.match(ts) or not NONCE_PATTERN.match(nonce):
        return "bad_signature"
    try:
        signature = base64.b64decode(sig_b64, validate=True)
    except (binascii.Error, ValueError):
        return "bad_signature"
    try:
        public_key.verify(signature, string_to_sign(method, path_with_query, ts, nonce, body))
    except InvalidSignature:
        return "bad_signature"
    if abs(int(ts) - now) > window_s:
        return "clock_skew"
    return None
