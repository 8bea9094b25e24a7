"""Staff PINs for the service menu: only a slow hash is ever stored.

The staff file (``[service] staff_file``, by default ``/etc/kiosk/staff.json``) lists each
member of the maintenance staff by name with an scrypt hash of their PIN::

    {"version": 1, "staff": [{"name": "王建国", "added_at": "2026-11-22T10:00:00+08:00",
      "scrypt": {"n": 16384, "r": 8, "p": 1, "salt": "<base64>", "hash": "<base64>"}}]}

A PIN is 6 to 8 digits. The menu asks only for the PIN: :meth:`StaffFile.who` tries it
against every entry (each with its own salt and parameters) and compares in constant time,
so no two members may share a PIN (:meth:`StaffFile.add` refuses one already in use).
A PIN is never logged, never kept, never part of an error message.

Written by ``kiosk-diag service add-staff`` (as root, for the ``kiosk`` group to read:
mode 0640, group ``kiosk`` when that group exists), read by the UI.
"""

from __future__ import annotations

import base64
import grp
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kiosk.fileio import atomic_write

PIN_PATTERN = re.compile(r"[0-9]{6,8}")
#: scrypt's cost: 16 MiB and ~50 ms a try on a kiosk's CPU (OWASP's minimum is n=2**17 for
#: passwords; a 6-digit PIN behind a lockout is guarded by the lockout, not the hash alone).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32
#: The most memory a stored entry may ask scrypt for (a tampered file must not exhaust RAM).
MAX_MEMORY = 64 * 2 ** 20
MAX_STAFF = 50
NAME_MAX = 20
FILE_MODE = 0o640
STAFF_GROUP = "kiosk"


class StaffFileError(Exception):
    """The staff file cannot be read or written; the message names the file, never a PIN."""


class PinRejected(ValueError):
    """A PIN that may not be used (not 6–8 digits, or already someone else's)."""


def check_pin_format(pin: str) -> None:
    if not isinstance(pin, str) or not PIN_PATTERN.fullmatch(pin):
        raise PinRejected("a PIN is 6 to 8 digits")


def check_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not name or len(name) > NAME_MAX or any(not c.isprintable() for c in name):
        raise ValueError(f"a staff name is 1 to {NAME_MAX} printable characters")
    return name


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str, *, salt: bytes | None = None, n: int = SCRYPT_N, r: int = SCRYPT_R,
             p: int = SCRYPT_P) -> dict[str, Any]:
    """The stored form of ``pin``: scrypt parameters, salt and hash."""
    check_pin_format(pin)
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    digest = _scrypt(pin, salt, n, r, p, HASH_BYTES)
    return {"n": n, "r": r, "p": p, "salt": _b64(salt), "hash": _b64(digest)}


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(pin.encode("ascii"), salt=salt, n=n, r=r, p=p, dklen=length,
                          maxmem=256 * r * n + 1024 * 1024)


def verify_pin(pin: str, stored: dict[str, Any]) -> bool:
    """True when ``pin`` hashes to ``stored`` (compared in constant time)."""
    if not isinstance(pin, str) or not PIN_PATTERN.fullmatch(pin):
        return False
    try:
        n, r, p = int(stored["n"]), int(stored["r"]), int(stored["p"])
        salt, want = base64.b64decode(stored["salt"]), base64.b64decode(stored["hash"])
    except (KeyError, TypeError, ValueError):
        return False
    if not (2 <= n and n & (n - 1) == 0 and 1 <= r and 1 <= p <= 16 and 128 * r * n <= MAX_MEMORY
            and 16 <= len(want) <= 64):
        return False  # a tampered file must not make the kiosk spend gigabytes
    return hmac.compare_digest(_scrypt(pin, salt, n, r, p, len(want)), want)


@dataclass(frozen=True)
class Staff:
    name: str
    added_at: str
    scrypt: dict[str, Any]

    def __repr__(self) -> str:  # never the hash in a log line
        return f"Staff({self.name!r})"


class StaffFile:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def load(self) -> list[Staff]:
        """The staff listed; an absent file lists nobody (the menu cannot be opened)."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError, ValueError) as err:
            raise StaffFileError(f"{self.path}: cannot read: {type(err).__name__}") from None
        if not isinstance(raw, dict) or raw.get("version") != 1 or not isinstance(raw.get("staff"), list):
            raise StaffFileError(f"{self.path}: not a staff file (version 1)")
        staff = []
        for entry in raw["staff"]:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str) and isinstance(entry.get("scrypt"), dict):
                staff.append(Staff(entry["name"], str(entry.get("added_at", "")), entry["scrypt"]))
        return staff

    def who(self, pin: str) -> Staff | None:
        """The member whose PIN this is, or None. Every entry is tried (no early exit), so
        the time taken does not tell how far down the list a match was."""
        found = None
        for member in self.load():
            if verify_pin(pin, member.scrypt) and found is None:
                found = member
        return found

    def add(self, name: str, pin: str, now: datetime | None = None) -> Staff:
        """Add ``name`` with ``pin`` (replacing that name's PIN if listed already)."""
        name = check_name(name)
        check_pin_format(pin)
        staff = self.load()
        if any(m.name != name and verify_pin(pin, m.scrypt) for m in staff):
            raise PinRejected("that PIN is already in use; choose another")
        if len(staff) >= MAX_STAFF and all(m.name != name for m in staff):
            raise StaffFileError(f"{self.path}: at most {MAX_STAFF} staff")
        when = (now or datetime.now(timezone.utc)).astimezone().isoformat(timespec="seconds")
        member = Staff(name, when, hash_pin(pin))
        self._write([m for m in staff if m.name != name] + [member])
        return member

    def remove(self, name: str) -> bool:
        staff = self.load()
        kept = [m for m in staff if m.name != name]
        if len(kept) == len(staff):
            return False
        self._write(kept)
        return True

    def _write(self, staff: list[Staff]) -> None:
        body = {"version": 1, "staff": [{"name": m.name, "added_at": m.added_at, "scrypt": m.scrypt}
                                        for m in staff]}
        data = (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, data, mode=FILE_MODE)
            _give_to_group(self.path)
        except OSError as err:
            raise StaffFileError(f"{self.path}: cannot write: {err.strerror or type(err).__name__}") from None


def _give_to_group(path: Path) -> None:
    """As root: the ``kiosk`` group may read the file (the UI runs as ``kiosk``)."""
    if os.geteuid() != 0:
        return
    try:
        gid = grp.getgrnam(STAFF_GROUP).gr_gid
    except KeyError:
        return
    os.chown(path, 0, gid)
