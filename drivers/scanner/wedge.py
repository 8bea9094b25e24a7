"""A keyboard-wedge QR scanner, read from its evdev node and grabbed.

A wedge scanner is a USB keyboard. Left alone, the kernel would also hand its keys to
the UI (and a code would be typed into whatever field has focus), so the node is
grabbed with ``EVIOCGRAB``: while we hold it, nobody else gets its keys. The node's raw
``struct input_event`` records are read here and decoded by the pure
:mod:`drivers.scanner.evcodec`.

Testing: the transport is tested through a FIFO carrying real input_event bytes, built
with ``grab=False`` (a FIFO answers EVIOCGRAB with ENOTTY). The grab is tested with a
stand-in ``fcntl.ioctl`` (grab on open, release on close, EBUSY → :class:`GrabBusy`,
ENOTTY → :class:`NotAnInputDevice`), not on a real input device: the test machine has
no ``/dev/uinput`` to create one. ``grab=True`` (the default) refuses a node that cannot
be grabbed.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import select
import time
from datetime import datetime
from typing import Callable

from drivers.errors import DeviceNotFound, DeviceUnavailable, DriverError
from drivers.health import Health
from drivers.scanner.evcodec import EventDecoder, KeyboardDecoder
from drivers.scanner.model import CodeSink, OnCode, UNKNOWN_FORMAT, utc_now
from drivers.scanner.text import MAX_CODE_BYTES, CodeTooLong, ScanTextError
from drivers.supervisor import DeviceSupervisor

log = logging.getLogger(__name__)

# _IOW('E', 0x90, int): direction write (1) << 30 | sizeof(int) << 16 | 'E' << 8 | 0x90
EVIOCGRAB = (1 << 30) | (4 << 16) | (ord("E") << 8) | 0x90


class NotAnInputDevice(DriverError):
    """The node cannot be grabbed: it is not an evdev input device."""

    code = "wedge_not_input_device"


class GrabBusy(DeviceUnavailable):
    """Another process holds the grab (a desktop, another kiosk instance)."""

    code = "wedge_grab_busy"


class EventNode:
    """An open event node: ``read`` gives raw bytes; ``grab`` keeps its keys ours."""

    def __init__(self, path: str, *, grab: bool = True) -> None:
        self.path = path
        self.grab = grab
        self._fd: int | None = None

    def open(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError as err:
            raise DeviceNotFound(f"no input device at {self.path}") from err
        except OSError as err:
            raise DeviceUnavailable(f"cannot open {self.path}: {err.strerror}") from err
        if self.grab:
            try:
                fcntl.ioctl(fd, EVIOCGRAB, 1)
            except OSError as err:
                os.close(fd)
                if err.errno == errno.EBUSY:
                    raise GrabBusy(f"{self.path} is grabbed by another process") from err
                if err.errno == errno.ENODEV:
                    raise DeviceNotFound(f"{self.path} went away") from err
                raise NotAnInputDevice(
                    f"cannot grab {self.path}: {err.strerror} (not an input device?)") from err
        self._fd = fd

    def read(self, timeout: float) -> bytes:
        """Bytes waiting, within ``timeout``; b"" when none. A node that is gone raises
        :class:`DeviceNotFound`; a FIFO without a writer just has nothing to read."""
        fd = self._fd
        if fd is None:
            raise DeviceUnavailable(f"{self.path} is not open")
        try:
            ready, _, _ = select.select([fd], [], [], timeout)
            if not ready:
                return b""
            data = os.read(fd, 24 * 64)
        except BlockingIOError:
            return b""
        except OSError as err:  # ENODEV when the USB device is pulled
            if err.errno in (errno.ENODEV, errno.ENOENT, errno.ENXIO):
                raise DeviceNotFound(f"{self.path} went away") from err
            raise DeviceUnavailable(f"read failed on {self.path}: {err.strerror}") from err
        except (ValueError, TypeError) as err:  # fd closed under us
            raise DeviceUnavailable(f"{self.path} closed") from err
        if not data:  # end of file: only a FIFO does this; an event node never does
            if not os.path.exists(self.path):
                raise DeviceNotFound(f"{self.path} went away")
            time.sleep(min(timeout, 0.05))  # no writer yet: do not spin
        return data

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        if self.grab:
            try:
                fcntl.ioctl(fd, EVIOCGRAB, 0)
            except OSError:
                pass
        os.close(fd)


class WedgeScanner(DeviceSupervisor):
    """Reads codes typed by a keyboard-wedge scanner at the event node ``path``.

    The node should be a stable udev link (``/dev/input/by-id/...-event-kbd``). The node
    vanishing makes the health ``no_device``; it comes back ``online`` by itself.
    """

    source = "wedge"

    def __init__(
        self,
        path: str,
        on_code: OnCode,
        *,
        grab: bool = True,
        name: str = "wedge-scanner",
        debounce: float = 2.0,
        max_bytes: int = MAX_CODE_BYTES,
        read_timeout: float = 0.05,
        reconnect_interval: float = 0.5,
        health: Health | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(name, reconnect_interval=reconnect_interval, poll_interval=0,
                         health=health)
        self.node = EventNode(path, grab=grab)
        self.read_timeout = read_timeout
        self.events = EventDecoder()
        self.keys = KeyboardDecoder(max_chars=max_bytes)
        self.sink = CodeSink(self.source, on_code, self.health, debounce=debounce, clock=clock,
                             wall_clock=wall_clock, max_bytes=max_bytes)
        self.health.update(source=self.source, path=path, grabbed=False)

    def open(self) -> None:
        self.node.open()
        self.events.reset()
        self.keys.reset()
        self.health.update(grabbed=self.node.grab)

    def poll(self) -> None:
        data = self.node.read(self.read_timeout)
        if data:
            self.feed(data)

    def close(self) -> None:
        self.node.close()
        self.health.update(grabbed=False)

    def feed(self, data: bytes) -> None:
        """Handle raw input_event bytes as if read from the node."""
        overlong, dropped = self.keys.overlong, self.keys.dropped
        for text in self.keys.feed(self.events.feed(data)):
            # a US layout types ASCII only, so the text's bytes are its ASCII
            self.sink.offer(text.encode("ascii"), UNKNOWN_FORMAT)
        for _ in range(self.keys.overlong - overlong):
            self.sink.reject(CodeTooLong(f"code longer than {self.keys.max_chars} keys"))
        for _ in range(self.keys.dropped - dropped):
            self.sink.reject(_KeysLost("keys lost (SYN_DROPPED)"))


class _KeysLost(ScanTextError):
    code = "wedge_keys_lost"
