"""A pseudo-terminal that stands in for a serial device.

The driver opens ``path`` (a symlink to the pty's slave side) with pyserial, exactly as it
opens ``/dev/kiosk/idcard``; the emulator reads and writes the master side. ``unplug``
closes the pty and removes the link, as pulling a USB serial adapter removes its node;
``plug`` makes a fresh pty behind the same link, as plugging it back in does.
"""

from __future__ import annotations

import os
import select
import tempfile
import threading
import tty
from pathlib import Path


class PtyPort:
    def __init__(self, link: str | os.PathLike[str] | None = None) -> None:
        if link is None:
            self._tmpdir = tempfile.mkdtemp(prefix="kiosk-pty-")
            link = os.path.join(self._tmpdir, "port")
        else:
            self._tmpdir = None
        self.path = str(link)
        self._master: int | None = None
        self._slave: int | None = None
        self._lock = threading.Lock()

    @property
    def plugged(self) -> bool:
        return self._master is not None

    def plug(self) -> None:
        """Create the pty and the link to it (idempotent)."""
        with self._lock:
            if self._master is not None:
                return
            master, slave = os.openpty()
            tty.setraw(slave)
            tty.setraw(master)
            os.set_blocking(master, False)
            link = Path(self.path)
            link.parent.mkdir(parents=True, exist_ok=True)
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(os.ttyname(slave))
            # The emulator keeps the slave open too, so the master never sees a hang-up
            # while the driver closes and reopens the port.
            self._master, self._slave = master, slave

    def unplug(self) -> None:
        """Close the pty and remove the link: the driver's next read or open fails."""
        with self._lock:
            for fd in (self._master, self._slave):
                if fd is not None:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            self._master = self._slave = None
            try:
                Path(self.path).unlink()
            except FileNotFoundError:
                pass

    def read(self, timeout: float) -> bytes:
        """Bytes the driver wrote, waiting at most ``timeout``; b"" when none or unplugged."""
        master = self._master
        if master is None:
            return b""
        try:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                return b""
            return os.read(master, 65536)
        except (OSError, ValueError):  # closed under us by unplug()
            return b""

    def write(self, data: bytes) -> None:
        """Send bytes to the driver; silently dropped when unplugged (like a dead cable)."""
        master = self._master
        if master is None:
            return
        view = memoryview(data)
        while view:
            try:
                n = os.write(master, view)
            except BlockingIOError:
                select.select([], [master], [], 0.5)
                continue
            except OSError:
                return
            view = view[n:]

    def close(self) -> None:
        self.unplug()
        if self._tmpdir:
            try:
                os.rmdir(self._tmpdir)
            except OSError:
                pass

    def __enter__(self) -> "PtyPort":
        self.plug()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
