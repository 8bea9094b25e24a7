"""``kiosk --simulate --tour DIR``: one scripted citizen visit through every main screen.

The whole simulation is real: the reference county backend on loopback with its agent
(:class:`SimulatedCounty`), every device emulated behind its real driver (the ID card,
printer and scanner speak their bytes over ptys), and the kiosk app on Kivy's window,
driven by touches on its real widgets (:class:`kiosk.simulation.touch.UiDriver`); only
the session's idle clock is a :class:`ManualClock` the tour moves on. Each step (see
:mod:`kiosk.simulation.tour_steps`) leaves a PNG of the screen in DIR; the 受理回执's ESC/POS
bytes, as the printer emulator received them, go to ``DIR/receipt.bin``.

:func:`run_tour` returns 0 once the visit's transaction is in the county's database, else
1 with one console line naming the step that failed (the console is the developer's and
may be English; the screen never is), and ``failed-STEP.png`` / ``failed-STEP.txt`` (the
screen and the traceback where it stopped) in DIR. Under ``SDL_VIDEODRIVER=offscreen`` the pictures are
black: run it under X (``xvfb-run``) to see them.
"""

from __future__ import annotations

import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable
from typing import Any, TextIO

from kiosk.simulation.touch import PORTRAIT, ManualClock, UiDriver, mount, prepare_window, unmount, window

class StepFailed(RuntimeError):
    """A step did not see what it waited for."""


@dataclass
class Tour:
    """What the steps share: the driver, the app's services, the devices, the county."""

    ui: UiDriver
    services: Any
    county: Any
    clock: ManualClock
    out: Path
    #: Set by the steps: the visit's transaction, the number the receipt screen showed,
    #: and the receipt's bytes as the printer emulator received them.
    txn_id: str = ""
    receipt_number: str = ""
    receipt_bytes: bytes = b""
    receipt_start: int = 0  # where the receipt begins in the printer emulator's data
    cuts_before: int = 0
    hold: Any = None  # the printer held busy while the receipt screen is photographed

    @property
    def app(self):
        return self.ui.app

    @property
    def session(self):
        return self.services.session

    @property
    def rig(self):
        return self.services.devices.rig

    def shot(self, name: str) -> Path:
        return self.ui.screenshot(self.out / f"{name}.png")

    def wait(self, predicate, what: str | Callable[[], str], timeout: float = 30.0) -> None:
        """Frames until ``predicate()``; else :class:`StepFailed` saying ``what`` (a string, or
        a function giving it at that moment)."""
        try:
            self.ui.wait(predicate, timeout=timeout)
        except AssertionError:
            what = what() if callable(what) else what
            raise StepFailed(f"timed out after {timeout:g} s waiting for {what}") from None

    def wait_screen(self, name: str, timeout: float = 30.0) -> Any:
        self.wait(lambda: self.ui.screen_name == name, lambda: f"the {name} screen "
                  f"(showing {self.ui.screen_name}, session {self.session.state.value}, "
                  f"devices down: {sorted(self.services.devices.down()) or 'none'})", timeout)
        self.ui.idle(2)
        return self.app.manager.get_screen(name)

    def in_backend(self, txn_id: str) -> bool:
        """The county's database holds ``txn_id``."""
        from county.cases import progress

        return progress(self.county.county.database, txn_id) is not None


def build_services(config, clock: ManualClock):
    """``Services.from_config(config, simulate=True)`` with the tour's idle clock."""
    from kiosk.ui.services import Services

    return Services.from_config(config, simulate=True, monotonic=clock)


def run_tour(out_dir: str | Path, *, out: TextIO | None = None, err: TextIO | None = None,
             size: tuple[int, int] = PORTRAIT) -> int:
    """Play the tour into ``out_dir``; 0 when the transaction reached the county."""
    out, err = out or sys.stdout, err or sys.stderr
    folder = Path(out_dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    prepare_window(size)
    from kiosk.simulation.county import SimulatedCounty
    from kiosk.simulation.tour_steps import STEPS
    from kiosk.ui.app import KioskApp
    from kiosk.ui.services import simulation_config
    from kiosk.ui.theme import register_cjk_font

    register_cjk_font()  # before any text texture
    window().size = size
    step = "start"
    with tempfile.TemporaryDirectory(prefix="kiosk-tour-") as tmp:
        county = SimulatedCounty(Path(tmp))
        app = None
        try:
            config = county.start(lambda url: simulation_config(Path(tmp), url))
            clock = ManualClock()
            services = build_services(config, clock)
            app = KioskApp(services, hardened=False)
            mount(app, size)
            tour = Tour(UiDriver(app), services, county, clock, folder)
            for step, run in STEPS:
                began = time.monotonic()
                run(tour)
                print(f"tour: {step:<20} ok ({time.monotonic() - began:.1f} s)", file=out, flush=True)
        except Exception as failure:  # one line names the step; the picture shows where it stood
            reason = str(failure) or type(failure).__name__
            print(f"kiosk --tour: step {step} failed: {type(failure).__name__}: {reason}"
                  .replace("\n", " "), file=err, flush=True)
            (folder / f"failed-{step}.txt").write_text(traceback.format_exc(), encoding="utf-8")
            if app is not None and getattr(app, "root", None) is not None:
                try:
                    UiDriver(app).screenshot(folder / f"failed-{step}.png")
                except Exception:
                    pass
            return 1
        finally:
            if app is not None and getattr(app, "root", None) is not None:
                unmount(app)
            county.stop()
    print(f"tour: {len(STEPS)} steps, pictures and receipt.bin in {folder}", file=out, flush=True)
    return 0
