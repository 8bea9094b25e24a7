"""Is the clock right? The kernel's NTP state (``adjtimex``) and the skew to the backend.

``timedatectl``'s ``NTPSynchronized`` is computed by systemd from this same ``adjtimex``
call (``STA_UNSYNC`` clear and ``maxerror`` under 16 s), so asking the kernel directly gives
the same answer without D-Bus, also where systemd is not running (a container, a chroot).
A read (``modes = 0``) needs no privilege.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from dataclasses import dataclass

#: ``status`` bit: the clock is not synchronised (set by the kernel until NTP says otherwise).
STA_UNSYNC = 0x0040
#: The kernel's ``NTP_PHASE_LIMIT``: a ``maxerror`` this large (µs) means "no idea".
MAXERROR_LIMIT_US = 16_000_000
TIME_ERROR = 5
#: Skew to the backend above this (seconds) is not ready: receipts print local time, and
#: the backend refuses signatures 300 s off.
MAX_SKEW_S = 30.0


class _Timeval(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_usec", ctypes.c_long)]


class _Timex(ctypes.Structure):
    """``struct timex`` of <sys/timex.h> (glibc, Linux), with its trailing padding."""

    _fields_ = [("modes", ctypes.c_uint), ("offset", ctypes.c_long), ("freq", ctypes.c_long),
                ("maxerror", ctypes.c_long), ("esterror", ctypes.c_long), ("status", ctypes.c_int),
                ("constant", ctypes.c_long), ("precision", ctypes.c_long), ("tolerance", ctypes.c_long),
                ("time", _Timeval), ("tick", ctypes.c_long), ("ppsfreq", ctypes.c_long),
                ("jitter", ctypes.c_long), ("shift", ctypes.c_int), ("stabil", ctypes.c_long),
                ("jitcnt", ctypes.c_long), ("calcnt", ctypes.c_long), ("errcnt", ctypes.c_long),
                ("stbcnt", ctypes.c_long), ("tai", ctypes.c_int), ("_padding", ctypes.c_int * 11)]


@dataclass(frozen=True)
class KernelClock:
    """What ``adjtimex`` says: ``state`` (TIME_OK 0 … TIME_ERROR 5), ``status`` bits, ``maxerror`` µs."""

    state: int
    status: int
    maxerror_us: int

    @property
    def synced(self) -> bool:
        return not self.status & STA_UNSYNC and self.maxerror_us < MAXERROR_LIMIT_US


def kernel_clock() -> KernelClock | None:
    """The kernel's NTP state, or None where it cannot be read (not Linux, no libc)."""
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        adjtimex = libc.adjtimex
    except (OSError, AttributeError):
        return None
    timex = _Timex()  # modes = 0: read only
    state = adjtimex(ctypes.byref(timex))
    if state < 0:
        return None
    return KernelClock(state=state, status=timex.status, maxerror_us=timex.maxerror)


def seconds(value: float) -> str:
    """``+12 s``, ``-3 s``, ``0 s`` (never ``-0 s``)."""
    whole = round(value)
    return f"{whole:+d} s" if whole else "0 s"


def judge(kernel: KernelClock | None, skew_s: float | None) -> tuple[bool, str, str]:
    """(ok, code, detail) for the clock: synchronised by NTP, and near the backend's clock.

    Where the kernel cannot be asked, the backend's clock alone decides (it must be measured)."""
    if skew_s is not None and abs(skew_s) > MAX_SKEW_S:
        return False, "skewed", f"{seconds(skew_s)} off the backend's clock (more than {MAX_SKEW_S:.0f} s)"
    skew = "" if skew_s is None else f", {seconds(skew_s)} off the backend's clock"
    if kernel is None:
        if skew_s is None:
            return False, "unknown", "the kernel's clock state cannot be read and the backend was not asked"
        return True, "near_backend", f"kernel state unknown{skew}"
    if not kernel.synced:
        return False, "unsynced", (f"not synchronised by NTP (kernel: STA_UNSYNC "
                                   f"{'set' if kernel.status & STA_UNSYNC else 'clear'}, "
                                   f"maxerror {kernel.maxerror_us / 1e6:.1f} s){skew}")
    return True, "synced", f"synchronised by NTP (maxerror {kernel.maxerror_us / 1000:.0f} ms){skew}"
