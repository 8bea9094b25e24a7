"""Why text in the kiosk is slow: fonts, Chinese wrapping, and what a screen build costs.

    .venv/bin/python bench/ui_labels.py            # all three parts (~1 minute, prints figures)
    .venv/bin/python bench/ui_labels.py --profile  # plus cProfile of catalog → guide

Runs under offscreen SDL like the tests. Times are CPU seconds of this process
(``time.process_time``) so that other work on the machine does not blur them; wall
seconds are shown beside where it matters.

1. fonts: opening a font at a new size, and making N label textures with Chinese text,
   for the Noto collection as installed (.ttc, face 0 = Japanese), its Simplified face
   copied out (what kiosk.ui.theme registers now), Droid Sans Fallback (one face .ttf),
   and Kivy's Roboto (no Chinese glyphs: boxes; the floor).
2. wrapping: a Chinese paragraph in a width-bounded Label (Kivy measures ever longer
   prefixes) against CJKLabel (each piece once, each line once).
3. screens: build_kiosk, home → catalog → guide, close; three times, with Python's garbage
   collector as it is, and with ``gc.freeze()`` after start-up and after each build
   (``gc.unfreeze()`` before the close); each in a fresh process.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import tests.conftest  # noqa: E402,F401  (SDL offscreen, quiet Kivy)

NOTO = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
DROID = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
SHORT = "高龄津贴申领"
PARAGRAPH = ("申请人须年满八十周岁，具有本市户籍，并在二七区居住满一年；本人或委托代理人持身份证原件"
             "到街道便民服务中心办理，工作人员当场审核。") * 2


def cpu() -> float:
    return time.process_time()


def fonts(n: int) -> None:
    from kivy.core.text import Label as CoreLabel

    from kiosk.ui.theme import simplified_face

    sc_face = simplified_face(NOTO) if os.path.isfile(NOTO) else ""
    candidates = [("noto .ttc (face 0, JP)", NOTO), ("noto SC face (.otf copy)", sc_face),
                  ("droid fallback .ttf", DROID), ("kivy Roboto (no CJK)", "Roboto")]
    print(f"\n1. fonts — {n} labels each")
    print(f"{'font':28} {'open/size ms':>12} {'short tex ms':>12} {'para tex ms':>12}")
    for name, font in candidates:
        if font != "Roboto" and not os.path.isfile(font):
            print(f"{name:28} (not installed)")
            continue
        if font == "Roboto":  # Kivy's own file, not the CJK font registered over the name
            from kivy import kivy_data_dir
            font = os.path.join(kivy_data_dir, "fonts", "Roboto-Regular.ttf")
        t = cpu()
        for size in range(100, 130):  # sizes nobody used yet: each opens the file
            label = CoreLabel(text="字", font_name=font, font_size=size)
            label.resolve_font_name()
            label.get_extents("字")
        opened = (cpu() - t) / 30 * 1000
        row = []
        for text, bound in ((SHORT, None), (PARAGRAPH, 600)):
            t = cpu()
            for i in range(n):
                label = CoreLabel(text=text, font_name=font, font_size=28 + i % 3,
                                  text_size=(bound, None))
                label.refresh()
                label.texture.bind()  # the upload happens here
            row.append((cpu() - t) / n * 1000)
        print(f"{name:28} {opened:12.2f} {row[0]:12.2f} {row[1]:12.2f}")


def wrapping(n: int) -> None:
    from kivy.uix.label import Label

    from kiosk.ui.widgets.cjk_text import CJKLabel

    print(f"\n2. wrapping one {len(PARAGRAPH)}-character paragraph at 600 px, {n} times")
    for cls in (Label, CJKLabel):
        measured = [0]
        label = cls(text=PARAGRAPH, font_size=28, text_size=(600, None))
        core = label._label
        real = core.get_extents

        def counting(s, real=real):
            measured[0] += len(s)
            return real(s)

        core.get_extents = counting
        core.get_cached_extents = lambda counting=counting: counting
        t = cpu()
        for i in range(n):
            label.text = PARAGRAPH + str(i % 2)  # a new text each time: no cache helps
            label.texture_update()
        per = (cpu() - t) / n * 1000
        lines = len(core._cached_lines)
        starts = sum(1 for line in core._cached_lines
                     if line.words and line.words[0].text[:1] in "，。；、")
        print(f"{cls.__name__:9} {per:7.2f} ms/label  {measured[0] // n:6d} chars measured/label"
              f"  {lines} lines, {starts} starting with punctuation")


def screens(policy: str, profile: bool) -> None:
    import cProfile
    import pstats

    from tests.ui.conftest import build_kiosk, close_kiosk

    paused = [0.0, 0]

    def watch(phase, info):
        if phase == "start":
            watch.t = cpu()
        else:
            paused[0] += cpu() - watch.t
            paused[1] += info["generation"] == 2

    gc.callbacks.append(watch)
    if policy == "freeze":
        gc.freeze()  # Kivy, the catalog, the modules: never garbage
    for cycle in range(3):
        paused[:] = [0.0, 0]
        t, w = cpu(), time.perf_counter()
        kiosk = build_kiosk(Path(tempfile.mkdtemp(prefix="bench-ui-")))
        if policy == "freeze":
            gc.freeze()  # the built screens live as long as the app
        built = cpu() - t
        prof = cProfile.Profile() if profile and cycle == 2 else None
        t2 = cpu()
        if prof:
            prof.enable()
        kiosk.tap(kiosk.screen.ids.tile_apply)
        kiosk.tap(kiosk.screen.item_tiles["zz-gljt"])
        kiosk.idle(3)
        if prof:
            prof.disable()
        nav = cpu() - t2
        if policy == "freeze":
            gc.unfreeze()  # the app goes: let its objects be collected (once)
        close_kiosk(kiosk)
        del kiosk
        print(f"{policy:7} cycle {cycle}: build {built:5.2f}s  catalog→guide {nav:5.2f}s  "
              f"whole cycle {cpu() - t:5.2f}s (wall {time.perf_counter() - w:5.2f}s), "
              f"of which gc {paused[0]:5.2f}s in {paused[1]} full collections")
        if prof:
            pstats.Stats(prof).sort_stats("tottime").print_stats(12)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--screens"]:
        screens(argv[1], "--profile" in argv)
        return 0
    from tests.ui.conftest import window

    window()
    n = 50
    fonts(n)
    wrapping(n)
    print("\n3. screens — build_kiosk, then home → catalog → guide (CPU s), a fresh process each")
    for policy in ("default", "freeze"):
        subprocess.run([sys.executable, __file__, "--screens", policy, *argv], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
