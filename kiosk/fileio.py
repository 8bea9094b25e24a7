"""Small files written so that a power cut leaves the old one or the new one, never half.

The kiosk is switched off at the wall without warning, so every file it rewrites (the
catalog cache, the config, the keys, the UI heartbeat) goes through :func:`atomic_write`:
a unique temporary name in the same folder (two writers never share one), write, fsync
the file, rename over the target, fsync the folder (so the rename itself survives).
The temporary file is made with the final mode from the start, never wider, whatever
the umask says.

:func:`check_private_file` is the one permission check for key files (device key, data
key): a regular file, not a symlink, that neither group nor others may touch.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class PrivateFileError(Exception):
    """A key file that must not be used: missing, not a regular file, a symlink, or open to others."""


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Make a rename or a new name in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: str | os.PathLike[str], data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` by ``data`` atomically and durably; the file gets ``mode``.

    The folder must exist. On any failure the temporary file is removed and the old file,
    if any, is untouched.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(6).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
    try:
        try:
            os.fchmod(fd, mode)  # the umask may have narrowed it; never wider than asked
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def atomic_write_text(path: str | os.PathLike[str], text: str, mode: int = 0o600, encoding: str = "utf-8") -> None:
    """:func:`atomic_write` for text."""
    atomic_write(path, text.encode(encoding), mode)


def check_private_file(path: str | os.PathLike[str]) -> os.stat_result:
    """The file's stat when it is a regular file (not a symlink) open to its owner only.

    Raises :class:`PrivateFileError` with one line otherwise. Symlinks are refused, not
    followed: a key file swapped for a link could point anywhere.
    """
    path = Path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise PrivateFileError(f"{path}: no such file") from None
    except OSError as err:
        raise PrivateFileError(f"{path}: cannot read: {err.strerror}") from None
    if stat.S_ISLNK(info.st_mode):
        raise PrivateFileError(f"{path}: is a symlink; a key file must be a regular file")
    if not stat.S_ISREG(info.st_mode):
        raise PrivateFileError(f"{path}: not a regular file")
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PrivateFileError(f"{path}: open to others (mode {stat.S_IMODE(info.st_mode):04o}); "
                               "it must be 0600 (chmod 600)")
    return info


def read_private_file(path: str | os.PathLike[str], limit: int) -> bytes:
    """Read at most ``limit`` bytes of a key file after :func:`check_private_file`.

    The file is opened with ``O_NOFOLLOW`` and checked again on the open descriptor, so a
    swap between the check and the read is caught too.
    """
    path = Path(path)
    check_private_file(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as err:
        raise PrivateFileError(f"{path}: cannot read: {err.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise PrivateFileError(f"{path}: changed while being read; check its mode (0600)")
        chunks = []
        left = limit
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
