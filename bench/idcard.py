"""ID card: from the card placed to the Card in the driver, and to the name on the screen,
against the time its bytes take on the wire at 115200 baud (the physical limit).

    .venv/bin/python bench/idcard.py            # 40 cycles, 20 loop reads, 8 on screen (~1 min)
    .venv/bin/python bench/idcard.py --quick    # 3, 2 and 1 (a check that it runs)
    .venv/bin/python bench/idcard.py --no-ui    # the driver only

The reader is the emulator (``drivers.idcard.emulator``) on a pty, the driver the kiosk's
``IdCardReader`` opening it with pyserial at 115200 baud; the card is a made-up resident
card (text and photo). A pty moves bytes at memory speed, so the time measured is the
driver's own (and the emulator's); a real line adds the wire time, and a real reader its
radio read of the card (not modelled here).

- wire: the bytes of one read (find, select, read text+photo: commands and replies) x 10
  bits / 115200.
- one poll cycle: the card placed, then one ``poll()`` of the connected driver (find,
  select, read, decode) until ``on_card``; "x wire" is the driver's overhead as a ratio.
- poll loop: the driver's own thread at the kiosk's poll interval (0.1 s); the card placed
  at a random moment; until ``on_card``. The wait for the next poll is most of it.
- on screen (a child process: Kivy offscreen, its own KIVY_HOME): the kiosk app on the
  emulated devices, on 身份核验 for 残疾人两项补贴; the card placed until the identify
  screen's result holds the masked name (李*明), and until the next frame drawn after it
  (the window's ``on_flip``). Split: driver (placed → ``on_card`` on the driver thread),
  hand-over to the main thread (→ the label set), drawing (→ the frame drawn). Frames
  run at Kivy's 60 fps cap, as in the kiosk.

Times are wall milliseconds (``time.perf_counter``); other work on the machine inflates them.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402

from drivers.idcard import protocol as p  # noqa: E402
from drivers.idcard.card import encode_read_payload  # noqa: E402
from drivers.idcard.samples import LI_XIAOMING  # noqa: E402  (a made-up citizen)

BAUD = 115200
KIOSK_POLL = 0.1  # IdCardReader's default poll interval, as kiosk/ui/devices.py builds it
MASKED = "李*明"


def machine() -> str:
    return describe('pyserial', 'Kivy')


def exchange_bytes() -> int:
    """Bytes on the line for one read: find (found), select, read text+photo."""
    replies = (p.encode_reply(p.SW3_FOUND, bytes(4)), p.encode_reply(p.SW3_OK, bytes(8)),
               p.encode_reply(p.SW3_OK, encode_read_payload(LI_XIAOMING)))
    commands = (p.FIND_CARD, p.SELECT_CARD, p.READ_TEXT_PHOTO)
    return sum(len(p.encode_command(c)) for c in commands) + sum(len(r) for r in replies)


def wire_ms() -> float:
    return exchange_bytes() * 10 / BAUD * 1000


def stats(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def row(what: str, times: list[float], wire: float) -> None:
    med, p95 = stats(times)
    print(f"{what:46} {len(times):4d} {med:8.1f} {p95:8.1f} {med / wire:7.3f}")


def header() -> None:
    print(f"{'what':46} {'n':>4} {'med ms':>8} {'p95 ms':>8} {'x wire':>7}")


def wait_until(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the reader did not get there in time")
        time.sleep(0.005)


# -- the driver alone -------------------------------------------------------------------
def one_cycle(runs: int) -> list[float]:
    """Card placed, then one poll of the connected driver (its own thread kept asleep)."""
    from drivers.health import DeviceState
    from drivers.idcard.emulator import IdCardEmulator
    from drivers.idcard.reader import IdCardReader

    got: list[tuple[float, object]] = []
    times = []
    with IdCardEmulator() as emu:
        reader = IdCardReader(emu.path, baudrate=BAUD, poll_interval=3600.0,
                              on_card=lambda card: got.append((time.perf_counter(), card)))
        reader.start()
        try:
            wait_until(lambda: reader.health.state is DeviceState.ONLINE)
            time.sleep(0.05)  # the loop's first poll (no card) is over; it sleeps now
            for _ in range(runs):
                got.clear()
                emu.place(LI_XIAOMING)
                t0 = time.perf_counter()
                reader.poll()
                if not got or got[0][1].id_number != LI_XIAOMING.id_number:
                    raise RuntimeError("the driver did not deliver the card placed")
                times.append((got[0][0] - t0) * 1000)
                emu.lift()
                reader.poll()  # sees it lifted
        finally:
            reader.stop()
    return times


def poll_loop(runs: int) -> list[float]:
    """Card placed at a random moment; the driver's thread polling every 0.1 s."""
    from drivers.health import DeviceState
    from drivers.idcard.emulator import IdCardEmulator
    from drivers.idcard.reader import IdCardReader

    arrived = threading.Event()
    stamp: list[float] = []

    def on_card(card) -> None:
        stamp.append(time.perf_counter())
        arrived.set()

    times = []
    rng = random.Random(8)
    with IdCardEmulator() as emu:
        reader = IdCardReader(emu.path, baudrate=BAUD, poll_interval=KIOSK_POLL, on_card=on_card)
        reader.start()
        try:
            wait_until(lambda: reader.health.state is DeviceState.ONLINE)
            for _ in range(runs):
                time.sleep(rng.uniform(0, KIOSK_POLL))
                arrived.clear()
                stamp.clear()
                emu.place(LI_XIAOMING)
                t0 = time.perf_counter()
                if not arrived.wait(30):
                    raise RuntimeError("the driver did not deliver the card placed")
                times.append((stamp[0] - t0) * 1000)
                emu.lift()
                wait_until(lambda: not reader.health.snapshot().detail.get("card_present"))
        finally:
            reader.stop()
    return times


