"""``kiosk-provision install``: the user, the folders, the units and rules, enabled.

Run as root after ``init`` (which made the keys and the config as root). Steps, each
skipped when already done, so a second run changes nothing and says so:

1. the ``kiosk`` system user (no login shell, home ``/var/lib/kiosk``) in the groups of the
   devices and of the UI unit's ``SupplementaryGroups=`` (:data:`GROUPS`), missing groups made;
2. the shipped files of ``systemd/`` copied where :mod:`provisioning.units` says (units,
   generator, udev rules, tmpfiles.d; ``schedule.env`` only when absent; the KMSDRM drop-in
   only with ``--kmsdrm``), the program prefix and user written into them;
3. the folders of ``kiosk.tmpfiles`` made with their owners and modes by
   ``systemd-tmpfiles --create`` (``/etc/kiosk`` 0750 root:kiosk, ``/var/lib/kiosk`` 0700,
   ``/run/kiosk``); at every boot tmpfiles.d makes them again;
4. ``init``'s files handed to the user: the keys 0600 kiosk, the config 0640 root:kiosk,
   the data folder's contents kiosk's;
5. ``kiosk-ui.service`` and ``kiosk-agent.service`` enabled (``systemctl --root`` offline),
   and on a running system: ``daemon-reload`` and the udev rules reloaded.

With ``--root DIR`` every path is under DIR and nothing running is touched.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.fileio import atomic_write
from provisioning import accounts, systemtools, units

#: The user's groups: serial readers and scanners (dialout), the camera and DRM (video,
#: render), the touch screen and keyboard-wedge scanners (input), USB printers (lp), the
#: voice prompts (audio). Every group a unit or rule names must be here (a test checks).
GROUPS = ("dialout", "video", "render", "input", "lp", "audio")
HOME = "/var/lib/kiosk"
CONFIG_DIR = "/etc/kiosk"
TMPFILES_NAME = "kiosk.conf"


class InstallError(Exception):
    """Install cannot go on; the message is one line for the operator."""


@dataclass
class InstallResult:
    root: str
    user: str
    uid: int = -1
    gid: int = -1
    source: str = ""
    changed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"root": self.root, "user": self.user, "uid": self.uid, "gid": self.gid, "source": self.source,
                "changed": self.changed, "unchanged": not self.changed, "warnings": self.warnings}

    def to_text(self) -> str:
        lines = self.changed or [f"nothing to change: already installed under {self.root}"]
        return "\n".join(lines + [f"warning: {w}" for w in self.warnings])


def under(root: Path, path: str) -> Path:
    return root / path.lstrip("/")


def install(*, root: str = "/", user: str = "kiosk", prefix: str = units.DEFAULT_PREFIX, enable: bool = True,
            kmsdrm: bool = False) -> InstallResult:
    base = Path(root).absolute()
    if os.geteuid() != 0:
        raise InstallError("install must run as root (it makes a user and hands files to it)")
    if not base.is_dir():
        raise InstallError(f"--root {root}: no such folder")
    lacking = [name for name in ("passwd", "group", "shadow", "gshadow") if not under(base, f"/etc/{name}").is_file()]
    if lacking:
        raise InstallError(f"{under(base, '/etc')} has no {', '.join(lacking)}: the user cannot be made there")
    try:
        source = units.source_dir()
    except units.UnitsNotFound as err:
        raise InstallError(str(err)) from None
    result = InstallResult(root=str(base), user=user, source=str(source))
    try:
        result.changed += accounts.ensure_user(base, user, HOME, list(GROUPS))
    except accounts.AccountError as err:
        raise InstallError(str(err)) from None
    account = accounts.find_user(base, user)
    if account is None:
        raise InstallError(f"user {user} not in {under(base, '/etc/passwd')} after useradd")
    result.uid, result.gid = account.uid, account.gid
    if account.shell not in (accounts.NOLOGIN, "/bin/false", "/usr/bin/false"):
        result.warnings.append(f"user {user} has the login shell {account.shell}")

    folders = _tmpfiles_folders(source, user)
    before = _snapshot(base, [path for path, *_ in folders])
    copied = _copy_files(base, source, prefix, user, kmsdrm, result)
    try:
        result.changed += _folders(base, folders, before)
        result.changed += _hand_over(base, account)
        if enable:
            result.changed += [f"enabled {u}" for u in systemtools.enable(base, units.ENABLED)]
        if any(f.is_unit or f.dest.startswith("/etc/systemd/") for f in copied) and systemtools.daemon_reload(base):
            result.changed.append("systemd reloaded")
        if any(f.dest.startswith("/etc/udev/") for f in copied) and systemtools.udev_reload(base):
            result.changed.append("udev rules reloaded")
    except systemtools.ToolError as err:
        raise InstallError(str(err)) from None
    program = under(base, f"{prefix.rstrip('/')}/venv/bin/kiosk")
    if not program.exists():
        result.warnings.append(f"{prefix.rstrip('/')}/venv/bin/kiosk is missing: the units start the kiosk from there")
    return result


def _copy_files(base: Path, source: Path, prefix: str, user: str, kmsdrm: bool,
                result: InstallResult) -> list[units.ShippedFile]:
    copied = []
    for shipped in units.FILES:
        dest = under(base, shipped.destination(prefix))
        data = units.text_for(shipped, source, prefix, user)
        if shipped.only_with == "kmsdrm" and not kmsdrm:
            if dest.is_file() and dest.read_bytes() == data:  # ours: back to the compositor
                dest.unlink()
                result.changed.append(f"removed {shipped.destination(prefix)}")
                copied.append(shipped)
            continue
        if dest.exists() and shipped.keep_existing:
            continue
        if _same_file(dest, data, shipped.mode):
            continue
        existed = dest.exists()
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
        atomic_write(dest, data, shipped.mode)
        os.chown(dest, 0, 0)
        result.changed.append(f"{'updated' if existed else 'installed'} {shipped.destination(prefix)}")
        copied.append(shipped)
    return copied


def _same_file(dest: Path, data: bytes, mode: int) -> bool:
    try:
        info = os.lstat(dest)
        return (stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == mode
                and (info.st_uid, info.st_gid) == (0, 0) and dest.read_bytes() == data)
    except FileNotFoundError:
        return False


def _snapshot(base: Path, paths: list[str]) -> dict[str, tuple[int, int, int] | None]:
    found: dict[str, tuple[int, int, int] | None] = {}
    for path in paths:
        try:
            info = os.lstat(under(base, path))
            found[path] = (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid)
        except FileNotFoundError:
            found[path] = None
    return found


def _tmpfiles_folders(source: Path, user: str) -> list[tuple[str, int, str, str]]:
    shipped = next(f for f in units.FILES if f.source.endswith(".tmpfiles"))
    return units.tmpfiles_folders(units.text_for(shipped, source, units.DEFAULT_PREFIX, user).decode("utf-8"))


def _folders(base: Path, folders: list[tuple[str, int, str, str]],
             before: dict[str, tuple[int, int, int] | None]) -> list[str]:
    """The folders of kiosk.tmpfiles, made by systemd-tmpfiles (or here without it);
    ``before``: their state before this run touched anything."""
    paths = [path for path, *_ in folders]
    if not systemtools.tmpfiles_create(base, TMPFILES_NAME):
        groups = accounts.group_ids(base)
        for path, mode, owner, group in folders:
            uid = 0 if owner == "root" else accounts.find_user(base, owner).uid  # type: ignore[union-attr]
            target = under(base, path)
            target.mkdir(parents=True, exist_ok=True)
            os.chown(target, uid, groups[group])
            os.chmod(target, mode)
    after = _snapshot(base, paths)
    changes = []
    for path, mode, owner, group in folders:
        if before[path] != after[path]:
            changes.append(f"{'made' if before[path] is None else 'set'} {path} {mode:04o} {owner}:{group}")
    return changes


def _hand_over(base: Path, account: accounts.Account) -> list[str]:
    """``init`` ran as root: its keys, config and store become the kiosk user's."""
    changes = []
    config_dir = under(base, CONFIG_DIR)
    for name, uid, mode in (("device.key", account.uid, 0o600), ("data.key", account.uid, 0o600),
                            ("kiosk.toml", 0, 0o640)):
        path = config_dir / name
        if path.is_file() and not path.is_symlink() and _set(path, uid, account.gid, mode):
            changes.append(f"set {CONFIG_DIR}/{name} {mode:04o}")
    moved = 0
    data_dir = under(base, HOME)
    if data_dir.is_dir():
        for folder, dirs, files in os.walk(data_dir):
            for name in dirs + files:
                path = Path(folder) / name
                info = os.lstat(path)
                if (info.st_uid, info.st_gid) != (account.uid, account.gid):
                    os.chown(path, account.uid, account.gid, follow_symlinks=False)
                    moved += 1
    if moved:
        changes.append(f"handed {moved} files of {HOME} to {account.name}")
    return changes


def _set(path: Path, uid: int, gid: int, mode: int) -> bool:
    info = os.lstat(path)
    if (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (mode, uid, gid):
        return False
    os.chown(path, uid, gid)
    os.chmod(path, mode)
    return True
