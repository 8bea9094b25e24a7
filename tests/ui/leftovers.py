"""What a visit left behind: the checker behind "no personal data survives a session".

``leftovers(app, secrets, folders)`` returns human-readable findings (an empty list: nothing
found) from every place the citizen's data could linger once a session has ended:

- **widgets**: every widget of every screen (shown or not, and those kept in ``ids`` or in
  a screen's attributes), the countdown overlay and whatever sits on the window: every Kivy
  property that holds text or a list/dict of it, the plain attributes (``FormFieldRow.raw``,
  ``initial`` …), and a label's core text object (its text and laid-out lines outlive
  ``text = ""``);
- **Kivy's caches** (``kivy.cache.Cache``): every category's keys and values;
- **pictures**: a camera preview, QR code, thumbnail or any texture made in memory that
  a widget still holds or draws, and strokes left on a signature pad;
- **memory**: every ``str``, ``bytes``, ``bytearray`` and ``memoryview`` that a live object
  refers to (``gc``), searched for each secret as text and encoded as UTF-8, GBK and
  UTF-16LE (the card's own encoding);
- **files**: every file under ``folders`` (data and runtime dirs, temporary files,
  ``KIVY_HOME``), searched the same way;
- **logs**: the records caught by :class:`LogCatcher` during the visit (``records=``),
  searched for the secrets as text and as hex dumps of their bytes.

Secrets are ``str`` (name, id number, address, phone …) or ``bytes`` (the card's photo).
Make them at run time (not literals in a test module: the code object would hold them), and
do not keep other references to them in the test (a card object, locals in frames are not
scanned, but anything else is); the ``secrets`` list itself is skipped. Findings never quote
a secret in clear: it shows as ``«secret 1»``.
"""

from __future__ import annotations

import gc
import logging
import os
import types
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ENCODINGS = ("utf-8", "gbk", "utf-16-le")
_TEXTS = (str, bytes, bytearray, memoryview)
_UNTRACKED = (dict, tuple)
_MAX_DEPTH = 4
_DEPRECATED = frozenset({"padding_x", "padding_y"})  # Label's: reading them warns


# -- the needles ------------------------------------------------------------------------------
class Needles:
    """Each secret as text and as bytes in every encoding a device or file could use."""

    def __init__(self, secrets: Iterable[str | bytes]) -> None:
        self.texts: list[tuple[int, str]] = []
        self.blobs: list[tuple[int, bytes]] = []
        for number, secret in enumerate(secrets, 1):
            if isinstance(secret, str):
                if not secret:
                    raise ValueError("an empty secret matches everything")
                self.texts.append((number, secret))
                for encoding in ENCODINGS:
                    try:
                        self.blobs.append((number, secret.encode(encoding)))
                    except UnicodeEncodeError:
                        pass  # not every name is GBK
            else:
                if len(secret) < 4:
                    raise ValueError("a bytes secret this short matches by chance")
                self.blobs.append((number, bytes(secret)))

    def in_text(self, text: str) -> list[int]:
        return sorted({n for n, s in self.texts if s in text})

    def in_hex(self, text: str) -> list[int]:
        """A secret's bytes written out in hex (a raw dump in a log): ``e5 bc a0`` or ``e5bca0``."""
        flat = text.replace(" ", "").replace(":", "").lower()
        return sorted({n for n, b in self.blobs if len(b) >= 4 and b.hex() in flat})

    def in_bytes(self, data: bytes | bytearray | memoryview) -> list[int]:
        if isinstance(data, memoryview):
            try:
                data = data.tobytes()
            except (TypeError, ValueError):  # released, or not contiguous
                return []
        return sorted({n for n, b in self.blobs if b in data})

    def find(self, value: Any) -> list[int]:
        if isinstance(value, str):
            return self.in_text(value)
        if isinstance(value, (bytes, bytearray, memoryview)):
            return self.in_bytes(value)
        return []

    def hide(self, text: str) -> str:
        for number, secret in self.texts:
            text = text.replace(secret, f"«secret {number}»")
        return text


def _show(value: Any, needles: Needles, limit: int = 80) -> str:
    if isinstance(value, str):
        text = needles.hide(value)
    else:
        text = f"{type(value).__name__} of {len(value) if hasattr(value, '__len__') else '?'} bytes"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _which(numbers: list[int]) -> str:
    return ", ".join(f"secret {n}" for n in numbers)


