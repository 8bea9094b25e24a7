"""The data key: AES-256-GCM for every piece of personal data the kiosk keeps on disk.

Why here and not in SQLite: the database, its WAL, its backups and any copy of the disk must
hold only ciphertext, so a stolen or returned kiosk gives nothing away without the key file.
The key file is 32 random bytes, mode 0600, kept beside the config (not in the data folder);
a key file that group or others may read is refused, because then the key is no secret.

Sealed format: ``b"\\x01" + 12-byte random nonce + ciphertext + 16-byte tag``. The caller's
associated data (``aad``) binds a sealed value to the row and column it belongs to, so a
ciphertext copied into another row fails to open just like a tampered one.

Only ``kiosk-provision init`` makes a key (:meth:`DataKey.load_or_create`); the UI, the agent
and ``kiosk-diag`` only :meth:`DataKey.load` it. A key silently made anew at run time would
turn every pending transaction into a dead letter, so a missing key is an error, and the
store checks the key's :attr:`DataKey.fingerprint` against the one it recorded.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.fileio import PrivateFileError, fsync_dir, read_private_file

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
FORMAT = b"\x01"
OVERHEAD = len(FORMAT) + NONCE_BYTES + TAG_BYTES
#: What the fingerprint is an HMAC of: a constant, so the fingerprint says nothing of the key.
FINGERPRINT_LABEL = b"kiosk data key fingerprint v1"


class CryptoError(Exception):
    """A sealed value does not open (tampered, wrong key, wrong row) or the key is unusable."""


class DataKey:
    """An AES-256-GCM key. ``seal``/``open`` take the associated data that names the row."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise CryptoError(f"a data key is {KEY_BYTES} bytes, not {len(key)}")
        self._aead = AESGCM(bytes(key))
        self._fingerprint = hashlib.sha256(hmac.digest(bytes(key), FINGERPRINT_LABEL, "sha256")).hexdigest()[:16]

    @property
    def fingerprint(self) -> str:
        """16 hex characters naming this key (SHA-256 of an HMAC of a constant): the store
        records it when it is made and refuses to open with another key."""
        return self._fingerprint

    @classmethod
    def generate(cls) -> DataKey:
        return cls(os.urandom(KEY_BYTES))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> DataKey:
        """Read the key file; :class:`CryptoError` (one line) when it is missing, open to
        others, a symlink or of the wrong length. Never creates a key: at run time a missing
        key means the sealed records cannot be opened, and a new key would not help."""
        path = Path(path)
        if not os.path.lexists(path):
            raise CryptoError(f"data key {path} is missing; only kiosk-provision init makes one "
                              "(a new key cannot open what the old one sealed)")
        return cls(_read_key_file(path))

    @classmethod
    def load_or_create(cls, path: str | os.PathLike[str]) -> DataKey:
        """Read the key file, or make it (0600, written atomically, fsynced) if it is missing.

        For ``kiosk-provision init`` (and tests) only; the kiosk's processes use :meth:`load`.

        Two processes starting together agree on one key: the file is made under a private
        temporary name and hard-linked into place, so the loser reads the winner's key.
        """
        path = Path(path)
        if not os.path.lexists(path):
            _create_key_file(path)
        return cls(_read_key_file(path))

    def seal(self, plain: bytes | bytearray | memoryview, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return FORMAT + nonce + self._aead.encrypt(nonce, plain, aad)

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        if len(sealed) < OVERHEAD or sealed[:1] != FORMAT:
            raise CryptoError("not a sealed value")
        nonce = sealed[1:1 + NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, sealed[1 + NONCE_BYTES:], aad)
        except InvalidTag:
            raise CryptoError("sealed value does not open: tampered, moved or wrong key") from None

    def __repr__(self) -> str:
        return "DataKey(<secret>)"

    __str__ = __repr__


def _read_key_file(path: Path) -> bytes:
    try:
        key = read_private_file(path, KEY_BYTES + 1)
    except PrivateFileError as err:
        raise CryptoError(f"data key {err}") from None
    if len(key) != KEY_BYTES:
        raise CryptoError(f"data key {path} is {len(key)} bytes, not {KEY_BYTES}")
    return key


def _create_key_file(path: Path) -> None:
    """Make the key file unless one exists; two racing creators end with one key.

    The key is written and fsynced under a unique private name (:func:`atomic_write` would
    replace a key another process just made, so it is not used here), then hard-linked into
    place, which fails if the name exists.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(6).hex()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask said
        os.write(fd, os.urandom(KEY_BYTES))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temp, path)  # fails if another process won the race: then its key stands
    except FileExistsError:
        pass
    finally:
        temp.unlink()
    fsync_dir(path.parent)
