"""Pure codec of a keyboard-wedge scanner: ``struct input_event`` records → keys → codes.

A keyboard-wedge scanner is a USB keyboard that types each code and presses Enter. The
kernel hands its keys to readers of ``/dev/input/eventN`` as ``struct input_event``
records: on 64-bit Linux a 16-byte ``timeval`` (two longs), ``__u16 type``, ``__u16
code``, ``__s32 value`` — 24 bytes, native byte order (:data:`EVENT`). Only ``EV_KEY``
matters: value 1 press, 0 release, 2 auto-repeat. Scanners type with a US layout, using
Shift for capitals and symbols; :class:`KeyboardDecoder` replays that, Enter (main or
keypad) ends a code. ``SYN_DROPPED`` (the kernel's buffer overflowed) spoils the code
being typed, which is then dropped rather than delivered with keys missing.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from evdev import ecodes as ec

from drivers.errors import CodecError
from drivers.scanner.text import MAX_CODE_BYTES

#: ``struct input_event`` in this machine's native layout (24 bytes on 64-bit Linux).
EVENT = struct.Struct("@llHHi")
EVENT_SIZE = EVENT.size

RELEASE, PRESS, REPEAT = 0, 1, 2


@dataclass(frozen=True)
class InputEvent:
    sec: int
    usec: int
    type: int
    code: int
    value: int

    def pack(self) -> bytes:
        return EVENT.pack(self.sec, self.usec, self.type, self.code, self.value)


def key_event(code: int, value: int, sec: int = 0, usec: int = 0) -> InputEvent:
    return InputEvent(sec, usec, ec.EV_KEY, code, value)


class EventDecoder:
    """Bytes read from an event node → :class:`InputEvent`; keeps a partial record
    across reads (a FIFO or a short read may cut one)."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def reset(self) -> None:
        self._buf.clear()

    def feed(self, data: bytes) -> list[InputEvent]:
        self._buf += data
        whole = len(self._buf) - len(self._buf) % EVENT_SIZE
        events = [InputEvent(*fields) for fields in EVENT.iter_unpack(bytes(self._buf[:whole]))]
        del self._buf[:whole]
        return events


def decode_events(data: bytes) -> list[InputEvent]:
    """Whole records only; a trailing partial record is a :class:`CodecError`."""
    if len(data) % EVENT_SIZE:
        raise CodecError(f"{len(data)} bytes is not a whole number of {EVENT_SIZE}-byte events")
    return [InputEvent(*fields) for fields in EVENT.iter_unpack(data)]


def _us_layout() -> dict[int, tuple[str, str]]:
    """Key code → (plain, shifted) character on a US keyboard."""
    rows = {
        "1234567890": "!@#$%^&*()",
    }
    layout: dict[int, tuple[str, str]] = {}
    for plain, shifted in rows.items():
        for p, s in zip(plain, shifted):
            layout[getattr(ec, f"KEY_{p}")] = (p, s)
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        layout[getattr(ec, f"KEY_{letter}")] = (letter.lower(), letter)
    for name, plain, shifted in (
        ("MINUS", "-", "_"), ("EQUAL", "=", "+"), ("LEFTBRACE", "[", "{"),
        ("RIGHTBRACE", "]", "}"), ("BACKSLASH", "\\", "|"), ("SEMICOLON", ";", ":"),
        ("APOSTROPHE", "'", '"'), ("GRAVE", "`", "~"), ("COMMA", ",", "<"),
        ("DOT", ".", ">"), ("SLASH", "/", "?"), ("SPACE", " ", " "), ("TAB", "\t", "\t"),
    ):
        layout[getattr(ec, f"KEY_{name}")] = (plain, shifted)
    for digit in "0123456789":  # keypad, as scanners send with NumLock on
        layout[getattr(ec, f"KEY_KP{digit}")] = (digit, digit)
    for name, char in (("KPDOT", "."), ("KPSLASH", "/"), ("KPASTERISK", "*"),
                       ("KPMINUS", "-"), ("KPPLUS", "+")):
        layout[getattr(ec, f"KEY_{name}")] = (char, char)
    return layout


