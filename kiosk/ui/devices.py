"""``DeviceHub``: the kiosk's drivers as the UI sees them.

Starts the configured drivers (or the simulation rig), relays their callbacks — a card
placed or lifted, a code scanned, a health change — from the driver threads to Kivy's main
thread (``@mainthread``), keeps an observable ``health`` dict (driver name → state value),
and says which items can be served (``Item.needed_devices()``: roles ``idcard``,
``camera``; the printer is never required, as a receipt can be shown on screen).

Screens listen with ``hub.bind(on_card=..., on_card_removed=..., on_card_error=...,
on_code=...)`` — personal data goes straight to the screen and the session, never kept here.
"""

from __future__ import annotations

import logging
from typing import Any

from kivy.clock import mainthread
from kivy.event import EventDispatcher
from kivy.properties import DictProperty

from drivers.health import AVAILABLE, DeviceState, HealthReport
from kiosk.config import Config

log = logging.getLogger(__name__)

#: Role → the driver names that can fill it (any one available is enough).
ROLES: dict[str, tuple[str, ...]] = {
    "idcard": ("idcard",),
    "printer": ("printer",),
    "scanner": ("scanner", "wedge-scanner", "camera-scanner"),
    "camera": ("camera",),
}
_AVAILABLE = {s.value for s in AVAILABLE}


class DeviceHub(EventDispatcher):
    """Drivers by name; ``rig`` is a :class:`SimulatedDevices` when simulating."""

    health = DictProperty()
    __events__ = ("on_card", "on_card_removed", "on_card_error", "on_code")

    def __init__(self, drivers: dict[str, Any] | None = None, rig: Any = None) -> None:
        super().__init__()
        self.rig = rig
        self.drivers: dict[str, Any] = dict(drivers or {})
        self.started = False
        for driver in self.drivers.values():
            self._watch(driver)

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_config(cls, config: Config) -> "DeviceHub":
        """The drivers the config names (``emulated`` devices come from the simulation rig)."""
        hub = cls()
        hub.drivers.update(_drivers_for(config.devices, hub))
        for driver in hub.drivers.values():
            hub._watch(driver)
        return hub

    @classmethod
    def simulated(cls) -> "DeviceHub":
        """Every device emulated behind the real drivers (``kiosk --simulate``)."""
        from kiosk.simulation.rig import DeviceEvents, SimulatedDevices

        hub = cls()
        rig = SimulatedDevices(DeviceEvents(
            on_card=hub._card, on_card_removed=hub._card_removed, on_card_error=hub._card_error,
            on_code=hub._code, on_health=hub._health_changed))
        hub.rig = rig
        hub.drivers = {d.name: d for d in rig.drivers}
        hub._refresh_all()
        return hub

    def _watch(self, driver: Any) -> None:
        driver.health.add_listener(self._health_changed)
        self._refresh_all()

    # -- life -----------------------------------------------------------------------------
    def start(self) -> None:
        if self.started:
            return
        self.started = True
        if self.rig is not None:
            self.rig.start()
        else:
            for name, driver in self.drivers.items():
                try:
                    driver.start()
                except Exception as err:  # one bad device must not stop the kiosk
                    log.error("device %s did not start: %s", name, type(err).__name__)
        self._refresh_all()

    def stop(self) -> None:
        if not self.started:
            return
        self.started = False
        if self.rig is not None:
            self.rig.stop()
            return
        for name, driver in reversed(list(self.drivers.items())):
            try:
                driver.stop()
            except Exception as err:
                log.error("device %s did not stop cleanly: %s", name, type(err).__name__)

    # -- what the UI asks -----------------------------------------------------------------
    def driver(self, role: str) -> Any | None:
        """The first configured driver for ``role`` (e.g. ``printer``), or None."""
        return next((self.drivers[n] for n in ROLES.get(role, (role,)) if n in self.drivers), None)

    def available(self, role: str) -> bool:
        return any(self.health.get(n) in _AVAILABLE for n in ROLES.get(role, (role,)))

    def down(self) -> set[str]:
        """Configured roles whose devices are all unavailable now."""
        return {role for role, names in ROLES.items()
                if any(n in self.drivers for n in names) and not self.available(role)}

    def missing_for(self, item: Any) -> set[str]:
        """The roles ``item`` needs that are not available (empty: it can be served)."""
        return {role for role in item.needed_devices() if not self.available(role)}

    def reports(self) -> list[HealthReport]:
        return [driver.health.snapshot() for driver in self.drivers.values()]

    # -- driver threads → main thread -----------------------------------------------------
    def _refresh_all(self) -> None:
        self.health = {name: d.health.snapshot().state.value for name, d in self.drivers.items()}

    def _health_changed(self, report: HealthReport) -> None:
        self._set_health(report.device, report.state.value)

    @mainthread
    def _set_health(self, name: str, state: str) -> None:
        if self.health.get(name) != state:
            self.health = {**self.health, name: state}

    @mainthread
    def _card(self, card: Any) -> None:
        self.dispatch("on_card", card)

    @mainthread
    def _card_removed(self) -> None:
        self.dispatch("on_card_removed")

    @mainthread
    def _card_error(self, err: Any) -> None:
        self.dispatch("on_card_error", err)

    @mainthread
    def _code(self, code: Any) -> None:
        self.dispatch("on_code", code)

    def on_card(self, card: Any) -> None: ...

    def on_card_removed(self) -> None: ...

    def on_card_error(self, err: Any) -> None: ...

    def on_code(self, code: Any) -> None: ...


def _drivers_for(devices: Any, hub: DeviceHub) -> dict[str, Any]:
    """Real drivers from ``config.devices``; ``emulated`` entries are skipped here (use
    :meth:`DeviceHub.simulated`)."""
    out: dict[str, Any] = {}
    if devices.idcard is not None and devices.idcard.type == "serial":
        from drivers.idcard.reader import IdCardReader

        out["idcard"] = IdCardReader(devices.idcard.port, baudrate=devices.idcard.baudrate,
                                     on_card=hub._card, on_removed=hub._card_removed,
                                     on_error=hub._card_error)
    if devices.printer is not None and devices.printer.type == "serial":
        from drivers.printer import ReceiptPrinter
        from drivers.printer.profiles import PROFILES

        out["printer"] = ReceiptPrinter.serial(devices.printer.port, devices.printer.baudrate,
                                               PROFILES[devices.printer.paper_width_mm])
    if devices.camera is not None and devices.camera.type == "v4l2":
        from drivers.camera import Camera
        from drivers.camera.sources import OpenCVSource

        cam = devices.camera
        out["camera"] = Camera(OpenCVSource(cam.port, (cam.width, cam.height),
                                            (cam.still_width, cam.still_height)))
    scanner = devices.scanner
    if scanner is not None:
        if scanner.type == "serial":
            from drivers.scanner.serial_scanner import SerialScanner

            out["scanner"] = SerialScanner(scanner.port, hub._code, baudrate=scanner.baudrate)
        elif scanner.type == "evdev":
            from drivers.scanner.wedge import WedgeScanner

            out["wedge-scanner"] = WedgeScanner(scanner.port, hub._code)
        elif scanner.type == "camera" and "camera" in out:
            from drivers.scanner.camera_scanner import CameraScanner

            out["camera-scanner"] = CameraScanner(out["camera"], hub._code)
    return out


__all__ = ["DeviceHub", "DeviceState", "ROLES"]
