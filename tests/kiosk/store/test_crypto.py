"""The data key seals and opens, refuses anything tampered or moved, and guards its file."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from kiosk.crypto import KEY_BYTES, CryptoError, DataKey


def test_seal_open_round_trip_with_fresh_nonce(key):
    first, second = key.seal(b"\xe5\xbc\xa0 plain", b"row-1"), key.seal(b"\xe5\xbc\xa0 plain", b"row-1")
    assert first != second  # random nonce
    assert b"plain" not in first
    assert key.open(first, b"row-1") == key.open(second, b"row-1") == b"\xe5\xbc\xa0 plain"


def test_tampered_value_fails(key):
    sealed = bytearray(key.seal(b"secret", b"aad"))
    for index in (0, 5, len(sealed) - 1):
        broken = bytearray(sealed)
        broken[index] ^= 0x01
        with pytest.raises(CryptoError):
            key.open(bytes(broken), b"aad")
    with pytest.raises(CryptoError):
        key.open(bytes(sealed[:10]), b"aad")


def test_other_row_or_other_key_fails(key):
    sealed = key.seal(b"secret", b"transactions.body/A")
    with pytest.raises(CryptoError):
        key.open(sealed, b"transactions.body/B")
    with pytest.raises(CryptoError):
        DataKey.generate().open(sealed, b"transactions.body/A")


def test_key_file_created_0600_and_reloaded(tmp_path):
    path = tmp_path / "conf" / "data.key"
    old = os.umask(0o022)
    try:
        first = DataKey.load_or_create(path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.stat().st_size == KEY_BYTES
    assert DataKey.load_or_create(path).open(first.seal(b"x", b"a"), b"a") == b"x"
    assert [p.name for p in path.parent.iterdir()] == ["data.key"]  # no temporary left


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620, 0o644])
def test_key_file_readable_by_others_refused(tmp_path, mode):
    path = tmp_path / "data.key"
    DataKey.load_or_create(path)
    path.chmod(mode)
    with pytest.raises(CryptoError, match="0600"):
        DataKey.load_or_create(path)


def test_key_file_of_wrong_length_refused(tmp_path):
    path = tmp_path / "data.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"short")
    os.close(fd)
    with pytest.raises(CryptoError, match="bytes"):
        DataKey.load_or_create(path)


def test_racing_creators_agree_on_one_key(tmp_path):
    path = tmp_path / "data.key"
    keys: list[DataKey] = []
    threads = [threading.Thread(target=lambda: keys.append(DataKey.load_or_create(path))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sealed = keys[0].seal(b"same", b"a")
    assert all(k.open(sealed, b"a") == b"same" for k in keys)


def test_repr_hides_key(tmp_path):
    path = tmp_path / "data.key"
    key = DataKey.load_or_create(path)
    assert path.read_bytes().hex() not in repr(key) and "secret" in repr(key)


def test_load_never_creates_a_key(tmp_path):
    path = tmp_path / "data.key"
    with pytest.raises(CryptoError, match="missing") as err:
        DataKey.load(path)
    assert "kiosk-provision init" in str(err.value) and "\n" not in str(err.value)
    assert not path.exists()
    made = DataKey.load_or_create(path)
    assert DataKey.load(path).fingerprint == made.fingerprint


def test_fingerprint_names_the_key_and_tells_nothing_of_it(tmp_path):
    path = tmp_path / "data.key"
    key = DataKey.load_or_create(path)
    raw = path.read_bytes()
    assert len(key.fingerprint) == 16 and int(key.fingerprint, 16) >= 0
    assert DataKey(raw).fingerprint == key.fingerprint != DataKey.generate().fingerprint
    assert key.fingerprint not in raw.hex() and raw.hex()[:16] != key.fingerprint
