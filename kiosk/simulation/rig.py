"""Every device emulated, and the real drivers attached to the emulators.

The serial devices (ID card reader, receipt printer, QR scanner) are emulated on ptys
that speak their real bytes; the drivers open them exactly as they open
``/dev/kiosk/idcard``. The camera is a scene generator (there is no V4L2 to emulate
here); the camera-based QR scanner reads from it like from a real camera.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from drivers.camera import Camera, EmulatedSource
from drivers.health import HealthReport
from drivers.idcard.emulator import IdCardEmulator
from drivers.idcard.reader import IdCardReader
from drivers.printer import PAPER_80, ReceiptPrinter
from drivers.printer.emulator import PrinterEmulator
from drivers.scanner.camera_scanner import CameraScanner
from drivers.scanner.emulator import SerialScannerEmulator
from drivers.scanner.serial_scanner import SerialScanner


@dataclass
class DeviceEvents:
    """Where the drivers' reports go; each callback runs on a driver thread."""

    on_card: Callable = lambda card: None
    on_card_removed: Callable[[], None] = lambda: None
    on_card_error: Callable = lambda err: None
    on_code: Callable = lambda code: None
    on_health: Callable[[HealthReport], None] = lambda report: None


@dataclass
class SimulatedDevices:
    """Emulators on ptys under ``folder`` plus the drivers that use them."""

    events: DeviceEvents = field(default_factory=DeviceEvents)
    folder: Path | None = None
    camera_size: tuple[int, int] = (640, 480)

    def __post_init__(self) -> None:
        self._tmp = None
        if self.folder is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="kiosk-sim-")
            self.folder = Path(self._tmp.name)
        ev = self.events
        self.idcard_emu = IdCardEmulator(str(self.folder / "idcard"))
        self.printer_emu = PrinterEmulator(str(self.folder / "printer"))
        self.scanner_emu = SerialScannerEmulator(str(self.folder / "scanner"))
        self.camera_source = EmulatedSource("empty", size=self.camera_size, fps=15)
        self.idcard = IdCardReader(self.idcard_emu.path, on_card=ev.on_card,
                                   on_removed=ev.on_card_removed, on_error=ev.on_card_error)
        self.printer = ReceiptPrinter.serial(self.printer_emu.path, profile=PAPER_80)
        self.scanner = SerialScanner(self.scanner_emu.path, ev.on_code)
        self.camera = Camera(self.camera_source)
        self.camera_scanner = CameraScanner(self.camera, ev.on_code)
        for driver in self.drivers:
            driver.health.add_listener(ev.on_health)

    @property
    def emulators(self) -> tuple:
        return (self.idcard_emu, self.printer_emu, self.scanner_emu)

    @property
    def drivers(self) -> tuple:
        return (self.idcard, self.printer, self.scanner, self.camera, self.camera_scanner)

    def start(self) -> "SimulatedDevices":
        for emulator in self.emulators:
            emulator.start()
        for driver in self.drivers:
            driver.start()
        return self

    def stop(self) -> None:
        for driver in reversed(self.drivers):
            driver.stop()
        for emulator in self.emulators:
            emulator.stop()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> "SimulatedDevices":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