# -- on screen (child process) ------------------------------------------------------------
def child_env(home: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1", KIVY_NO_FILELOG="1", KIVY_HOME=home,
               SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy", KIOSK_VOICE="off")
    return env


def on_screen(runs: int) -> list[str]:
    """Run the UI part in a child process; its result lines ("ui <what> <ms> ...")."""
    with tempfile.TemporaryDirectory(prefix="bench-kivy-") as home:
        done = subprocess.run([sys.executable, __file__, "--ui-child", str(runs)], env=child_env(home),
                              capture_output=True, text=True, timeout=600)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("ui ")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise RuntimeError("the on-screen part failed: " + " | ".join(tail))
    return lines


def ui_child(runs: int) -> int:
    from kiosk.catalog.loader import load_shipped
    from kiosk.config import parse_config
    from kiosk.session import State
    from kiosk.simulation.touch import PORTRAIT, ManualClock, UiDriver, mount, prepare_window, unmount, window
    from kiosk.ui.app import KioskApp
    from kiosk.ui.devices import DeviceHub
    from kiosk.ui.services import Services
    from kiosk.ui.theme import register_cjk_font

    prepare_window(PORTRAIT)
    register_cjk_font()
    with tempfile.TemporaryDirectory(prefix="bench-idcard-") as tmp:
        config = parse_config({
            "identity": {"device_id": "ZZ-EQ-0001", "maintainer": "二七区政务服务中心",
                         "phone": "0371-68665010", "location": "大学路街道便民服务中心大厅"},
            "backend": {"url": "http://127.0.0.1:9", "connect_timeout_s": 0.5},
            "paths": {"data_dir": f"{tmp}/data", "runtime_dir": f"{tmp}/run",
                      "data_key": f"{tmp}/data.key"}}, "bench")
        hub = DeviceHub.simulated()
        services = Services(config, hub, catalog=load_shipped(), monotonic=ManualClock())
        window().size = PORTRAIT
        app = KioskApp(services, hardened=False)
        mount(app, PORTRAIT)
        ui = UiDriver(app)
        ui.check_shown = False
        marks: dict[str, float] = {}
        try:
            ui.wait(lambda: hub.available("idcard") and hub.available("camera"), timeout=60)
            rig, reader = hub.rig, hub.rig.idcard
            handed_on = reader.on_card

            def on_card(card) -> None:  # the driver thread's callback, timed, then as before
                marks.setdefault("driver", time.perf_counter())
                handed_on(card)
            reader.on_card = on_card

            def on_result(_screen, text) -> None:
                if MASKED in text:
                    marks.setdefault("set", time.perf_counter())

            def on_flip(*_args) -> None:
                if "set" in marks:
                    marks.setdefault("drawn", time.perf_counter())
            window().bind(on_flip=on_flip)
            item = next(i for i in services.catalog.items if i.code == "zz-cjrlxbt")
            bound = False
            for _ in range(runs):
                app.choose_item(item)
                ui.idle(2)
                ui.tap(ui.screen.ids.start_button)
                ui.wait(lambda: ui.screen_name == "identify", timeout=30)
                if not bound:
                    ui.screen.bind(result=on_result)
                    bound = True
                ui.idle(3)
                marks.clear()
                rig.idcard_emu.place(LI_XIAOMING)
                marks["placed"] = time.perf_counter()
                ui.wait(lambda: "drawn" in marks, timeout=30)
                print("ui", *(f"{(marks[k] - marks['placed']) * 1000:.2f}" for k in ("driver", "set", "drawn")),
                      flush=True)
                ui.wait(lambda: services.session.state is State.FACE, timeout=30)
                ui.idle(2)
                ui.tap(ui.screen.ids.cancel_button)
                rig.idcard_emu.lift()
                ui.wait(lambda: not reader.health.snapshot().detail.get("card_present")
                        and services.session.state is State.HOME, timeout=30)
        finally:
            unmount(app)
            hub.stop()
    return 0


def ui_rows(lines: list[str], wire: float) -> None:
    driver, set_, drawn = ([float(ln.split()[i]) for ln in lines] for i in (1, 2, 3))
    row("on screen: placed → masked name drawn", drawn, wire)
    row("  placed → on_card (driver thread)", driver, wire)
    row("  on_card → label set (main thread)", [s - d for s, d in zip(set_, driver)], wire)
    row("  label set → frame drawn", [d - s for d, s in zip(drawn, set_)], wire)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=40, help="single poll cycles timed")
    parser.add_argument("--loops", type=int, default=20, help="reads with the poll thread")
    parser.add_argument("--screens", type=int, default=8, help="cards placed on the UI")
    parser.add_argument("--quick", action="store_true", help="3, 2 and 1 (does it run)")
    parser.add_argument("--no-ui", action="store_true", help="skip the on-screen part")
    parser.add_argument("--ui-child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.ui_child:
        return ui_child(args.ui_child)
    cycles, loops, screens = (3, 2, 1) if args.quick else (args.cycles, args.loops, args.screens)
    wire = wire_ms()
    print(machine())
    print(f"one read on the line: {exchange_bytes()} bytes = {wire:.1f} ms at {BAUD} baud (8N1)\n")
    header()
    print(f"{'wire time at 115200 baud (the limit)':46} {'':>4} {wire:8.1f} {'':>8} {1:7.3f}")
    row("driver: one poll cycle (find+select+read)", one_cycle(max(1, cycles)), wire)
    row(f"driver: placed → on_card, polling every {KIOSK_POLL:g} s", poll_loop(max(1, loops)), wire)
    if not args.no_ui and screens > 0:
        ui_rows(on_screen(screens), wire)
    print("\nA pty adds no wire time: on a real line add the wire row (and the reader's own"
          " radio read) to the driver's rows.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
