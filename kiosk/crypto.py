"""The data key: AES-256-GCM for every piece of personal data the kiosk keeps on disk.

Why here and not in SQLite: the database, its WAL, its backups and any copy of the disk must
hold only ciphertext, so a stolen or returned kiosk gives nothing away without the key file.
The key file is 32 random bytes, mode 0600, kept beside the config (not in the data folder);
a key file that group or others may read is refused, because then the key is no secret.

Sealed format: ``b"\\x01" + 12-byte random nonce + ciphertext + 16-byte tag``. The caller's
associated data (``aad``) binds a sealed value to the row and column it belongs to, so a
ciphertext copied into another row fails to open just like a tampered one.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
FORMAT = b"\x01"
OVERHEAD = len(FORMAT) + NONCE_BYTES + TAG_BYTES


class CryptoError(Exception):
    """A sealed value does not open (tampered, wrong key, wrong row) or the key is unusable."""


class DataKey:
    """An AES-256-GCM key. ``seal``/``open`` take the associated data that names the row."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise CryptoError(f"a data key is {KEY_BYTES} bytes, not {len(key)}")
        self._aead = AESGCM(bytes(key))

    @classmethod
    def generate(cls) -> DataKey:
        return cls(os.urandom(KEY_BYTES))

    @classmethod
    def load_or_create(cls, path: str | os.PathLike[str]) -> DataKey:
        """Read the key file, or make it (0600, written atomically, fsynced) if it is missing.

        Two processes starting together agree on one key: the file is made under a private
        temporary name and hard-linked into place, so the loser reads the winner's key.
        """
        path = Path(path)
        if not path.exists():
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
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as err:
        raise CryptoError(f"cannot open data key {path}: {err.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise CryptoError(f"data key {path} is not a regular file")
        if info.st_mode & 0o077:
            raise CryptoError(f"data key {path} has mode {stat.S_IMODE(info.st_mode):04o}; "
                              "it must be 0600 (chmod 600)")
        key = os.read(fd, KEY_BYTES + 1)
    finally:
        os.close(fd)
    if len(key) != KEY_BYTES:
        raise CryptoError(f"data key {path} is {len(key)} bytes, not {KEY_BYTES}")
    return key


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
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
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
