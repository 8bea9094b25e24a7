"""A serial (RS-232 or USB-CDC) QR scanner: codes arrive as lines ended by CR, LF or CRLF.

The scanner speaks first and never needs an answer, so the driver is a reader: the
supervisor thread reads what is there, :class:`~drivers.scanner.framing.LineFramer`
cuts it into lines, :mod:`~drivers.scanner.text` reads each as text, the debouncer
drops repeats, and ``on_code`` gets a :class:`~drivers.scanner.model.ScannedCode`.
Pulling the scanner away is reported once, as ``no_device`` (the port's node is gone,
which :mod:`drivers.serialport` tells from a failed read); the supervisor reopens it
by itself when it comes back.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any, Callable

from drivers.health import Health
from drivers.scanner.framing import LineFramer, split_aim
from drivers.scanner.model import CodeSink, OnCode, UNKNOWN_FORMAT, utc_now
from drivers.scanner.text import MAX_CODE_BYTES, CodeTooLong
from drivers.serialport import open_serial, read_exactly
from drivers.supervisor import DeviceSupervisor

log = logging.getLogger(__name__)


class SerialScanner(DeviceSupervisor):
    """Reads codes from a serial scanner at ``port`` and hands each scan to ``on_code``.

    ``aim_ids``: the scanner is configured to prefix an AIM identifier (``]Q1``); it is
    stripped and names the format. ``read_timeout`` bounds how long one poll waits.
    """

    source = "serial"

    def __init__(
        self,
        port: str,
        on_code: OnCode,
        *,
        baudrate: int = 9600,
        name: str = "scanner",
        debounce: float = 2.0,
        aim_ids: bool = False,
        max_bytes: int = MAX_CODE_BYTES,
        read_timeout: float = 0.05,
        reconnect_interval: float = 0.5,
        health: Health | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(name, reconnect_interval=reconnect_interval, poll_interval=0,
                         health=health)
        self.port = port
        self.baudrate = baudrate
        self.aim_ids = aim_ids
        self.read_timeout = read_timeout
        self.sink = CodeSink(self.source, on_code, self.health, debounce=debounce, clock=clock,
                             wall_clock=wall_clock, max_bytes=max_bytes)
        # room for an AIM prefix on top of the longest code
        self.framer = LineFramer(max_line=max_bytes + 3)
        self._conn: Any = None
        self.health.update(source=self.source, port=port)

    # -- DeviceSupervisor hooks -------------------------------------------------------
    def open(self) -> None:
        self._conn = open_serial(self.port, self.baudrate, self.read_timeout)
        self.framer.reset()

    def poll(self) -> None:
        conn = self._conn
        if conn is None:  # closed under us by stop()
            self.wait(self.read_timeout)
            return
        data = read_exactly(conn, 4096)
        if data:
            self.feed(data)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    # -- the pure part, callable without a port -----------------------------------------
    def feed(self, data: bytes) -> None:
        """Handle bytes as if read from the port."""
        overlong = self.framer.overlong
        for line in self.framer.feed(data):
            fmt, payload = split_aim(line) if self.aim_ids else (None, line)
            self.sink.offer(payload, fmt or UNKNOWN_FORMAT)
        for _ in range(self.framer.overlong - overlong):
            self.sink.reject(CodeTooLong(f"line longer than {self.framer.max_line} bytes"))
