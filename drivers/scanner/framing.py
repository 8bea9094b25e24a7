"""Pure line framing of a serial scanner's output.

A serial (or USB-CDC) scanner sends each code followed by a suffix set in its
configuration: CR, LF or CRLF. :class:`LineFramer` turns any sequence of reads into
whole lines, whatever the suffix, a CRLF split across two reads included. Empty lines
carry no code and are dropped; NUL bytes (what a line gives on plug-in or a break) are
dropped; a line longer than ``max_line`` is discarded up to its terminator and counted,
so a scanner spewing bytes without a suffix cannot grow memory.

Many scanners can prefix an AIM symbology identifier (``]Q1`` for QR); :func:`split_aim`
reads it when the scanner is configured to send one.
"""

from __future__ import annotations

import re

from drivers.scanner.text import MAX_CODE_BYTES

CR, LF, NUL = 0x0D, 0x0A, 0x00

#: AIM ISO/IEC 15424 symbology letters → the format names used across the kiosk.
AIM_FORMATS = {
    "Q": "QRCode",
    "d": "DataMatrix",
    "C": "Code128",
    "A": "Code39",
    "E": "EAN/UPC",
    "L": "PDF417",
    "z": "Aztec",
    "I": "ITF",
}
_AIM = re.compile(rb"\](?P<letter>[A-Za-z])(?P<modifier>[0-9A-Za-z])")


class LineFramer:
    """Feed bytes, get whole lines (without terminator). Not thread-safe: one reader."""

    def __init__(self, max_line: int = MAX_CODE_BYTES + 16) -> None:
        if max_line < 1:
            raise ValueError("max_line must be positive")
        self.max_line = max_line
        self.overlong = 0  # lines discarded for length
        self._buf = bytearray()
        self._after_cr = False
        self._discarding = False

    def reset(self) -> None:
        """Forget a partial line (after a reconnect)."""
        self._buf.clear()
        self._after_cr = False
        self._discarding = False

    @property
    def pending(self) -> int:
        """Bytes held of an unfinished line."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[bytes]:
        lines: list[bytes] = []
        for byte in bytes(data):
            if byte == LF and self._after_cr:  # the LF of a CRLF, maybe in a later read
                self._after_cr = False
                continue
            self._after_cr = byte == CR
            if byte in (CR, LF):
                self._end_line(lines)
            elif byte == NUL:
                continue
            elif self._discarding:
                continue
            elif len(self._buf) >= self.max_line:
                self._buf.clear()
                self._discarding = True
                self.overlong += 1
            else:
                self._buf.append(byte)
        return lines

    def _end_line(self, lines: list[bytes]) -> None:
        if not self._discarding and self._buf:
            lines.append(bytes(self._buf))
        self._buf.clear()
        self._discarding = False


def split_aim(line: bytes) -> tuple[str | None, bytes]:
    """``(format, payload)`` of a line that starts with an AIM identifier; the format is
    None (and the line unchanged) when there is no identifier."""
    match = _AIM.match(line)
    if not match:
        return None, line
    letter = match.group("letter").decode("ascii")
    return AIM_FORMATS.get(letter, f"AIM:{letter}"), line[match.end():]
