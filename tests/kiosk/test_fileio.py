"""Atomic writes leave the old file or the new one, with the asked mode, no temporary
behind; the key-file check refuses anything open to others, symlinks and non-files."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from kiosk import fileio
from kiosk.fileio import PrivateFileError, atomic_write, atomic_write_text, check_private_file, read_private_file


def test_write_replace_and_mode_whatever_the_umask(tmp_path):
    path = tmp_path / "f.json"
    old = os.umask(0)
    try:
        atomic_write(path, b"one")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        atomic_write_text(path, "二", mode=0o640)
    finally:
        os.umask(old)
    assert path.read_text(encoding="utf-8") == "二"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_file_and_folder_are_fsynced_before_and_after_the_rename(tmp_path, monkeypatch):
    path = tmp_path / "f"
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", stat.S_ISDIR(os.fstat(fd).st_mode)))
        real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", os.path.basename(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(fileio.os, "fsync", fsync)
    monkeypatch.setattr(fileio.os, "replace", replace)
    atomic_write(path, b"data")
    assert events == [("fsync", False), ("replace", "f"), ("fsync", True)]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "f"
    atomic_write(path, b"old")

    def broken(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "write", broken)
    with pytest.raises(OSError):
        atomic_write(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


def test_concurrent_writers_never_share_a_temporary(tmp_path):
    path = tmp_path / "f"
    payloads = [bytes([n]) * 50_000 for n in range(16)]
    errors = []

    def write(data):
        try:
            atomic_write(path, data)
        except Exception as err:  # noqa: BLE001 - any failure fails the test
            errors.append(err)

    threads = [threading.Thread(target=write, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert path.read_bytes() in payloads  # one whole payload, never a mix
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


def test_a_symlink_at_the_target_is_replaced_not_written_through(tmp_path):
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    link = tmp_path / "f"
    link.symlink_to(victim)
    atomic_write(link, b"new")
    assert victim.read_bytes() == b"keep"
    assert not link.is_symlink() and link.read_bytes() == b"new"


def test_private_file_accepted_at_0600_and_0400(tmp_path):
    path = tmp_path / "k"
    atomic_write(path, b"secret")
    assert check_private_file(path).st_size == 6
    path.chmod(0o400)
    assert read_private_file(path, 100) == b"secret"
    assert read_private_file(path, 3) == b"sec"


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620, 0o602, 0o610, 0o601, 0o644, 0o666])
def test_private_file_open_to_others_refused(tmp_path, mode):
    path = tmp_path / "k"
    atomic_write(path, b"secret")
    path.chmod(mode)
    with pytest.raises(PrivateFileError, match="chmod 600") as err:
        check_private_file(path)
    assert f"{mode:04o}" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(PrivateFileError):
        read_private_file(path, 100)


def test_private_file_symlink_folder_and_missing_refused(tmp_path):
    real = tmp_path / "real"
    atomic_write(real, b"secret")
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(PrivateFileError, match="symlink"):
        check_private_file(link)
    with pytest.raises(PrivateFileError, match="symlink"):
        read_private_file(link, 100)
    with pytest.raises(PrivateFileError, match="not a regular file"):
        check_private_file(tmp_path)
    with pytest.raises(PrivateFileError, match="no such file"):
        check_private_file(tmp_path / "absent")


def test_key_loaders_share_the_check(tmp_path):
    """Both key files refuse a symlink (the device key used to follow one)."""
    from kiosk.crypto import CryptoError, DataKey
    from kiosk.signing import DeviceKey, KeyFileError

    DataKey.load_or_create(tmp_path / "data.key")
    DeviceKey.load_or_create(tmp_path / "device.key")
    (tmp_path / "data-link").symlink_to(tmp_path / "data.key")
    (tmp_path / "device-link").symlink_to(tmp_path / "device.key")
    with pytest.raises(CryptoError, match="symlink"):
        DataKey.load(tmp_path / "data-link")
    with pytest.raises(KeyFileError, match="symlink"):
        DeviceKey.load(tmp_path / "device-link")
    for name in ("data.key", "device.key"):
        (tmp_path / name).chmod(0o640)
    with pytest.raises(CryptoError, match="chmod 600"):
        DataKey.load(tmp_path / "data.key")
    with pytest.raises(KeyFileError, match="chmod 600"):
        DeviceKey.load(tmp_path / "device.key")
