"""The ``kiosk`` system user and its groups, made with the system's own tools.

``groupadd``, ``useradd`` and ``usermod`` (Debian's ``passwd`` package) do the writing, with
their locking and ``/etc/shadow``/``gshadow`` entries. Under ``--root DIR`` they get
``--prefix DIR``, which edits ``DIR/etc/passwd`` etc. without a chroot (``--root`` would
chroot and needs a whole system there). What exists is read back from the root's
``etc/passwd`` and ``etc/group`` files, never from this machine's NSS.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SBIN_PATH = "/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin"
NOLOGIN = "/usr/sbin/nologin"


class AccountError(Exception):
    """A tool failed; the message is one line."""


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int
    home: str
    shell: str


def _entries(root: Path, name: str) -> list[list[str]]:
    try:
        text = (root / "etc" / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [line.split(":") for line in text.splitlines() if line and not line.startswith("#")]


def find_user(root: Path, name: str) -> Account | None:
    for fields in _entries(root, "passwd"):
        if len(fields) >= 7 and fields[0] == name:
            return Account(name, int(fields[2]), int(fields[3]), fields[5], fields[6])
    return None


def group_ids(root: Path) -> dict[str, int]:
    return {f[0]: int(f[2]) for f in _entries(root, "group") if len(f) >= 3}


def group_members(root: Path) -> dict[str, set[str]]:
    return {f[0]: {m for m in f[3].split(",") if m} for f in _entries(root, "group") if len(f) >= 4}


def _tool(name: str) -> str:
    found = shutil.which(name, path=SBIN_PATH)
    if found is None:
        raise AccountError(f"{name} not found (Debian's passwd package)")
    return found


def _run(root: Path, name: str, *args: str) -> None:
    prefix = [] if root == Path("/") else ["--prefix", str(root)]
    done = subprocess.run([_tool(name), *prefix, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PATH": SBIN_PATH, "LC_ALL": "C"})
    if done.returncode != 0:
        said = " ".join(done.stderr.split()) or f"exit {done.returncode}"
        raise AccountError(f"{name} {' '.join(args)}: {said}")


def ensure_group(root: Path, name: str) -> bool:
    """Make a system group when missing; True when made."""
    if name in group_ids(root):
        return False
    _run(root, "groupadd", "--system", name)
    return True


def ensure_user(root: Path, name: str, home: str, groups: list[str]) -> list[str]:
    """Make the system user (its own group, no login shell, ``home`` not created here), or
    add the groups it lacks; returns what was done, one line each."""
    done = []
    if ensure_group(root, name):
        done.append(f"group {name} created")
    for group in groups:
        if ensure_group(root, group):
            done.append(f"group {group} created")
    account = find_user(root, name)
    if account is None:
        _run(root, "useradd", "--system", "--gid", name, "--groups", ",".join(groups), "--home-dir", home,
             "--no-create-home", "--shell", NOLOGIN, "--comment", "Government service kiosk", name)
        return done + [f"user {name} created (groups {', '.join(groups)})"]
    members = group_members(root)
    missing = [g for g in groups if name not in members.get(g, set())]
    if missing:
        _run(root, "usermod", "--append", "--groups", ",".join(missing), name)
        done.append(f"user {name} added to {', '.join(missing)}")
    return done
