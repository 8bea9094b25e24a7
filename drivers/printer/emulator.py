"""A thermal receipt printer on a pty: it keeps what it is sent and answers status truly.

:class:`PrinterEmulator` cuts the incoming stream into ESC/POS commands as a printer's
parser does, answers ``DLE EOT 1–4`` at once from its settable conditions (paper ok /
low / out, cover open, cutter error, unrecoverable or auto-recoverable error, silent, or
answering only some queries: ``answers``),
records status queries apart from print data, and reads the print data back as text and
QR payloads (:meth:`printout`) for tests and the simulator. Bytes it cannot parse are
kept in ``print_data`` and noted in ``parse_errors``, as a printer would print junk.
"""

from __future__ import annotations

import time

from drivers.emulator import SerialEmulator
from drivers.errors import CodecError
from drivers.printer.readback import Printout, next_token, read_back
from drivers.printer.status import FIXED_VALUE


class PrinterEmulator(SerialEmulator):
    name = "printer"

    def __init__(self, link: str | None = None) -> None:
        super().__init__(link)
        self.paper = "ok"  # "ok", "low" or "out"
        self.cover_open = False
        self.cutter_error = False
        self.unrecoverable_error = False
        self.auto_recoverable_error = False
        self.feed_button = False
        #: The DLE EOT queries it answers; others get no reply (a clone that knows only n=1).
        self.answers: frozenset[int] = frozenset({1, 2, 3, 4})
        #: Paper runs out once this many print bytes have arrived (a roll ending mid-job).
        self.paper_runs_out_after: int | None = None
        self.print_data = bytearray()
        self.status_queries: list[int] = []
        self.parse_errors: list[str] = []
        self._pending = b""

    # -- what a real printer would say -------------------------------------------------
    @property
    def offline(self) -> bool:
        return (self.cover_open or self.paper == "out" or self.feed_button or self.cutter_error
                or self.unrecoverable_error or self.auto_recoverable_error)

    def status_byte(self, n: int) -> int:
        """The reply byte to ``DLE EOT n`` in the present conditions (Epson's bit layout)."""
        value = FIXED_VALUE
        error = self.cutter_error or self.unrecoverable_error or self.auto_recoverable_error
        if n == 1:
            value |= 0x08 if self.offline else 0
            value |= 0x20 if error else 0
            value |= 0x40 if self.feed_button else 0
        elif n == 2:
            value |= 0x04 if self.cover_open else 0
            value |= 0x08 if self.feed_button else 0
            value |= 0x20 if self.paper == "out" else 0
            value |= 0x40 if error else 0
        elif n == 3:
            value |= 0x04 if self.cutter_error else 0
            value |= 0x08 if self.unrecoverable_error else 0
            value |= 0x20 if self.auto_recoverable_error else 0
        elif n == 4:
            value |= {"ok": 0x00, "low": 0x0C, "out": 0x6C}[self.paper]
        return value

    def set_conditions(self, *, paper: str | None = None, cover_open: bool | None = None,
                       cutter_error: bool | None = None, unrecoverable_error: bool | None = None,
                       auto_recoverable_error: bool | None = None, feed_button: bool | None = None,
                       silent: bool | None = None, answers: tuple[int, ...] | None = None) -> None:
        with self._lock:
            if answers is not None:
                if not set(answers) <= {1, 2, 3, 4}:
                    raise ValueError(f"answers must be among DLE EOT 1-4, not {answers!r}")
                self.answers = frozenset(answers)
            if paper is not None:
                if paper not in ("ok", "low", "out"):
                    raise ValueError(f"paper must be ok, low or out, not {paper!r}")
                self.paper = paper
            for name, value in (("cover_open", cover_open), ("cutter_error", cutter_error),
                                ("unrecoverable_error", unrecoverable_error),
                                ("auto_recoverable_error", auto_recoverable_error),
                                ("feed_button", feed_button), ("silent", silent)):
                if value is not None:
                    setattr(self, name, value)

    # -- serving -------------------------------------------------------------------------
    def on_bytes(self, data: bytes) -> None:
        buf, pos = self._pending + data, 0
        while pos < len(buf):
            try:
                step = next_token(buf, pos)
            except CodecError as err:
                self.parse_errors.append(str(err))
                self.print_data += buf[pos:pos + 1]
                pos += 1
                continue
            if step is None:
                break
            token, pos = step
            if token.kind == "status":
                n = token.arg[0]
                self.status_queries.append(n)
                if n in self.answers:
                    self.reply(bytes([self.status_byte(n)]))
            else:
                self.print_data += token.raw
        self._pending = buf[pos:]
        limit = self.paper_runs_out_after
        if limit is not None and len(self.print_data) >= limit:
            self.paper = "out"

    # -- reading back ----------------------------------------------------------------------
    def printout(self) -> Printout:
        """What has been printed so far: lines, QR payloads, cuts."""
        with self._lock:
            data = bytes(self.print_data)
        return read_back(data)

    def wait_for_cuts(self, count: int = 1, timeout: float = 3.0) -> Printout:
        """Wait until ``count`` cuts have arrived (a whole receipt), then read back."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                data = bytes(self.print_data)
            if data.count(b"\x1dV") >= count or time.monotonic() >= deadline:
                return read_back(data)
            time.sleep(0.02)

    def unplug(self) -> None:
        with self._lock:
            self._pending = b""
        super().unplug()

    def clear(self) -> None:
        with self._lock:
            self.print_data.clear()
            self.status_queries.clear()
            self.parse_errors.clear()
