"""How bytes reach the printer: one small base class, a serial port, and a dummy.

After python-escpos and pyserial: the driver talks to :class:`PrinterTransport` only.
Status queries get a short timeout each (0.3 s) and a printer that does not answer
``DLE EOT 1`` is not asked the rest, so a silent printer is known within a third of a
second, and it is never taken for a fine one (python-escpos 3.1 says "paper ok" then).
"""

from __future__ import annotations

from typing import Mapping

import serial

from drivers.errors import DeviceUnavailable
from drivers.serialport import PORT_ERRORS, discard_input, open_serial, read_exactly, write_all
from drivers.printer import status as st
from drivers.printer.errors import StatusError

QUERY_TIMEOUT = 0.3


class PrinterTransport:
    """Bytes out, status bytes in. Subclasses write ``open``, ``close``, ``write``, ``ask``."""

    def open(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def ask(self, n: int, timeout: float) -> bytes:
        """Send ``DLE EOT n`` and return the one-byte reply, or b"" when none came."""
        raise NotImplementedError

    # -- shared ----------------------------------------------------------------------
    def query(self, n: int, timeout: float = QUERY_TIMEOUT, retries: int = 1) -> bytes | None:
        """A checked status byte for query ``n``; None when the printer is silent.

        A reply that breaks the fixed bits (line noise) is asked once more before the
        :class:`StatusError` goes up.
        """
        for attempt in range(retries + 1):
            reply = self.ask(n, timeout)
            if not reply:
                return None
            try:
                st.check_byte(reply[-1:], n)
                return reply[-1:]
            except StatusError:
                if attempt == retries:
                    raise
        return None  # not reached

    def query_all(self, timeout: float = QUERY_TIMEOUT) -> dict[int, bytes | None]:
        """Replies to DLE EOT 1–4; a printer silent on n=1 is not asked further."""
        replies: dict[int, bytes | None] = {n: None for n in st.QUERIES}
        for n in st.QUERIES:
            replies[n] = self.query(n, timeout)
            if replies[n] is None and n == 1:
                break
        return replies

    def status(self, timeout: float = QUERY_TIMEOUT) -> st.PrinterStatus:
        return st.combine(self.query_all(timeout))

    def __enter__(self) -> "PrinterTransport":
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialTransport(PrinterTransport):
    """A printer on a serial port (RS-232 or a USB-serial adapter), 8N1."""

    def __init__(self, port: str, baudrate: int = 9600, write_timeout: float = 5.0) -> None:
        self.port = port
        self.baudrate = baudrate
        self.write_timeout = write_timeout
        self._conn = None

    def open(self) -> None:
        self.close()
        self._conn = open_serial(self.port, self.baudrate, QUERY_TIMEOUT)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # a dead port may fail to close in any way; it is gone either way
                pass

    def _require(self):
        if self._conn is None:
            raise DeviceUnavailable(f"{self.port} is not open")
        return self._conn

    def _set(self, name: str, value: float) -> None:
        """Change a port timeout (pyserial reconfigures the port, which fails on a dead one)."""
        conn = self._require()
        if getattr(conn, name) == value:
            return
        try:
            setattr(conn, name, value)
        except (*PORT_ERRORS, ValueError) as err:
            raise DeviceUnavailable(f"port failed: {err}") from err

    def write(self, data: bytes) -> None:
        # the whole job must leave within its time on the wire, plus the printer's pauses
        self._set("write_timeout", self.write_timeout + len(data) * 10 / self.baudrate)
        write_all(self._require(), data)

    def ask(self, n: int, timeout: float) -> bytes:
        conn = self._require()
        discard_input(conn)  # a late reply to an earlier query must not answer this one
        self._set("write_timeout", self.write_timeout)
        self._set("timeout", timeout)
        write_all(conn, st.query(n))
        return read_exactly(conn, 1)


class DummyTransport(PrinterTransport):
    """Records every byte and answers status from ``replies`` (n → bytes; missing: silent).

    Tests assert the exact bytes in ``written``; ``jobs`` holds print data apart from the
    status queries.
    """

    def __init__(self, replies: Mapping[int, bytes] | None = None) -> None:
        self.replies: dict[int, bytes] = dict(replies or {})
        self.written = bytearray()
        self.jobs: list[bytes] = []
        self.is_open = False

    def open(self) -> None:
        self.is_open = True

    def close(self) -> None:
        self.is_open = False

    def write(self, data: bytes) -> None:
        self.written += data
        self.jobs.append(bytes(data))

    def ask(self, n: int, timeout: float) -> bytes:
        self.written += st.query(n)
        return self.replies.get(n, b"")