# -- widgets ------------------------------------------------------------------------------------
def _widgets(app) -> Iterator[tuple[str, Any]]:
    """(where, widget) for every widget the app can reach, each once."""
    from kivy.core.window import Window
    from kivy.uix.widget import Widget

    seen: set[int] = set()
    roots: list[tuple[str, Any]] = [(f"screen {s.name}", s) for s in app.manager.screens]
    roots += [("overlay", app.overlay), ("root", app.root)]
    roots += [(f"window {type(w).__name__}", w) for w in Window.children]
    while roots:
        where, root = roots.pop()
        for widget in root.walk(restrict=False) if hasattr(root, "walk") else []:
            if id(widget) in seen:
                continue
            seen.add(id(widget))
            yield where, widget
            # widgets kept aside (ids, attributes, lists of rows) but not in the tree
            extra = list(getattr(widget, "ids", {}).values())
            for value in vars(widget).values() if hasattr(widget, "__dict__") else ():
                if isinstance(value, Widget):
                    extra.append(value)
                elif isinstance(value, (list, tuple)):
                    extra += [v for v in value if isinstance(v, Widget)]
                elif isinstance(value, dict):
                    extra += [v for v in value.values() if isinstance(v, Widget)]
            roots += [(where, w) for w in extra if id(w) not in seen]


def _values(value: Any, path: str, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """(path, text) inside a value: strings and bytes in lists, tuples, sets and dicts."""
    from kivy.uix.widget import Widget

    if isinstance(value, _TEXTS):
        yield path, value
    elif depth >= _MAX_DEPTH or isinstance(value, Widget):
        return
    elif isinstance(value, dict) or hasattr(value, "items") and hasattr(value, "keys"):
        try:
            items = list(value.items())
        except Exception:
            return
        for key, item in items:
            yield from _values(key, f"{path} key", depth + 1)
            yield from _values(item, f"{path}[{key!r}]" if isinstance(key, (int, str)) else path,
                               depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)) or type(value).__name__ == "ObservableList":
        for index, item in enumerate(list(value)):
            yield from _values(item, f"{path}[{index}]", depth + 1)


def _core_label_texts(widget) -> Iterator[tuple[str, Any]]:
    core = getattr(widget, "_label", None)
    if core is None:
        return
    yield "core label text", getattr(core, "text", "")
    for line in getattr(core, "_cached_lines", None) or []:
        for word in getattr(line, "words", None) or []:
            yield "core label laid-out line", getattr(word, "text", "")


def widget_findings(app, needles: Needles) -> list[str]:
    found = []
    for where, widget in _widgets(app):
        name = type(widget).__name__
        holders: list[tuple[str, Any]] = []
        for prop in widget.properties():
            if prop in _DEPRECATED:
                continue
            try:
                holders.append((f".{prop}", getattr(widget, prop)))
            except Exception:
                continue
        if hasattr(widget, "__dict__"):
            holders += [(f".{attr}", value) for attr, value in vars(widget).items()]
        for attr, value in holders:
            for path, text in _values(value, attr):
                numbers = needles.find(text)
                if numbers:
                    found.append(f"widget: {where} › {name}{path} holds {_which(numbers)}: "
                                 f"{_show(text, needles)!r}")
        for path, text in _core_label_texts(widget):
            numbers = needles.find(text)
            if numbers:
                found.append(f"widget: {where} › {name} {path} holds {_which(numbers)}: "
                             f"{_show(text, needles)!r}")
    return found


# -- pictures -----------------------------------------------------------------------------------
def made_in_memory(texture) -> bool:
    """A texture uploaded from memory (a frame, a photo, a QR code), not loaded from a file
    (an asset, Kivy's default white); Kivy keeps the source only in its repr."""
    return "source=None" in repr(texture)


def _canvas_textures(widget) -> Iterator[Any]:
    from kivy.graphics import Canvas

    for canvas in (widget.canvas.before, widget.canvas, widget.canvas.after):
        stack = list(canvas.children)
        while stack:
            instruction = stack.pop()
            if isinstance(instruction, Canvas):
                continue  # a child widget's canvas: checked with that widget
            stack += list(getattr(instruction, "children", []) or [])
            if getattr(instruction, "source", None):
                continue  # a picture from a file: an asset
            texture = getattr(instruction, "texture", None)
            if texture is not None and made_in_memory(texture):
                yield texture


