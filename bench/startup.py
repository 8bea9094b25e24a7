"""How long the kiosk takes to an interactive home screen, what it holds in memory, and how
long a tap takes to reach the next screen's drawn frame; a minimal Kivy app beside it.

    .venv/bin/python bench/startup.py            # 5 runs of each app
    .venv/bin/python bench/startup.py --quick    # 1 run of each (the tests' way)

Each run is a fresh child process (this script with ``--child``) under
``SDL_VIDEODRIVER=offscreen``:

- ``kiosk``: ``kiosk --simulate`` itself (:func:`kiosk.main.main`): the real app with its
  hardened Kivy settings, on a 1080×1920 portrait screen, every device emulated behind its real driver, the reference county backend
  on loopback with the agent delivering to it;
- ``minimal``: a Kivy app of one Label with the same Kivy settings and the same CJK font
  registration (:func:`kiosk.ui.theme.register_cjk_font`): the floor for any Kivy app here.

"Interactive" is the first frame drawn (the window's ``on_flip``) after ``on_start`` with
the home screen current: from then on a touch is handled. The time is wall clock from just
before the child is spawned (interpreter start and imports included); RSS is the child's
resident memory at that moment.

Then, in each kiosk child, transitions driven by Kivy's ``UnitTestTouch`` (a finger down and
up through the window's own dispatch, as the UI tests do): tap a 常办事项 tile on home → the
guide screen's first drawn frame, and tap 取消 on the guide → home's first drawn frame;
between two, a pause of 2.5 s (home collects garbage 2 s after a visit). Each is given as
wall time and as the main thread's CPU time over the same span (``time.thread_time``: what
the UI thread itself spent, whatever else the machine runs). Last, the kiosk's CPU use
(every thread) over 3 s idle on home. The figures are median and p95 over all runs. Wall
times depend on what else the machine runs: read them side by side, not alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402

MARK = "BENCH "
SCREEN = (1080, 1920)  # the kiosk's portrait touch screen
PAUSE = 2.5  # seconds between two transitions: after the garbage collection home schedules
IDLE = 3.0  # seconds on home, after the transitions, over which the kiosk's CPU use is taken


def machine() -> str:
    return describe('kivy', 'sqlalchemy', 'fastapi', 'uvicorn', 'requests')


# -- the children ---------------------------------------------------------------------------------
def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


class Watch:
    """Called on every drawn frame: records when ``ready()`` first holds, then plays ``script``."""

    def __init__(self, ready, script=None) -> None:
        self.ready, self.script = ready, script
        self.result: dict = {}

    def arm(self, _dt=0) -> None:  # the first Clock frame: on_start has been dispatched
        from kivy.core.window import Window

        self.armed = time.perf_counter()
        Window.bind(on_flip=self.flipped)

    def flipped(self, *_args) -> None:
        from kivy.app import App
        from kivy.clock import Clock
        from kivy.core.window import Window

        if not self.ready():
            if time.perf_counter() - self.armed > 60:
                Window.unbind(on_flip=self.flipped)
                self.result["error"] = "not ready 60 s after on_start"
                self.finish(App.get_running_app())
            return
        self.result.update(interactive_at=time.time(), rss_mb=_rss_mb())
        Window.unbind(on_flip=self.flipped)
        if self.script is None:
            Clock.schedule_once(lambda dt: self.finish(App.get_running_app()), 0)
        else:
            self.script(self)

    def finish(self, app) -> None:
        self.result["rss_end_mb"] = _rss_mb()
        print(MARK + json.dumps(self.result), flush=True)
        app.stop()


def portrait_screen() -> None:
    """The kiosk's own Kivy settings (``configure_kivy``, hardened), on a 1080×1920 portrait
    screen: under offscreen SDL "full screen" would be SDL's 1024×768 desktop."""
    import kiosk.ui.app as app_module

    kiosk_settings = app_module.configure_kivy

    def configure(hardened: bool = True) -> None:
        kiosk_settings(hardened)
        windowed_portrait()

    app_module.configure_kivy = configure  # what kiosk.ui.app.run() calls


