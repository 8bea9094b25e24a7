"""The look of the kiosk: calm, high-contrast colours, large sizes, and the CJK font.

Sizes: a touch target is at least 15 mm; on a 21.5" 1080×1920 panel (about 102 dpi) that
is 60 px, so :data:`TOUCH` is 64 px at scale 1. :class:`Theme` carries ``scale`` so that
长辈模式 grows text and targets (kv rules read ``app.theme.px(n)`` and ``app.theme.sp(n)``,
which are bound to ``scale``).

长辈模式 (:meth:`Theme.set_elder`): ``scale`` becomes :data:`ELDER_SCALE` (1.4: fonts and
targets 1.4×, ``app.theme.touch`` too) and the colours switch to :data:`ELDER_COLOURS`:
black text, dark grey instead of mid grey, stronger borders (``app.theme.border``,
``app.theme.border_width``), white page. Each colour is a Kivy property named in lower
case (``app.theme.text`` for :data:`TEXT`; ``ON_PRIMARY`` is ``app.theme.primary_text``:
:func:`property_name`), so a kv rule that reads ``app.theme.text``
follows the switch; the module constants (``theme.TEXT``) are the normal palette only.

Font: :func:`register_cjk_font` finds a CJK font at run time and registers it under
Kivy's default name ``Roboto``, so every Label shows Chinese without naming a font. It
must run before any text texture is made. No font → :class:`FontMissing`, naming the
Debian package to install.

A font *collection* (``.ttc``, what ``fonts-noto-cjk`` ships) holds several faces, and
Kivy's SDL2 text provider always opens face 0 — in Noto Sans CJK that is the **Japanese**
face (令, 门, 骨, 直 drawn the Japanese way). :func:`simplified_face` therefore copies the
Simplified-Chinese face (family "… SC") out of the collection into a single-face file,
once, in :func:`font_cache_dir`; on any failure the collection is used as it is.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import struct
import subprocess
import tempfile
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
BORDER = (0.80, 0.84, 0.90, 1)  # a tile's outline

#: 长辈模式's palette: what changes from the normal one (every text colour at least 7:1
#: against its background, WCAG's AAA level; outlines dark enough to see).
ELDER_COLOURS: dict[str, tuple[float, float, float, float]] = {
    "BG": (1, 1, 1, 1),
    "TEXT": (0, 0, 0, 1),
    "MUTED": (0.16, 0.17, 0.20, 1),
    "PRIMARY": (0.0, 0.25, 0.55, 1),
    "HEADER": (0.0, 0.20, 0.45, 1),
    "SECONDARY": (0.82, 0.88, 0.96, 1),
    "ON_SECONDARY": (0.0, 0.10, 0.28, 1),
    "DISABLED": (0.80, 0.81, 0.84, 1),
    "ON_DISABLED": (0.20, 0.21, 0.24, 1),
    "WARN": (0.60, 0.05, 0.03, 1),
    "OK": (0.0, 0.36, 0.13, 1),
    "FOOTER": (0.84, 0.87, 0.92, 1),
    "BORDER": (0.12, 0.14, 0.18, 1),
}

#: Smallest touch target, in pixels at scale 1 (≥ 15 mm on the 21.5" panel).
TOUCH = 64
#: 长辈模式: fonts and touch targets this many times their normal size (issue 6: ≥ 1.4×).
ELDER_SCALE = 1.4
#: An outline's width in dp, normally and in 长辈模式.
BORDER_WIDTH = 1.5
ELDER_BORDER_WIDTH = 3.0

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


_registered: dict[tuple, str] = {}


def register_cjk_font() -> str:
    """Register the CJK font as Kivy's default; returns its path. Call before any text.

    Idempotent: a second call (the app after the test harness, the tour) registers nothing
    new and copies no face again."""
    from kivy.core.text import LabelBase

    key = (tuple(SEARCH_PATHS), USE_FONTCONFIG)
    if key in _registered:
        return _registered[key]
    regular, bold = find_cjk_font()
    regular = simplified_face(regular)
    bold = simplified_face(bold) if bold else regular
    LabelBase.register(FONT_NAME, fn_regular=regular, fn_bold=bold)
    log.info("CJK font: %s", regular)
    _registered[key] = regular
    return regular


# -- one face out of a font collection (.ttc) --------------------------------------------------
#: Family-name words that mark a Simplified-Chinese face in a collection.
_SIMPLIFIED_WORDS = ("SC", "CN", "GB")


def font_cache_dir() -> Path:
    """Where single faces are kept: $KIOSK_FONT_CACHE, else $XDG_CACHE_HOME/kiosk/fonts
    (~/.cache/kiosk/fonts)."""
    if os.environ.get("KIOSK_FONT_CACHE"):
        return Path(os.environ["KIOSK_FONT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kiosk" / "fonts"


def simplified_face(path: str, cache_dir: Path | None = None) -> str:
    """A single-face copy of the collection's Simplified-Chinese face, or ``path`` itself
    (not a collection, face 0 is already Simplified, or the copy cannot be made)."""
    if not path.lower().endswith((".ttc", ".otc")):
        return path
    try:
        index = simplified_index(collection_families(path))
        if not index:  # None (no SC face) or 0 (what SDL opens anyway)
            return path
        st = os.stat(path)
        name = f"{Path(path).stem}-{index}-{st.st_size}-{int(st.st_mtime)}.otf"
        for folder in (cache_dir or font_cache_dir(),
                       Path(tempfile.gettempdir()) / f"kiosk-fonts-{os.getuid()}"):
            try:
                dest = folder / name
                if not dest.is_file():
                    folder.mkdir(parents=True, exist_ok=True)
                    extract_face(path, index, dest)
                    for old in folder.glob(f"{Path(path).stem}-{index}-*.otf"):
                        if old != dest:  # from a font package since replaced
                            old.unlink(missing_ok=True)
                return str(dest)
            except OSError as exc:
                log.warning("font: cannot keep a face in %s (%s)", folder, exc)
    except (OSError, ValueError, struct.error) as exc:
        log.warning("font: cannot read the collection %s (%s)", path, exc)
    log.warning("font: %s used as it is (face 0)", path)
    return path


def simplified_index(families: list[str]) -> int | None:
    """The first face whose family names it Simplified (and is not monospaced)."""
    for i, family in enumerate(families):
        words = family.replace("-", " ").split()
        if any(w in _SIMPLIFIED_WORDS for w in words) and "Mono" not in words:
            return i
    return None


def _directory(f, offset: int) -> tuple[bytes, bytes, list[tuple[bytes, int, int, int]]]:
    """An sfnt table directory: (version, search fields, [(tag, checksum, offset, length)])."""
    f.seek(offset)
    version, count = struct.unpack(">4sH", f.read(6))
    search = f.read(6)
    records = [struct.unpack(">4sIII", f.read(16)) for _ in range(count)]
    return version, search, records


def _face_offsets(f) -> list[int]:
    f.seek(0)
    tag, _version, count = struct.unpack(">4sII", f.read(12))
    if tag != b"ttcf" or not 0 < count < 256:
        raise ValueError("not a font collection")
    return list(struct.unpack(f">{count}I", f.read(4 * count)))


def collection_families(path: str) -> list[str]:
    """The family name (name ID 1) of each face in a .ttc."""
    families = []
    with open(path, "rb") as f:
        for offset in _face_offsets(f):
            tables = {t: (o, n) for t, _c, o, n in _directory(f, offset)[2]}
            families.append(_family(f, *tables[b"name"]) if b"name" in tables else "")
    return families


def _family(f, offset: int, length: int) -> str:
    f.seek(offset)
    table = f.read(length)
    _fmt, count, strings = struct.unpack(">HHH", table[:6])
    found = ""
    for i in range(count):
        platform, _enc, _lang, name_id, size, at = struct.unpack(
            ">HHHHHH", table[6 + 12 * i:18 + 12 * i])
        if name_id != 1:
            continue
        raw = table[strings + at:strings + at + size]
        if platform in (0, 3):
            return raw.decode("utf-16-be", "replace")
        found = found or raw.decode("latin-1")
    return found


def extract_face(path: str, index: int, dest: Path) -> None:
    """Write face ``index`` of the collection ``path`` as a single-face font at ``dest``
    (tables copied byte for byte; written to a temporary name, then renamed)."""
    with open(path, "rb") as f:
        offsets = _face_offsets(f)
        if not 0 <= index < len(offsets):
            raise ValueError(f"no face {index}")
        version, search, records = _directory(f, offsets[index])
        records.sort()
        at, layout = 12 + 16 * len(records), []
        for tag, checksum, offset, length in records:
            layout.append((tag, checksum, at, length, offset))
            at += (length + 3) & ~3
        tmp = dest.with_name(f"{dest.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as out:
                out.write(struct.pack(">4sH", version, len(records)) + search)
                for tag, checksum, new, length, _old in layout:
                    out.write(struct.pack(">4sIII", tag, checksum, new, length))
                for _tag, _checksum, _new, length, old in layout:
                    f.seek(old)
                    data = f.read(length)
                    if len(data) != length:
                        raise ValueError("collection is cut short")
                    out.write(data + b"\0" * (-length % 4))
            os.replace(tmp, dest)
        finally:
            if tmp.exists():
                tmp.unlink()


# -- the scalable theme -----------------------------------------------------------------------
def colour_names() -> list[str]:
    """The palette's names (``TEXT``, ``MUTED`` …): every RGBA constant of this module."""
    return [key for key, value in globals().items()
            if key.isupper() and isinstance(value, tuple) and len(value) == 4]


