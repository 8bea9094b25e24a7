"""How bytes reach the printer: one small base class, a serial port, a USB printer node,
and a dummy.

After python-escpos and pyserial: the driver talks to :class:`PrinterTransport` only.
Status queries get a short timeout each (0.3 s) and a printer that does not answer
``DLE EOT 1`` is not asked the rest, so a silent printer is known within a third of a
second, and it is never taken for a fine one (python-escpos 3.1 says "paper ok" then).
"""

from __future__ import annotations

import errno
import os
import select
import time
from typing import Mapping

import serial

from drivers.errors import DeviceNotFound, DeviceTimeout, DeviceUnavailable
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


#: errno values that mean "nothing is there (any more)": the node is missing or unplugged.
_GONE = (errno.ENOENT, errno.ENODEV, errno.ENXIO)


class UsbLpTransport(PrinterTransport):
    """A printer on USB through the kernel's printer class driver (usblp): ``/dev/usb/lpN``.

    ESC/POS goes to the node with ``write``; the printer's answers to ``DLE EOT n`` come back
    from it with ``read`` (usblp passes the bulk-in endpoint through). The node is opened
    read/write and non-blocking, so a read waits at most its timeout (``poll``) and a write
    at most ``write_timeout`` plus its time on the wire; OS errors become
    :class:`DeviceNotFound` (no node: unplugged or never there) or
    :class:`DeviceUnavailable` (anything else), once, here.
    """

    #: What a USB full-speed printer takes at the least (bytes/s), for the write deadline.
    MIN_RATE = 10_000

    def __init__(self, port: str = "/dev/usb/lp0", write_timeout: float = 5.0) -> None:
        self.port = port
        self.write_timeout = write_timeout
        self._fd: int | None = None

    def open(self) -> None:
        self.close()
        flags = os.O_RDWR | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
        try:
            self._fd = os.open(self.port, flags)
        except OSError as err:
            raise self._translate("open", err) from err

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:  # a node that vanished may fail to close; it is gone either way
                pass

    def _require(self) -> int:
        if self._fd is None:
            raise DeviceUnavailable(f"{self.port} is not open")
        return self._fd

    def _translate(self, what: str, err: OSError) -> DeviceUnavailable:
        if err.errno in _GONE:
            return DeviceNotFound(f"no printer at {self.port} ({what}: {err.strerror})")
        return DeviceUnavailable(f"{self.port}: {what} failed: {err.strerror or err}")

    def _wait(self, fd: int, event: int, timeout: float) -> bool:
        poller = select.poll()
        poller.register(fd, event)
        try:
            ready = poller.poll(max(0, int(timeout * 1000)))
        except InterruptedError:  # pragma: no cover - PEP 475 retries for us
            return False
        for _fd, mask in ready:
            if mask & (select.POLLERR | select.POLLNVAL) or (mask & select.POLLHUP and not mask & event):
                raise DeviceUnavailable(f"{self.port}: device gone")
            return bool(mask & event)
        return False

    def write(self, data: bytes) -> None:
        fd = self._require()
        deadline = time.monotonic() + self.write_timeout + len(data) / self.MIN_RATE
        view = memoryview(bytes(data))
        while view:
            try:
                view = view[os.write(fd, view):]
                continue
            except BlockingIOError:
                pass
            except OSError as err:
                raise self._translate("write", err) from err
            left = deadline - time.monotonic()
            if left <= 0:
                raise DeviceTimeout(f"{self.port}: printer took no data for {self.write_timeout:g} s")
            self._wait(fd, select.POLLOUT, min(left, 0.5))

    def _read_some(self, fd: int, n: int) -> bytes:
        try:
            return os.read(fd, n)
        except BlockingIOError:
            return b""
        except OSError as err:
            raise self._translate("read", err) from err

    def _discard_input(self, fd: int) -> None:
        """A late answer to an earlier query must not answer this one."""
        for _ in range(64):
            if not self._read_some(fd, 4096):
                return

    def ask(self, n: int, timeout: float) -> bytes:
        fd = self._require()
        self._discard_input(fd)
        self.write(st.query(n))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not self._wait(fd, select.POLLIN, left):
                return b""
            reply = self._read_some(fd, 1)
            if reply:
                return reply


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
