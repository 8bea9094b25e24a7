"""The device simulation played as a script: what ``kiosk --simulate --devices-only`` shows.

Each step acts on an emulator through :class:`~kiosk.simulation.controls.SimControls`
(place a card, show a code, run out of paper, pull a cable) — the same controls as the
simulation keys and panel — and waits for the real driver to report it, printing one
line per event. Personal data is printed masked.
"""

from __future__ import annotations

import queue
import sys
import time
from typing import Any, Callable, TextIO

from drivers.camera import capture_document, check_face
from drivers.camera.frames import Rejection
from drivers.health import DeviceState
from drivers.idcard import samples
from drivers.privacy import mask_name, mask_number
from drivers.printer import PaperOut
from kiosk.diag.printer import sample_receipt
from kiosk.simulation.controls import SimControls
from kiosk.simulation.rig import DeviceEvents, SimulatedDevices

RECEIPT_NO = "ZZ-EQ-0001-20261122-000042"


class DemoFailed(RuntimeError):
    """A step did not see what it waited for."""


class Demo:
    def __init__(self, out: TextIO = sys.stdout, timeout: float = 5.0) -> None:
        self.out = out
        self.timeout = timeout
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        put = self.events.put
        self.rig = SimulatedDevices(DeviceEvents(
            on_card=lambda card: put(("card", card)),
            on_card_removed=lambda: put(("removed", None)),
            on_card_error=lambda err: put(("card_error", err)),
            on_code=lambda code: put(("code", code)),
            on_health=lambda report: put(("health", report)),
        ))
        self.controls = SimControls(self.rig)

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def expect(self, kind: str, test: Callable[[Any], bool] = lambda value: True) -> Any:
        """Wait for an event of ``kind`` passing ``test``, printing health changes on the way."""
        deadline = time.monotonic() + self.timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                got, value = self.events.get(timeout=left)
            except queue.Empty:
                break
            if got == "health":
                self.say(f"    [health] {value.device}: {value.state.value}"
                         + (f" ({value.reason})" if value.reason else ""))
            if got == kind and test(value):
                return value
        raise DemoFailed(f"no {kind} event within {self.timeout:.0f} s")

    def until_state(self, device: str, *states: DeviceState) -> None:
        self.expect("health", lambda r: r.device == device and r.state in states)

    def run(self) -> int:
        rig = self.rig
        self.say("启动模拟设备 / starting emulated devices")
        rig.start()
        try:
            self.steps()
        finally:
            rig.stop()
        self.say("模拟结束 / simulation finished: every device answered as expected")
        return 0

    def steps(self) -> None:
        rig, controls = self.rig, self.controls
        for name in ("idcard", "printer", "scanner", "camera"):
            driver = next(d for d in rig.drivers if d.name == name)
            if driver.health.state != DeviceState.ONLINE:
                self.until_state(name, DeviceState.ONLINE)
        self.say(f"1. all devices online; reader SAM {rig.idcard.sam_id}")

        controls.place_card(samples.LI_XIAOMING)
        card = self.expect("card")
        self.say(f"2. ID card read: {mask_name(card.name)} {mask_number(card.id_number)} "
                 f"({card.card_type}, valid to {card.to_dict()['valid_to']})")
        controls.lift_card()
        self.expect("removed")
        self.say("3. ID card lifted")

        controls.show_code(RECEIPT_NO)
        code = self.expect("code", lambda c: c.source == "serial")
        self.say(f"4. serial scanner: {code.text}")

        rig.camera_source.set_scene("qr", payload="回执 " + RECEIPT_NO)
        code = self.expect("code", lambda c: c.source == "camera")
        self.say(f"5. camera scanner: {code.text}")

        rig.camera_source.set_scene("document")
        shot = capture_document(rig.camera.still())
        self.say("6. document camera: " + (f"rejected: {shot.text}" if isinstance(shot, Rejection)
                                           else f"page found, sharpness {shot.sharpness:.0f}"))
        rig.camera_source.set_scene("face")
        face = check_face(rig.camera.still())
        self.say(f"7. face check: {face.text if isinstance(face, Rejection) else '人脸合格'}")
        rig.camera_source.set_scene("empty")

        rig.printer.print_document(sample_receipt())
        printout = rig.printer_emu.wait_for_cuts(1)
        self.say("8. receipt printed:")
        for line in printout.nonblank():
            self.say(f"      | {line}")
        self.say(f"      | [QR] {', '.join(printout.qr_codes)}")

        controls.paper_out()
        self.until_state("printer", DeviceState.USER_ERROR)
        try:
            rig.printer.print_document(sample_receipt())
            raise DemoFailed("printing with no paper was not refused")
        except PaperOut as err:
            self.say(f"9. paper out: print refused ({err.code})")
        controls.paper_in()
        self.until_state("printer", DeviceState.ONLINE)

        controls.unplug("scanner")
        self.until_state("scanner", DeviceState.NO_DEVICE, DeviceState.OFFLINE)
        controls.replug("scanner")
        self.until_state("scanner", DeviceState.ONLINE)
        self.say("10. scanner unplugged and back: reconnected by itself")


def main() -> int:
    try:
        return Demo().run()
    except DemoFailed as err:
        print(f"kiosk: simulation failed: {err}", file=sys.stderr)
        return 1