def picture_findings(app) -> list[str]:
    """Pictures of the citizen still held by widgets: textures made in memory (camera
    frames, photos, thumbnails, QR codes), and strokes on a signature pad."""
    from kivy.uix.image import Image
    from kivy.uix.label import Label

    from kiosk.ui.widgets.camera_preview import CameraPreview
    from kiosk.ui.widgets.signature_pad import SignaturePad

    found = []
    for where, widget in _widgets(app):
        name = type(widget).__name__
        if isinstance(widget, Label):
            continue  # its texture is its text, checked with the widgets
        if isinstance(widget, Image) and getattr(widget, "source", ""):
            continue  # a picture from a file (an asset)
        if isinstance(widget, CameraPreview) and (widget.texture is not None
                                                  or widget._texture is not None or widget.running):
            found.append(f"picture: {where} › camera preview still holds a frame or runs")
            continue
        if isinstance(widget, SignaturePad):
            lines = [i for i in widget._ink.children if getattr(i, "points", None)]
            if widget.strokes or lines or not widget.is_empty:
                found.append(f"picture: {where} › signature pad holds {len(widget.strokes)} "
                             f"strokes, {len(lines)} drawn lines")
            continue
        texture = getattr(widget, "texture", None)
        if texture is not None and made_in_memory(texture):
            found.append(f"picture: {where} › {name}.texture is still set")
        elif any(True for _ in _canvas_textures(widget)):
            found.append(f"picture: {where} › {name} still draws a texture made in memory")
        if getattr(widget, "data", None) and isinstance(widget.data, str):
            found.append(f"picture: {where} › {name}.data is still set")
    return found


# -- Kivy's caches ------------------------------------------------------------------------------
def cache_findings(needles: Needles) -> list[str]:
    from kivy.cache import Cache

    found = []
    for category, entries in list(Cache._objects.items()):
        for key, entry in list(entries.items()):
            obj = entry.get("object") if isinstance(entry, dict) else entry
            for part, value in (("key", key), ("value", obj)):
                texts = list(_values(value, part))
                if not isinstance(value, _TEXTS + (list, tuple, dict)):
                    texts.append((part, repr(value)))
                for _path, text in texts:
                    numbers = needles.find(text)
                    if numbers:
                        found.append(f"cache: Cache[{category!r}] {part} holds {_which(numbers)}: "
                                     f"{_show(text, needles)!r}")
    return found


def _describe(obj: Any) -> str:
    kind = type(obj)
    if kind is types.FrameType:
        return f"frame {obj.f_code.co_name} ({Path(obj.f_code.co_filename).name}:{obj.f_lineno})"
    if kind is types.FunctionType or kind is types.MethodType:
        return f"{kind.__name__} {getattr(obj, '__qualname__', '?')}"
    if kind is dict:
        keys = [k for k in list(obj)[:6] if isinstance(k, str)]
        return f"dict with keys {keys}"
    return kind.__qualname__


def _held_by(owner: Any, objects: list, depth: int = 3) -> str:
    """Who holds ``owner`` (its referrers, ``depth`` levels up): to find a leak's source."""
    chain, current = [], owner
    for _ in range(depth):
        holders = [h for h in gc.get_referrers(current)
                   if h is not objects and not _a_tests_frame(h)]
        if not holders:
            break
        current = holders[0]
        chain.append(_describe(current) + (f" (+{len(holders) - 1} more)" if len(holders) > 1 else ""))
    return (" — held by " + " < ".join(chain)) if chain else ""


def _a_tests_frame(holder: Any) -> bool:
    """A frame or generator of a test (its locals, a fixture's values): not the kiosk's."""
    kind = type(holder)  # never isinstance(): a dead weak proxy raises
    if kind is types.GeneratorType:
        holder = holder.gi_frame
    elif kind is types.CoroutineType:
        holder = holder.cr_frame
    if type(holder) is not types.FrameType:
        return False
    return f"{os.sep}tests{os.sep}" in holder.f_code.co_filename