def property_name(name: str) -> str:
    """The Theme property of a colour: ``TEXT`` → ``text``; ``ON_PRIMARY`` → ``primary_text``
    (Kivy would take a property called ``on_primary`` for the handler of ``primary``)."""
    lower = name.lower()
    return f"{lower[3:]}_text" if lower.startswith("on_") else lower


def palette(elder: bool) -> dict[str, tuple[float, float, float, float]]:
    """Every colour by name, normal or 长辈模式."""
    normal = {name: globals()[name] for name in colour_names()}
    return {**normal, **ELDER_COLOURS} if elder else normal


def contrast(fg: tuple, bg: tuple) -> float:
    """WCAG contrast ratio of two opaque colours (1 … 21)."""
    def luminance(c: tuple) -> float:
        lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c[:3]]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@functools.cache
def _theme_class():
    from kivy.event import EventDispatcher
    from kivy.metrics import dp
    from kivy.properties import BooleanProperty, ColorProperty, NumericProperty

    class Theme(EventDispatcher):
        """Colours and sizes for kv rules; ``scale`` grows and the colours darken in 长辈模式."""

        scale = NumericProperty(1.0)
        elder = BooleanProperty(False)
        #: The smallest touch target in pixels, scaled (kv: ``max(app.theme.touch, …)``).
        touch = NumericProperty(TOUCH)
        border_width = NumericProperty(BORDER_WIDTH)

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._apply()

        def px(self, n: float, scale: float | None = None) -> float:
            """A length: ``n`` density-independent pixels, scaled."""
            return dp(n) * (self.scale if scale is None else scale)

        def sp(self, n: float, scale: float | None = None) -> float:
            """A font size (kv: ``font_size: app.theme.sp(28, app.theme.scale)`` binds)."""
            return dp(n) * (self.scale if scale is None else scale)

        def set_elder(self, on: bool) -> None:
            """长辈模式 on or off: sizes, target sizes, colours and outlines together."""
            self.elder = bool(on)
            self._apply()

        def _apply(self) -> None:
            self.scale = ELDER_SCALE if self.elder else 1.0
            self.touch = max(TOUCH, dp(TOUCH)) * self.scale
            self.border_width = dp(ELDER_BORDER_WIDTH if self.elder else BORDER_WIDTH)
            for name, value in palette(self.elder).items():
                setattr(self, property_name(name), value)

    # one ColorProperty per colour (``text``, ``muted`` …), made with the class so Kivy sees them
    attrs = {property_name(name): ColorProperty(list(globals()[name])) for name in colour_names()}
    return type("Theme", (Theme,), attrs)


def make_theme():
    return _theme_class()()