def windowed_portrait() -> None:
    from kivy.config import Config as KivyConfig

    KivyConfig.set("graphics", "fullscreen", "0")
    KivyConfig.set("graphics", "width", str(SCREEN[0]))
    KivyConfig.set("graphics", "height", str(SCREEN[1]))


def child_minimal() -> int:
    """One Label: the settings ``configure_kivy(hardened=True)`` makes, written out here so
    that the kiosk's modules are not imported, and the same CJK font registration."""
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.config import Config as KivyConfig
    from kivy.uix.label import Label

    from kiosk.ui.theme import register_cjk_font

    for section, option, value in (("kivy", "exit_on_escape", "0"), ("graphics", "allow_screensaver", "0"),
                                   ("graphics", "borderless", "1"), ("graphics", "show_cursor", "0")):
        KivyConfig.set(section, option, value)
    for option in KivyConfig.options("input"):
        KivyConfig.remove_option("input", option)
    windowed_portrait()
    register_cjk_font()

    class Minimal(App):
        def build(self):
            return Label(text="政务服务自助一体机", font_size=48)

    watch = Watch(ready=lambda: True)
    Clock.schedule_once(watch.arm, 0)
    Minimal().run()
    return 0 if watch.result else 1


class Transitions:
    """Tap a frequent item on home → guide drawn; tap 取消 → home drawn; ``count`` times."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.forth: list[float] = []
        self.back: list[float] = []
        self.cpu_forth: list[float] = []
        self.cpu_back: list[float] = []
        self.want = ""
        self.tapped = 0.0

    def __call__(self, watch: Watch) -> None:
        from kivy.clock import Clock

        self.watch = watch
        Clock.schedule_once(self.tap_tile, PAUSE)

    @property
    def app(self):
        from kivy.app import App

        return App.get_running_app()

    def _tap(self, widget, want: str) -> None:
        from kivy.core.window import Window
        from kivy.tests.common import UnitTestTouch

        self.want = want
        Window.bind(on_flip=self.drawn)
        x, y = widget.to_window(*widget.center)
        self.tapped, self.tapped_cpu = time.perf_counter(), time.thread_time()
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()

    def tap_tile(self, _dt=0) -> None:
        home = self.app.manager.current_screen
        tiles = list(reversed(home.ids.frequent_grid.children))
        self._tap(tiles[len(self.forth) % len(tiles)], "guide")

    def drawn(self, *_args) -> None:
        from kivy.clock import Clock
        from kivy.core.window import Window

        if self.app.manager.current != self.want:
            if time.perf_counter() - self.tapped > 60:
                self.watch.result["error"] = (f"{self.want} not shown 60 s after the tap "
                                              f"(showing {self.app.manager.current})")
                Window.unbind(on_flip=self.drawn)
                self.watch.finish(self.app)
            return
        took, cpu = time.perf_counter() - self.tapped, time.thread_time() - self.tapped_cpu
        Window.unbind(on_flip=self.drawn)
        if self.want == "guide":
            self.forth.append(took)
            self.cpu_forth.append(cpu)
            Clock.schedule_once(lambda dt: self._tap(self.app.manager.current_screen.ids.cancel_button, "home"), 0.3)
            return
        self.back.append(took)
        self.cpu_back.append(cpu)
        if len(self.back) < self.count:
            Clock.schedule_once(self.tap_tile, PAUSE)
            return
        self.watch.result.update(to_guide=self.forth, to_home=self.back, cpu_to_guide=self.cpu_forth,
                                 cpu_to_home=self.cpu_back)
        Clock.schedule_once(self.idle_start, PAUSE)

    def idle_start(self, _dt=0) -> None:
        from kivy.clock import Clock

        self.idle_from = (time.perf_counter(), time.process_time())
        Clock.schedule_once(self.idle_end, IDLE)

    def idle_end(self, _dt=0) -> None:
        wall, cpu = (now - then for now, then in zip((time.perf_counter(), time.process_time()), self.idle_from))
        self.watch.result["idle_cpu"] = cpu / wall
        self.watch.finish(self.app)


def child_kiosk(transitions: int) -> int:
    from kivy.app import App
    from kivy.clock import Clock

    from kiosk.main import main

    portrait_screen()

    def home_current() -> bool:
        app = App.get_running_app()
        return getattr(app, "manager", None) is not None and app.manager.current == "home"

    watch = Watch(ready=home_current, script=Transitions(transitions) if transitions else None)
    Clock.schedule_once(watch.arm, 0)
    code = main(["--simulate"])
    return code if watch.result else 1


# -- the parent -----------------------------------------------------------------------------------
def run_child(kind: str, transitions: int, timeout: float) -> dict:
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy", KIVY_NO_ARGS="1",
               KIVY_NO_CONSOLELOG="1", KIVY_NO_FILELOG="1")
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as home:
        env["KIVY_HOME"] = home
        spawned = time.time()
        proc = subprocess.run([sys.executable, __file__, "--child", kind, "--transitions", str(transitions)],
                              env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARK)]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{kind} child exited {proc.returncode}: " + " | ".join(tail))
    result = json.loads(lines[-1][len(MARK):])
    if "error" in result:
        raise RuntimeError(f"{kind} child: {result['error']}")
    result["startup_s"] = result["interactive_at"] - spawned
    return result


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def row(name: str, values: list[float], unit: str, scale: float = 1.0) -> str:
    return (f"{name:<34} {len(values):>4} {statistics.median(values) * scale:>10.1f} "
            f"{p95(values) * scale:>10.1f}  {unit}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per app (default 5)")
    parser.add_argument("--transitions", type=int, default=3, help="round trips home → guide → home per run")
    parser.add_argument("--quick", action="store_true", help="1 run of each app, 2 round trips")
    parser.add_argument("--timeout", type=float, default=180, help="seconds a child may take")
    parser.add_argument("--child", choices=("kiosk", "minimal"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "minimal":
        return child_minimal()
    if args.child == "kiosk":
        return child_kiosk(args.transitions)
    if args.quick:
        args.runs, args.transitions = 1, 2
    print(machine())
    print(f"{args.runs} run(s) of each app, fresh processes, SDL_VIDEODRIVER=offscreen\n")
    kiosk, minimal = [], []
    for _ in range(args.runs):  # interleaved, so that both see the same machine
        minimal.append(run_child("minimal", 0, args.timeout))
        kiosk.append(run_child("kiosk", args.transitions, args.timeout))
    print(f"{'':<34} {'n':>4} {'median':>10} {'p95':>10}")
    print(row("start-up, minimal Kivy app", [r["startup_s"] for r in minimal], "s"))
    print(row("start-up, kiosk --simulate", [r["startup_s"] for r in kiosk], "s"))
    print(row("RSS at interactive, minimal", [r["rss_mb"] for r in minimal], "MB"))
    print(row("RSS at interactive, kiosk", [r["rss_mb"] for r in kiosk], "MB"))
    print(row("RSS after the transitions, kiosk", [r["rss_end_mb"] for r in kiosk], "MB"))
    if args.transitions:
        print(row("tap home tile → guide drawn", [t for r in kiosk for t in r["to_guide"]], "ms", 1000))
        print(row("tap cancel on guide → home drawn", [t for r in kiosk for t in r["to_home"]], "ms", 1000))
        print(row("  main-thread CPU, tap → guide", [t for r in kiosk for t in r["cpu_to_guide"]], "ms", 1000))
        print(row("  main-thread CPU, tap → home", [t for r in kiosk for t in r["cpu_to_home"]], "ms", 1000))
        print(row("CPU of the kiosk idle on home", [r["idle_cpu"] for r in kiosk], "% of a core", 100))
    ratio = statistics.median(r["startup_s"] for r in kiosk) / statistics.median(r["startup_s"] for r in minimal)
    print(f"\nkiosk / minimal start-up (medians): {ratio:.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
