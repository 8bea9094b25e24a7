"""The UI test harness: one kiosk app per test on Kivy's one window, torn down after.

Kivy allows one window per process (offscreen SDL, from tests/conftest.py), so the app is
never ``run()``: the fixture builds ``KioskApp``'s root, puts it on the window, calls
``on_start`` (devices, schedules) and, after the test, ``on_stop`` and takes it off.

Use the ``kiosk`` fixture (stub devices, all online) or ``make_kiosk(...)`` for options::

    def test_something(kiosk):
        kiosk.tap(kiosk.screen.ids.tile_apply)      # a real touch at the widget's centre
        assert kiosk.screen_name == "catalog"
        kiosk.devices["camera"].set(DeviceState.OFFLINE)   # a stub device goes down
        kiosk.idle()                                 # frames: @mainthread results arrive
        kiosk.clock.advance(90); kiosk.app.tick()    # the session's fake monotonic clock

Devices are STUBS by default (``StubDriver`` with a real ``drivers.health.Health``; the
printer records documents in ``kiosk.devices["printer"].printed``); pass
``make_kiosk(simulate=True)`` for the real drivers on the emulators
(``kiosk.simulation.rig``). There is no store (``store=None``: the identity is the
config's) unless ``make_kiosk(store=True)``.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

from kiosk.ui.app import configure_kivy  # noqa: E402

configure_kivy(hardened=False)
from kivy.config import Config as KivyConfig  # noqa: E402

KivyConfig.set("graphics", "width", "1080")
KivyConfig.set("graphics", "height", "1920")
for _option in KivyConfig.options("input"):
    KivyConfig.remove_option("input", _option)

from kiosk.ui.theme import register_cjk_font  # noqa: E402

register_cjk_font()  # before any text texture

from drivers.health import DeviceState, Health  # noqa: E402
from kiosk.catalog.loader import load_shipped  # noqa: E402
from kiosk.config import parse_config  # noqa: E402
from kiosk.simulation.touch import (ManualClock, UiDriver, mount, unmount,  # noqa: E402,F401
                                    window)

PORTRAIT, LANDSCAPE = (1080, 1920), (1920, 1080)
_CATALOG = load_shipped()


FakeClock = ManualClock  # a monotonic clock for the session: ``advance(seconds)``


class StubDriver:
    """A device that does nothing but has a real health (``set(DeviceState.OFFLINE)``)."""

    def __init__(self, name: str, state: DeviceState = DeviceState.ONLINE) -> None:
        self.name = name
        self.health = Health(name)
        self.health.set(state, "stub")

    def set(self, state: DeviceState, reason: str = "stub") -> None:
        self.health.set(state, reason)

    def start(self) -> "StubDriver":
        return self

    def stop(self) -> None:
        pass


class StubPrinter(StubDriver):
    """Records each document; ``fail`` makes the next prints raise (the printer is out)."""

    def __init__(self, name: str = "printer") -> None:
        super().__init__(name)
        self.printed: list[Any] = []
        self.fail: Exception | None = None
        self.printed_event = threading.Event()

    def print_document(self, doc: Any) -> None:
        if self.fail is not None:
            raise self.fail
        self.printed.append(doc)
        self.printed_event.set()


def stub_devices() -> dict[str, StubDriver]:
    return {"idcard": StubDriver("idcard"), "printer": StubPrinter(),
            "scanner": StubDriver("scanner"), "camera": StubDriver("camera")}


def ui_config(folder: Path):
    return parse_config({
        "identity": {"device_id": "ZZ-EQ-0001", "maintainer": "二七区政务服务中心",
                     "phone": "0371-68665010", "location": "大学路街道便民服务中心大厅"},
        "backend": {"url": "http://127.0.0.1:9", "connect_timeout_s": 0.5},
        "paths": {"data_dir": str(folder / "data"), "runtime_dir": str(folder / "run"),
                  "data_key": str(folder / "data.key")},
    }, "test")


class Kiosk(UiDriver):
    """The app under test and what a test needs to drive it (``idle``, ``tap``, ``wait``,
    ``texts``, ``resize``, ``screenshot``: :class:`kiosk.simulation.touch.UiDriver`)."""

    check_shown = False  # a test may tap what a citizen cannot see, to show nothing happens

    def __init__(self, app, services, clock: FakeClock, devices: dict[str, Any]) -> None:
        super().__init__(app)
        self.services, self.clock, self.devices = services, clock, devices
        self.session = services.session


def build_kiosk(folder: Path, devices: dict[str, Any] | None = None, simulate: bool = False,
                catalog: Any = None, store: bool = False, size: tuple[int, int] = PORTRAIT) -> Kiosk:
    """A kiosk app on the window (see the module's docstring); ``kiosk.close()`` takes it off."""
    from kiosk.ui.app import KioskApp
    from kiosk.ui.devices import DeviceHub
    from kiosk.ui.services import Services

    config = ui_config(folder)
    clock = FakeClock()
    if simulate:
        hub = DeviceHub.simulated()
        drivers = hub.drivers
    else:
        drivers = stub_devices() if devices is None else devices
        hub = DeviceHub(drivers)
    the_store = None
    if store:
        from kiosk.store import open_store

        config.data_dir.mkdir(parents=True, exist_ok=True)
        the_store = open_store(config.data_dir, config.path(config.paths.data_key), create_key=True)
    services = Services(config, hub, catalog=catalog or _CATALOG, store=the_store, monotonic=clock)
    window().size = size  # the window exists before the app makes any text
    app = KioskApp(services, hardened=False)
    mount(app, size)
    kiosk = Kiosk(app, services, clock, drivers)
    kiosk.idle(3)
    return kiosk


def close_kiosk(kiosk: Kiosk) -> None:
    unmount(kiosk.app)


@pytest.fixture
def keep_action_handlers():
    """For tests that change ``ACTION_HANDLERS``: what was there is put back; what a screen
    module registered on its first import (during the test) stays, since the module will not
    be imported again to register it."""
    from kiosk.ui.services import ACTION_HANDLERS

    before = dict(ACTION_HANDLERS)
    yield
    ACTION_HANDLERS.update(before)


@pytest.fixture
def make_kiosk(tmp_path):
    """``make_kiosk(devices=None, simulate=False, catalog=None, store=False, size=PORTRAIT)``."""
    built: list[Kiosk] = []

    def make(**options: Any) -> Kiosk:
        kiosk = build_kiosk(tmp_path, **options)
        built.append(kiosk)
        return kiosk

    yield make
    for kiosk in built:
        close_kiosk(kiosk)


@pytest.fixture
def kiosk(make_kiosk) -> Kiosk:
    return make_kiosk()
