"""One supervisor thread per device: open, poll, reconnect, keep the health true.

A driver subclasses :class:`DeviceSupervisor` and writes three hooks:

- ``open()``  connects (raise :class:`DeviceNotFound` / :class:`DeviceUnavailable`),
- ``poll()``  does one cycle of work (read a card, a status, a frame) and returns,
- ``close()`` lets go of the transport, whatever state it is in.

The loop turns the typed errors into health states once, reconnects every
``reconnect_interval`` seconds while the device is away, and counts reconnects and
errors. Foreground work (print a receipt) runs under :meth:`exclusive`, which shares the
transport with the poll loop.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Iterator

from drivers.errors import DeviceNotFound, DeviceUnavailable, DriverError, HardwareError, UserActionNeeded
from drivers.health import DeviceState, Health

log = logging.getLogger(__name__)

#: Longest wait, in seconds, for a stopped loop to finish its last poll before a restart.
STOP_GRACE = 15.0


class DeviceSupervisor:
    def __init__(
        self,
        name: str,
        *,
        reconnect_interval: float = 0.5,
        poll_interval: float = 0.1,
        health: Health | None = None,
    ) -> None:
        self.name = name
        self.health = health or Health(name)
        self.reconnect_interval = reconnect_interval
        self.poll_interval = poll_interval
        self._io_lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connected = False
        self._ever_connected = False

    # -- hooks ----------------------------------------------------------------------
    def open(self) -> None:
        raise NotImplementedError

    def poll(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # -- life cycle -----------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def start(self) -> "DeviceSupervisor":
        if self.running:
            return self
        old = self._thread
        if old is not None and old is not threading.current_thread():
            # A loop told to stop may still be inside one poll (a card read takes seconds):
            # wait for it, so that two loops never share the device.
            old.join(STOP_GRACE)
            if old.is_alive():
                raise DriverError(f"{self.name}: the previous loop has not ended")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"drv-{self.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 3.0) -> None:
        """Stop the loop; the thread handle is kept until the loop has really ended."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if not thread.is_alive():
                self._thread = None
        with self._io_lock:
            self._disconnect_locked()
        self.health.set(DeviceState.OFFLINE, "stopped", quiet=True)

    def __enter__(self) -> "DeviceSupervisor":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait(self, seconds: float) -> bool:
        """Sleep, waking at once on stop; True when stopping."""
        return self._stop.wait(seconds)

    # -- foreground work --------------------------------------------------------------
    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the transport for a foreground operation; a lost device is noted."""
        with self._io_lock:
            if not self._connected:
                raise DeviceUnavailable(f"{self.name} is not connected")
            try:
                yield
            except DeviceUnavailable as err:
                self._lost(err)
                raise

    # -- the loop -------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._connected and not self._connect():
                self.wait(self.reconnect_interval)
                continue
            try:
                self.poll()
            except DeviceUnavailable as err:
                with self._io_lock:
                    self._lost(err)
                self.wait(self.reconnect_interval)
                continue
            except UserActionNeeded as err:
                self.health.count("errors")
                self.health.set(DeviceState.USER_ERROR, str(err))
            except HardwareError as err:
                self.health.count("errors")
                self.health.set(DeviceState.HARDWARE_ERROR, str(err))
            except Exception as err:  # a bug or an untranslated library error
                log.exception("%s: poll failed", self.name)
                with self._io_lock:
                    self._lost(DeviceUnavailable(f"unexpected {type(err).__name__}"))
                self.wait(self.reconnect_interval)
                continue
            if self.poll_interval:
                self.wait(self.poll_interval)

    def _connect(self) -> bool:
        with self._io_lock:
            try:
                self.open()
            except DeviceNotFound as err:
                self._disconnect_locked()
                self.health.set(DeviceState.NO_DEVICE, str(err))
                return False
            except DeviceUnavailable as err:
                self._disconnect_locked()
                self.health.set(DeviceState.OFFLINE, str(err))
                return False
            except DriverError as err:
                self._disconnect_locked()
                self.health.set(DeviceState.HARDWARE_ERROR, str(err))
                return False
            except Exception as err:
                log.exception("%s: open failed", self.name)
                self._disconnect_locked()
                self.health.set(DeviceState.OFFLINE, f"unexpected {type(err).__name__}")
                return False
            self._connected = True
            if self._ever_connected:
                self.health.count("reconnects")
            self._ever_connected = True
            if self.health.state in (DeviceState.OFFLINE, DeviceState.NO_DEVICE):
                self.health.set(DeviceState.ONLINE)
            return True

    def _lost(self, err: Exception) -> None:
        self.health.count("errors")
        self._disconnect_locked()
        state = DeviceState.NO_DEVICE if isinstance(err, DeviceNotFound) else DeviceState.OFFLINE
        self.health.set(state, str(err))

    def _disconnect_locked(self) -> None:
        self._connected = False
        try:
            self.close()
        except Exception:  # closing a dead port may fail in any way; it is gone either way
            log.debug("%s: close failed", self.name, exc_info=True)
