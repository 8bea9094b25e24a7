"""Base of the serial device emulators: a thread that serves one :class:`PtyPort`.

A subclass implements :meth:`on_bytes`: it gets what the driver wrote and answers with
``self.reply(...)``. Faults every serial emulator shares are here: ``silent`` (the device
takes bytes and never answers), ``noise`` (bytes of line noise sent before the next
answer) and ``unplug``/``plug`` (the device is pulled away and comes back). Raw traffic
is logged to its own logger (``drivers.serial.raw``), off by default, as OctoPrint does.
"""

from __future__ import annotations

import logging
import threading

from drivers.ptyport import PtyPort

raw_log = logging.getLogger("drivers.serial.raw")
raw_log.propagate = False


class SerialEmulator:
    name = "device"

    def __init__(self, link: str | None = None) -> None:
        self.port = PtyPort(link)
        self.silent = False
        self._noise = b""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.RLock()

    @property
    def path(self) -> str:
        return self.port.path

    # -- life cycle -----------------------------------------------------------------
    def start(self) -> "SerialEmulator":
        self.port.plug()
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name=f"emu-{self.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self.port.close()

    def unplug(self) -> None:
        self.port.unplug()

    def plug(self) -> None:
        self.port.plug()

    def __enter__(self) -> "SerialEmulator":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- faults ---------------------------------------------------------------------
    def inject_noise(self, data: bytes) -> None:
        """Send ``data`` as line noise just before the next answer."""
        with self._lock:
            self._noise += data

    # -- for subclasses -------------------------------------------------------------
    def on_bytes(self, data: bytes) -> None:
        raise NotImplementedError

    def reply(self, data: bytes) -> None:
        if self.silent:
            return
        with self._lock:
            data, self._noise = self._noise + data, b""
        raw_log.debug("%s >> %s", self.name, data.hex(" "))
        self.port.write(data)

    def _serve(self) -> None:
        while not self._stop.is_set():
            data = self.port.read(0.05)
            if not data:
                if not self.port.plugged:
                    self._stop.wait(0.05)
                continue
            raw_log.debug("%s << %s", self.name, data.hex(" "))
            with self._lock:
                self.on_bytes(data)
