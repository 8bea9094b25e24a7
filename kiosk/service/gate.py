"""The door of the service menu: a PIN, the lockout, and the audit of every try.

:meth:`Gate.open` takes a PIN and answers with the staff member it belongs to, or raises:
:class:`MenuLocked` (too many wrong PINs; nothing was tried), :class:`WrongPin` (with the
tries left before the lock), :class:`NoStaff` (no staff file or nobody in it: the menu
cannot be opened on this machine until ``kiosk-diag service add-staff`` has run). Each
outcome is one line in the audit log; the PIN never is. ``open`` takes ~50 ms per listed
member (scrypt): call it from a worker thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.service.audit import FOLDER, AuditLog, audit_path
from kiosk.service.lockout import Lockout
from kiosk.service.pins import PIN_PATTERN, Staff, StaffFile

LOCKOUT_FILE = "lockout.json"


class GateError(Exception):
    """Why the menu did not open (no PIN or name in the message)."""


class MenuLocked(GateError):
    def __init__(self, seconds_left: int) -> None:
        self.seconds_left = seconds_left
        super().__init__(f"locked for {seconds_left} s")


class WrongPin(GateError):
    def __init__(self, tries_left: int) -> None:
        self.tries_left = tries_left
        super().__init__(f"wrong PIN, {tries_left} tries left")


class NoStaff(GateError):
    """No staff is listed: ``kiosk-diag service add-staff`` first."""


class Gate:
    def __init__(self, staff: StaffFile, lockout: Lockout, audit: AuditLog) -> None:
        self.staff, self.lockout, self.audit = staff, lockout, audit

    @classmethod
    def from_config(cls, config: Any, clock: Callable[[], float] = time.time,
                    wall: Callable[[], datetime] | None = None) -> "Gate":
        s = config.service
        folder = Path(config.data_dir) / FOLDER
        return cls(StaffFile(config.path(s.staff_file)),
                   Lockout(folder / LOCKOUT_FILE, max_tries=s.max_tries, lock_s=s.lock_s,
                           lock_cap_s=s.lock_cap_s, clock=clock),
                   AuditLog(audit_path(config.data_dir), wall))

    def open(self, pin: str) -> Staff:
        left = self.lockout.seconds_left()
        if left:
            self.audit.write("", "pin_refused_locked", ok=False, seconds_left=left)
            raise MenuLocked(left)
        if not self.staff.load():
            self.audit.write("", "pin_no_staff", ok=False)
            raise NoStaff("no staff listed in the staff file")
        member = self.staff.who(pin) if PIN_PATTERN.fullmatch(pin or "") else None
        if member is None:
            locked = self.lockout.failed()
            if locked:
                self.audit.write("", "menu_locked", ok=False, seconds=locked)
                raise MenuLocked(locked)
            self.audit.write("", "pin_wrong", ok=False, tries_left=self.lockout.tries_left())
            raise WrongPin(self.lockout.tries_left())
        self.lockout.succeeded()
        self.audit.write(member.name, "menu_opened")
        return member
