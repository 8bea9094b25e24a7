"""Screenshots of the built screens, to look at: run under Xvfb (offscreen SDL gives black).

    xvfb-run -a -s "-screen 0 1920x1920x24" env SDL_VIDEODRIVER=x11 \\
        .venv/bin/python -m tests.ui.shot OUT_DIR

Saves home, elder home, catalog, catalog with the camera down, guide, working, idle
countdown and out_of_service, each in portrait (1080×1920) and landscape (1920×1080).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "x11")

os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))

from tests.ui.conftest import LANDSCAPE, PORTRAIT, build_kiosk, close_kiosk, window  # noqa: E402


def save(kiosk, out: Path, name: str) -> None:
    kiosk.idle(4)
    made = window().screenshot(name=str(out / f"{name}.png"))
    shutil.move(made, out / f"{name}.png")
    print(out / f"{name}.png")


def shoot(out: Path, size: tuple[int, int], tag: str) -> None:
    from drivers.health import DeviceState
    from kiosk.agent.spool import CommandSpool

    with tempfile.TemporaryDirectory() as tmp:
        k = build_kiosk(Path(tmp), size=size)
        try:
            save(k, out, f"{tag}-home")
            k.tap(k.screen.ids.elder_button)
            save(k, out, f"{tag}-home-elder")
            k.tap(k.screen.ids.elder_button)
            k.tap(k.screen.ids.tile_apply)
            save(k, out, f"{tag}-catalog")
            k.devices["camera"].set(DeviceState.OFFLINE)
            k.idle(3)
            save(k, out, f"{tag}-catalog-camera-down")
            k.devices["camera"].set(DeviceState.ONLINE)
            k.idle(3)
            k.tap(k.screen.item_tiles["zz-gljt"])
            save(k, out, f"{tag}-guide")
            k.tap(k.screen.ids.start_button)
            save(k, out, f"{tag}-working-planned")
            k.clock.advance(k.session.idle_timeout_s)
            k.app.tick()
            save(k, out, f"{tag}-idle-countdown")
            k.tap(k.app.overlay.ids.continue_button)
            k.tap(k.screen.ids.cancel_button)
            CommandSpool(k.services.runtime_dir).enqueue("m1", "enter_maintenance", {})
            k.services.poll_spool()
            save(k, out, f"{tag}-out-of-service")
        finally:
            close_kiosk(k)


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "shots").resolve()
    out.mkdir(parents=True, exist_ok=True)
    shoot(out, PORTRAIT, "portrait")
    shoot(out, LANDSCAPE, "landscape")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
