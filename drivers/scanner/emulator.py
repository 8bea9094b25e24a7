"""A serial QR scanner on a pty, for tests and ``kiosk --simulate``.

A real serial scanner sends each code it reads followed by its configured suffix (CR,
LF or CRLF) and ignores what it is sent unless it is a configuration command (recorded
here, never answered). Faults: line noise, a code written in pieces (as a USB-serial
bridge does), a silent scanner, and unplug/plug from :class:`SerialEmulator`.
"""

from __future__ import annotations

import time

from drivers.emulator import SerialEmulator


class SerialScannerEmulator(SerialEmulator):
    name = "scanner"

    def __init__(self, link: str | None = None) -> None:
        super().__init__(link)
        self.received = bytearray()  # whatever the host wrote to the scanner

    def on_bytes(self, data: bytes) -> None:
        self.received += data

    def scan(self, payload: bytes, suffix: bytes = b"\r\n") -> None:
        """The scanner reads a code with ``payload`` bytes and sends it."""
        self.reply(bytes(payload) + suffix)

    def scan_in_pieces(self, payload: bytes, suffix: bytes = b"\r\n", *, cuts: tuple[int, ...] = (),
                       gap: float = 0.08) -> None:
        """Send a scan cut at the byte offsets ``cuts``, with ``gap`` seconds between the
        pieces so that the host reads them separately (a CRLF may be cut in two)."""
        if self.silent:
            return
        data = bytes(payload) + suffix
        edges = [0, *sorted(cuts), len(data)]
        for start, end in zip(edges, edges[1:]):
            if start < end:
                self.port.write(data[start:end])
                time.sleep(gap)

    def send_noise(self, data: bytes) -> None:
        """Line noise, sent now (``inject_noise`` sends it before the next scan)."""
        self.port.write(bytes(data))