US_LAYOUT = _us_layout()
SHIFT_KEYS = frozenset({ec.KEY_LEFTSHIFT, ec.KEY_RIGHTSHIFT})
ENTER_KEYS = frozenset({ec.KEY_ENTER, ec.KEY_KPENTER})


class KeyboardDecoder:
    """Key events → codes, as a US keyboard with Shift and Caps Lock would type them.

    :meth:`feed` returns the codes Enter completed. A code longer than ``max_chars`` or
    spoiled by ``SYN_DROPPED`` is dropped up to its Enter and counted in ``overlong`` /
    ``dropped``; keys the layout lacks (F-keys, arrows, Ctrl/Alt) are ignored.
    """

    def __init__(self, max_chars: int = MAX_CODE_BYTES) -> None:
        self.max_chars = max_chars
        self.overlong = 0
        self.dropped = 0
        self.reset()

    def reset(self) -> None:
        self._chars: list[str] = []
        self._shift: set[int] = set()
        self._caps = False
        self._spoiled = False
        self._overlong = False

    def feed(self, events: list[InputEvent]) -> list[str]:
        codes: list[str] = []
        for event in events:
            if event.type == ec.EV_SYN and event.code == ec.SYN_DROPPED:
                self._chars.clear()
                self._shift.clear()  # releases may be among the lost events
                self._spoiled = True
            elif event.type == ec.EV_KEY:
                code = self._key(event.code, event.value)
                if code is not None:
                    codes.append(code)
        return codes

    def _key(self, key: int, value: int) -> str | None:
        if key in SHIFT_KEYS:
            if value == RELEASE:
                self._shift.discard(key)
            else:
                self._shift.add(key)
            return None
        if value not in (PRESS, REPEAT):
            return None
        if key == ec.KEY_CAPSLOCK:
            if value == PRESS:
                self._caps = not self._caps
            return None
        if key in ENTER_KEYS:
            return self._finish()
        chars = US_LAYOUT.get(key)
        if chars is None or self._spoiled or self._overlong:
            return None
        shifted = bool(self._shift)
        char = chars[1] if shifted else chars[0]
        if self._caps and char.isalpha():
            char = chars[0] if shifted else chars[1]
        if len(self._chars) >= self.max_chars:
            self._chars.clear()
            self._overlong = True
            self.overlong += 1
            return None
        self._chars.append(char)
        return None

    def _finish(self) -> str | None:
        text = "".join(self._chars)
        spoiled = self._spoiled
        self._chars.clear()
        self._spoiled = self._overlong = False
        if spoiled:
            self.dropped += 1
            return None
        return text or None


def type_text(text: str, sec: int = 0) -> bytes:
    """The input_event records a US-layout wedge scanner sends to type ``text`` + Enter.

    The inverse of :class:`KeyboardDecoder`, for emulators and tests; characters the
    layout cannot type raise :class:`CodecError`.
    """
    reverse: dict[str, tuple[int, bool]] = {}  # main keys come first in US_LAYOUT
    for key, (plain, shifted) in US_LAYOUT.items():
        reverse.setdefault(plain, (key, False))
        reverse.setdefault(shifted, (key, True))
    syn = InputEvent(sec, 0, ec.EV_SYN, ec.SYN_REPORT, 0)
    out = bytearray()
    for usec, char in enumerate(text + "\n"):
        if char == "\n":
            key, shift = ec.KEY_ENTER, False
        elif char in reverse:
            key, shift = reverse[char]
        else:
            raise CodecError(f"U+{ord(char):04X} cannot be typed on a US layout")
        if shift:
            out += key_event(ec.KEY_LEFTSHIFT, PRESS, sec, usec).pack() + syn.pack()
        out += key_event(key, PRESS, sec, usec).pack() + syn.pack()
        out += key_event(key, RELEASE, sec, usec).pack() + syn.pack()
        if shift:
            out += key_event(ec.KEY_LEFTSHIFT, RELEASE, sec, usec).pack() + syn.pack()
    return bytes(out)
