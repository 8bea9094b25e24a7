"""The receipt printer driver: status every second, a print that is refused rather than lost.

:class:`ReceiptPrinter` is a :class:`DeviceSupervisor`: its thread opens the transport,
asks DLE EOT 1–4 about once a second, and keeps the health true — ``paper`` and
``cover_open`` are always in its detail (``"unknown"``/``None`` when the printer cannot
be heard, never a stale "ok"). :meth:`ReceiptPrinter.print_document` checks the status
first and refuses with a typed error (``PaperOut``, ``CoverOpen``, ``PrinterFault``,
``DeviceUnavailable``) before any byte goes out, and checks again after the job, so the
caller always knows whether a receipt came out and can offer to print it again.

Counters: ``receipts_printed`` and ``paper_mm`` — paper used in millimetres, estimated
from the line pitch and QR sizes of each document — which the service menu resets when
it replaces the roll (:meth:`reset_paper_counter`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from drivers.errors import DeviceNotFound, DeviceTimeout, DeviceUnavailable
from drivers.health import DeviceState, Health
from drivers.printer.document import Document, paper_length_mm, render
from drivers.printer.errors import CoverOpen, PaperOut, PrinterFault, PrintIncomplete, StatusError
from drivers.printer.profiles import PAPER_80, PrinterProfile
from drivers.printer.status import Paper, PrinterStatus, SILENT, classify
from drivers.printer.transport import PrinterTransport, SerialTransport
from drivers.supervisor import DeviceSupervisor

log = logging.getLogger(__name__)

UNKNOWN_DETAIL = {"paper": Paper.UNKNOWN.value, "cover_open": None,
                  "offline_causes": [], "error_causes": []}


@dataclass(frozen=True)
class PrintResult:
    bytes_sent: int
    paper_mm: float
    status: PrinterStatus  # as read right after the job (paper may now be ``low``)


class ReceiptPrinter(DeviceSupervisor):
    """A thermal receipt printer speaking ESC/POS through ``transport``."""

    def __init__(self, transport: PrinterTransport, profile: PrinterProfile = PAPER_80, *,
                 name: str = "printer", status_interval: float = 1.0,
                 reconnect_interval: float = 0.5, health: Health | None = None) -> None:
        super().__init__(name, reconnect_interval=reconnect_interval,
                         poll_interval=status_interval, health=health)
        self.transport = transport
        self.profile = profile
        self._status: PrinterStatus = SILENT
        self.health.set(self.health.state, "not started", **UNKNOWN_DETAIL)
        for counter in ("receipts_printed", "paper_mm"):
            self.health.count(counter, 0)  # present in the beacon from the start

    @classmethod
    def serial(cls, port: str, baudrate: int = 9600, profile: PrinterProfile = PAPER_80,
               **kwargs: object) -> "ReceiptPrinter":
        return cls(SerialTransport(port, baudrate), profile, **kwargs)  # type: ignore[arg-type]

    # -- supervisor hooks ---------------------------------------------------------------
    def open(self) -> None:
        try:
            self.transport.open()
        except DeviceUnavailable as err:
            self._unreachable(err)
            raise
        self._take(self._fetch_status())

    def poll(self) -> None:
        with self._io_lock:
            if not self.connected:
                return
            try:
                status = self._fetch_status()
            except StatusError:
                return  # reported by _fetch_status; the next poll asks again
            self._take(status)

    def _fetch_status(self) -> PrinterStatus:
        """DLE EOT 1-4, with a failure reported into the health before it goes up."""
        try:
            return self.transport.status()
        except DeviceUnavailable as err:
            self._unreachable(err)
            raise
        except StatusError as err:
            self._unreadable(err)
            raise

    def _take(self, status: PrinterStatus) -> None:
        self._require_answer(status)
        self._apply(status)

    def close(self) -> None:
        self.transport.close()

    def stop(self, timeout: float = 3.0) -> None:
        super().stop(timeout)
        self._status = SILENT
        self.health.update(**UNKNOWN_DETAIL)

    # -- what the kiosk calls -------------------------------------------------------------
    @property
    def last_status(self) -> PrinterStatus:
        return self._status

    def print_document(self, doc: Document) -> PrintResult:
        """Render ``doc`` for this paper and print it (see :meth:`print_bytes`)."""
        data = render(doc, self.profile)  # a bad document fails before the printer is touched
        return self.print_bytes(data, paper_mm=paper_length_mm(doc, self.profile))

    def print_bytes(self, data: bytes, paper_mm: float = 0.0) -> PrintResult:
        """Send one job if the printer is ready; raise a typed error otherwise.

        Before: silent, or some of DLE EOT 2–4 unanswered → DeviceTimeout; paper out →
        PaperOut; cover open → CoverOpen; cutter or other fault → PrinterFault; nothing
        is sent then. After: a printer that
        stopped (paper ran out, cover opened) → PrintIncomplete; one gone silent →
        DeviceTimeout. Only a job the printer took without complaint is counted.
        """
        with self.exclusive():
            try:
                self._ready_or_raise(self.transport.status())
                self.transport.write(data)
                after = self.transport.status()
            except DeviceUnavailable as err:
                self._unreachable(err)
                raise
            except StatusError as err:
                self._unreadable(err)
                raise
            if not after.answered:
                err = DeviceTimeout("printer stopped answering after the job; it may not have printed")
                self._unreachable(err)
                raise err
            self._apply(after)
            state, reason = classify(after)
            if state not in (DeviceState.ONLINE, DeviceState.BUSY):
                raise PrintIncomplete(f"printer stopped during the job: {reason}")
        self.health.count("operations")
        self.health.count("receipts_printed")
        self.health.count("paper_mm", round(paper_mm))
        return PrintResult(len(data), paper_mm, after)

    def reset_paper_counter(self) -> None:
        """A new roll is in: paper used starts again from zero."""
        self.health.reset_counter("paper_mm")
        log.info("%s: paper counter reset", self.name)

    # -- inside ---------------------------------------------------------------------------
    def _ready_or_raise(self, status: PrinterStatus) -> None:
        self._require_answer(status)
        self._apply(status)
        state, reason = classify(status)
        if state is DeviceState.ONLINE:
            return
        if status.cover_open:
            raise CoverOpen("cover open; close it to print")
        if state is DeviceState.USER_ERROR:
            raise PaperOut("paper out; load a new roll to print")
        raise PrinterFault(f"printer not ready: {reason}")

    def _require_answer(self, status: PrinterStatus) -> None:
        """A silent printer, or one that leaves DLE EOT 2–4 unanswered, is not ready: it
        is offline (paper unknown) until it answers every query again."""
        if not status.complete:
            err = DeviceTimeout(classify(status)[1])
            self._unreachable(err)
            raise err

    def _apply(self, status: PrinterStatus) -> None:
        self._status = status
        state, reason = classify(status)
        was = self.health.state
        if state not in (DeviceState.ONLINE, DeviceState.BUSY) and state != was:
            self.health.count("errors")
        self.health.set(state, reason, **status.detail())

    def _unreachable(self, err: DeviceUnavailable) -> None:
        """Unheard: the detail turns unknown together with the state, in one change."""
        self._status = SILENT
        state = DeviceState.NO_DEVICE if isinstance(err, DeviceNotFound) else DeviceState.OFFLINE
        self.health.set(state, str(err), **UNKNOWN_DETAIL)

    def _unreadable(self, err: StatusError) -> None:
        self._status = SILENT
        self.health.count("errors")
        self.health.set(DeviceState.HARDWARE_ERROR, f"status not understood: {err}", **UNKNOWN_DETAIL)
