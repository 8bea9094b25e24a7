"""Pure parsing of the real-time status replies to ``DLE EOT n`` (bytes in, values out).

Bit meanings after Epson's ESC/POS reference; every reply byte has bits 1 and 4 set and
bits 0 and 7 clear, so a byte that breaks them is not a status reply (line noise, a wrong
baud rate, another device) and is a :class:`StatusError`, never a guess.

- n=1 printer status: bit 2 drawer pin 3, bit 3 offline, bit 5 waiting for online
  recovery, bit 6 paper feed button pressed.
- n=2 offline cause: bit 2 cover open, bit 3 paper being fed by the button, bit 5 printing
  stopped by paper end, bit 6 an error occurred.
- n=3 error cause: bit 2 autocutter error, bit 3 unrecoverable error, bit 5 automatically
  recoverable error (e.g. head too hot).
- n=4 paper sensor: bits 2,3 roll near its end, bits 5,6 roll end (paper out). Clones set
  one bit of a pair or both; either counts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Mapping

from drivers.health import DeviceState
from drivers.printer.errors import StatusError

DLE_EOT = b"\x10\x04"
QUERIES = (1, 2, 3, 4)
FIXED_MASK = 0b1001_0011  # bits 7, 4, 1, 0
FIXED_VALUE = 0b0001_0010  # bits 4 and 1 set, 7 and 0 clear


class Paper(str, enum.Enum):
    OK = "ok"
    LOW = "low"
    OUT = "out"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value


# Cause codes: stable names the service menu and the beacon show.
OFFLINE_CAUSES = ((2, "cover_open"), (3, "paper_feed_button"), (5, "paper_end_stop"), (6, "error"))
ERROR_CAUSES = ((2, "autocutter"), (3, "unrecoverable"), (5, "auto_recoverable"))


def query(n: int) -> bytes:
    """The bytes of ``DLE EOT n``."""
    if n not in QUERIES:
        raise ValueError(f"DLE EOT {n} is not a status query this driver uses")
    return DLE_EOT + bytes([n])


def check_byte(reply: bytes, n: int) -> int:
    """The one status byte of ``reply`` to query ``n``; StatusError when it is not one."""
    if len(reply) != 1:
        raise StatusError(f"DLE EOT {n}: expected 1 byte, got {len(reply)}")
    value = reply[0]
    if value & FIXED_MASK != FIXED_VALUE:
        raise StatusError(f"DLE EOT {n}: 0x{value:02x} breaks the fixed bits")
    return value


def _bit(value: int, bit: int) -> bool:
    return bool(value >> bit & 1)


@dataclass(frozen=True)
class PrinterFlags:
    """n=1: the printer status byte."""

    offline: bool
    waiting_recovery: bool
    feed_button: bool
    drawer_pin3_high: bool


def parse_printer_status(reply: bytes) -> PrinterFlags:
    v = check_byte(reply, 1)
    return PrinterFlags(offline=_bit(v, 3), waiting_recovery=_bit(v, 5),
                        feed_button=_bit(v, 6), drawer_pin3_high=_bit(v, 2))


def parse_offline_cause(reply: bytes) -> tuple[str, ...]:
    v = check_byte(reply, 2)
    return tuple(name for bit, name in OFFLINE_CAUSES if _bit(v, bit))


def parse_error_cause(reply: bytes) -> tuple[str, ...]:
    v = check_byte(reply, 3)
    return tuple(name for bit, name in ERROR_CAUSES if _bit(v, bit))


def parse_paper_sensor(reply: bytes) -> Paper:
    v = check_byte(reply, 4)
    if v & 0b0110_0000:
        return Paper.OUT
    if v & 0b0000_1100:
        return Paper.LOW
    return Paper.OK


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said, or did not say (``answered`` False: it was silent)."""

    answered: bool
    online: bool
    paper: Paper
    cover_open: bool | None  # None: unknown (no answer to DLE EOT 2)
    offline_causes: tuple[str, ...] = ()
    error_causes: tuple[str, ...] = ()
    unanswered: tuple[int, ...] = ()  # queries not answered (all four when silent)

    @property
    def complete(self) -> bool:
        """Every query answered: only then can the printer be known ready."""
        return self.answered and not self.unanswered

    def detail(self) -> dict[str, object]:
        """The health detail keys; the printer's always carry ``paper`` and ``cover_open``."""
        return {
            "paper": self.paper.value,
            "cover_open": self.cover_open,
            "offline_causes": list(self.offline_causes),
            "error_causes": list(self.error_causes),
        }


SILENT = PrinterStatus(answered=False, online=False, paper=Paper.UNKNOWN, cover_open=None,
                       unanswered=QUERIES)


def combine(replies: Mapping[int, bytes | None]) -> PrinterStatus:
    """One status from the replies to DLE EOT 1–4 (``None`` or missing: no answer).

    Without an answer to n=1 the printer is silent: offline, paper unknown. A missing
    answer to a later query leaves its part unknown rather than fine, and is listed in
    ``unanswered``: :func:`classify` then calls the printer offline, not ready.
    """
    first = replies.get(1)
    if not first:
        return SILENT
    flags = parse_printer_status(first)
    offline_causes = parse_offline_cause(replies[2]) if replies.get(2) else ()
    error_causes = parse_error_cause(replies[3]) if replies.get(3) else ()
    if replies.get(4):
        paper = parse_paper_sensor(replies[4])  # type: ignore[arg-type]
    elif "paper_end_stop" in offline_causes:
        paper = Paper.OUT
    else:
        paper = Paper.UNKNOWN
    cover_open = "cover_open" in offline_causes if replies.get(2) else None
    unanswered = tuple(n for n in QUERIES[1:] if not replies.get(n))
    return PrinterStatus(answered=True, online=not flags.offline, paper=paper,
                         cover_open=cover_open, offline_causes=offline_causes,
                         error_causes=error_causes, unanswered=unanswered)


def classify(status: PrinterStatus) -> tuple[DeviceState, str]:
    """The health state and a log reason (English, for staff) for a status.

    A printer that does not answer every query is ``offline``: what it did not say (cover,
    faults, paper) cannot be taken as fine. Then a fault someone must mend comes first,
    then what any staff member can fix (paper, cover); paper near its end still prints
    and stays ``online``.
    """
    if not status.answered:
        return DeviceState.OFFLINE, "printer does not answer status queries"
    if status.unanswered:
        queries = ", ".join(str(n) for n in status.unanswered)
        return DeviceState.OFFLINE, f"printer did not answer DLE EOT {queries}: status incomplete, not ready"
    if "unrecoverable" in status.error_causes:
        return DeviceState.HARDWARE_ERROR, "unrecoverable printer error"
    if "autocutter" in status.error_causes:
        return DeviceState.HARDWARE_ERROR, "autocutter error"
    if status.cover_open:
        return DeviceState.USER_ERROR, "cover open"
    if status.paper is Paper.OUT:
        return DeviceState.USER_ERROR, "paper out"
    if "auto_recoverable" in status.error_causes:
        return DeviceState.HARDWARE_ERROR, "auto-recoverable error (head temperature); should clear"
    if not status.online and "paper_feed_button" in status.offline_causes:
        return DeviceState.BUSY, "paper being fed by the button"
    if not status.online:
        causes = ", ".join(status.offline_causes) or "no cause given"
        return DeviceState.HARDWARE_ERROR, f"printer offline ({causes})"
    return DeviceState.ONLINE, ""