# -- memory -------------------------------------------------------------------------------------
def memory_findings(needles: Needles, skip: Iterable[Any] = ()) -> list[str]:
    """Every string and byte buffer a live object refers to; a test's frames and
    generators (its locals, its fixtures) and the objects in ``skip`` are not looked into."""
    gc.unfreeze()  # the app freezes its screens (gc.freeze); frozen objects are hidden from get_objects
    gc.collect()
    skipped = {id(obj) for obj in skip}
    for own in (needles.texts, needles.blobs):  # the needles themselves hold the secrets
        skipped.add(id(own))
        skipped.update(id(pair) for pair in own)
    checked: set[int] = set()
    found: dict[tuple[str, int], str] = {}
    objects = gc.get_objects()
    skipped.add(id(objects))
    for holder in objects:
        if id(holder) in skipped or type(holder) is Needles or _a_tests_frame(holder):
            continue
        stack = [(holder, value) for value in gc.get_referents(holder)]
        while stack:
            owner, value = stack.pop()
            kind = type(value)  # never isinstance(): a dead weak proxy raises
            if id(value) in checked or id(value) in skipped:
                continue
            if kind in _UNTRACKED and not gc.is_tracked(value):
                # CPython stops tracking a dict or tuple of strings only: not in the list
                checked.add(id(value))
                stack += [(value, item) for item in gc.get_referents(value)]
                continue
            if not issubclass(kind, _TEXTS):
                continue
            checked.add(id(value))
            numbers = needles.find(value)
            if numbers:
                key = (type(owner).__name__, id(value))
                found.setdefault(key, f"memory: {type(owner).__name__} holds {_which(numbers)} "
                                      f"in {_show(value, needles)!r}{_held_by(owner, objects)}")
    del objects
    return sorted(found.values())


# -- files --------------------------------------------------------------------------------------
def file_findings(folders: Iterable[Path], needles: Needles) -> list[str]:
    found = []
    for folder in folders:
        folder = Path(folder)
        paths = [folder] if folder.is_file() else sorted(folder.rglob("*")) if folder.exists() else []
        for path in paths:
            if not path.is_file() or path.is_symlink():
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue  # a pty, a socket, gone meanwhile
            numbers = needles.in_bytes(data)
            if numbers:
                found.append(f"file: {path} holds {_which(numbers)}")
    return found


# -- logs ---------------------------------------------------------------------------------------
class LogCatcher(logging.Handler):
    """Catches every log record (DEBUG and up) while in a ``with`` block; ``records``.
    Loggers made after it started and that do not propagate are not caught."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self._levels: list[tuple[logging.Logger, int]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> "LogCatcher":
        # the root, and every logger that keeps its records to itself (a raw traffic log)
        apart = [logger for logger in logging.root.manager.loggerDict.values()
                 if isinstance(logger, logging.Logger) and not logger.propagate]
        for logger in (logging.getLogger(), *apart):
            self._levels.append((logger, logger.level))
            logger.setLevel(logging.DEBUG)
            logger.addHandler(self)
        return self

    def __exit__(self, *_exc) -> None:
        for logger, level in self._levels:
            logger.removeHandler(self)
            logger.setLevel(level)
        self._levels = []


def log_findings(records: Iterable[logging.LogRecord], needles: Needles) -> list[str]:
    found = []
    for record in records:
        try:
            message = record.getMessage()
        except Exception:
            message = f"{record.msg!r} % {record.args!r}"
        texts = [message, record.exc_text or "", str(record.args or "")]
        if record.exc_info and record.exc_info[1] is not None:
            texts.append(repr(record.exc_info[1]))
        numbers = sorted({n for text in texts for n in needles.in_text(text) + needles.in_hex(text)})
        if numbers:
            found.append(f"log: {record.name} {record.levelname} holds {_which(numbers)}: "
                         f"{_show(message, needles)!r}")
    return found


# -- all of it ----------------------------------------------------------------------------------
def leftovers(app, secrets: list[str | bytes], folders: list[Path], *,
              records: Iterable[logging.LogRecord] = (), memory: bool = True) -> list[str]:
    """Findings of the citizen's data (``secrets``) left anywhere once a session ended."""
    needles = Needles(secrets)
    found = widget_findings(app, needles)
    found += picture_findings(app)
    found += cache_findings(needles)
    found += file_findings(folders, needles)
    found += log_findings(records, needles)
    if memory:
        found += memory_findings(needles, skip=[secrets])
    return found

