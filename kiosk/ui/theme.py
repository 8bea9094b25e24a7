"""The look of the kiosk: calm, high-contrast colours, large sizes, and the CJK font.

Sizes: a touch target is at least 15 mm; on a 21.5" 1080×1920 panel (about 102 dpi) that
is 60 px, so :data:`TOUCH` is 64 px at scale 1. :class:`Theme` carries ``scale`` so that
长辈模式 grows text and targets (kv rules read ``app.theme.px(n)`` and ``app.theme.sp(n)``,
which are bound to ``scale``).

Font: :func:`register_cjk_font` finds a CJK font at run time and registers it under
Kivy's default name ``Roboto``, so every Label shows Chinese without naming a font. It
must run before any text texture is made. No font → :class:`FontMissing`, naming the
Debian package to install.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

# -- colours (RGBA, 0..1) -------------------------------------------------------------------
BG = (0.96, 0.97, 0.98, 1)
SURFACE = (1, 1, 1, 1)
HEADER = (0.05, 0.28, 0.55, 1)  # government blue
ON_HEADER = (1, 1, 1, 1)
PRIMARY = (0.05, 0.38, 0.72, 1)
ON_PRIMARY = (1, 1, 1, 1)
SECONDARY = (0.88, 0.92, 0.97, 1)
ON_SECONDARY = (0.05, 0.22, 0.45, 1)
TEXT = (0.10, 0.12, 0.15, 1)
MUTED = (0.35, 0.38, 0.43, 1)
DISABLED = (0.86, 0.87, 0.89, 1)
ON_DISABLED = (0.42, 0.44, 0.48, 1)
WARN = (0.72, 0.12, 0.10, 1)
OK = (0.10, 0.50, 0.22, 1)
FOOTER = (0.90, 0.92, 0.95, 1)
SCRIM = (0.0, 0.0, 0.0, 0.62)

#: Smallest touch target, in pixels at scale 1 (≥ 15 mm on the 21.5" panel).
TOUCH = 64
ELDER_SCALE = 1.25

# -- fonts ------------------------------------------------------------------------------------
FONT_NAME = "Roboto"  # Kivy's default: registering over it reaches every Label
PACKAGES = ("fonts-noto-cjk", "fonts-wqy-microhei")
#: Known places, best first (a Simplified-Chinese face before a pan-CJK collection).
SEARCH_PATHS: list[str] = [
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/opentype/noto/NotoSansSC-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
]
#: Ask fontconfig too (tests turn this off to simulate a machine without CJK fonts).
USE_FONTCONFIG = True
_CJK_HINTS = ("cjk", "wqy", "sc-", "sc.", "hei", "song", "kai", "droidsansfallback")


class FontMissing(RuntimeError):
    """No CJK font is installed; the message names the package to install."""

    def __init__(self) -> None:
        super().__init__("no Chinese (CJK) font found; install one: "
                         f"sudo apt-get install {PACKAGES[0]} (or {PACKAGES[1]})")


def _fontconfig_match() -> str | None:
    if not USE_FONTCONFIG or shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", "sans-serif:lang=zh-cn"],
                             capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    name = os.path.basename(out).lower()
    if out and os.path.isfile(out) and any(h in name for h in _CJK_HINTS):
        return out
    return None


def find_cjk_font() -> tuple[str, str | None]:
    """(regular, bold or None): known paths first, then fontconfig; :class:`FontMissing`."""
    for path in SEARCH_PATHS:
        if os.path.isfile(path):
            return path, _bold_of(path)
    found = _fontconfig_match()
    if found:
        return found, _bold_of(found)
    raise FontMissing()


def _bold_of(path: str) -> str | None:
    p = Path(path)
    for name in (p.name.replace("Regular", "Bold"), p.name.replace("Regular", "Medium")):
        candidate = p.with_name(name)
        if candidate != p and candidate.is_file():
            return str(candidate)
    return None


def register_cjk_font() -> str:
    """Register the CJK font as Kivy's default; returns its path. Call before any text."""
    from kivy.core.text import LabelBase

    regular, bold = find_cjk_font()
    LabelBase.register(FONT_NAME, fn_regular=regular, fn_bold=bold or regular)
    log.info("CJK font: %s", regular)
    return regular


# -- the scalable theme -----------------------------------------------------------------------
def _theme_class():
    from kivy.event import EventDispatcher
    from kivy.metrics import dp
    from kivy.properties import NumericProperty

    class Theme(EventDispatcher):
        """Colours and sizes for kv rules; ``scale`` grows in 长辈模式."""

        scale = NumericProperty(1.0)

        def px(self, n: float, scale: float | None = None) -> float:
            """A length: ``n`` density-independent pixels, scaled."""
            return dp(n) * (self.scale if scale is None else scale)

        def sp(self, n: float, scale: float | None = None) -> float:
            """A font size (kv: ``font_size: app.theme.sp(28, app.theme.scale)`` binds)."""
            return dp(n) * (self.scale if scale is None else scale)

        @property
        def touch(self) -> float:
            return max(TOUCH, dp(TOUCH)) * self.scale

        def set_elder(self, on: bool) -> None:
            self.scale = ELDER_SCALE if on else 1.0

    for key, value in globals().items():
        if key.isupper() and isinstance(value, tuple) and len(value) == 4:
            setattr(Theme, key.lower(), value)
    return Theme


def make_theme():
    return _theme_class()()
