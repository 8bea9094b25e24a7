"""An on-screen keypad for digits, phone numbers and ID numbers; never the system keyboard.

The keypad edits its own :attr:`Keypad.text` and, when given one, a ``target`` TextInput (which
it switches to ``keyboard_mode='managed'`` so that focusing it never asks for a keyboard).
The ``mode`` limits the characters and the length:

- ``digits``: 0–9, at most ``max_length`` (0: no limit);
- ``phone``: a mobile number (starts with 1: 11 digits) or a landline with its area code
  (starts with 0: up to 12 digits, one optional ``-`` after the area code);
- ``id_number``: 17 digits then a digit or ``X`` (18 in all).

``on_complete(text)`` fires when a key press makes the text reach its full length. Whether
an ID number's check digit is right is the form's business, not the keypad's.
"""

from __future__ import annotations

import os

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import (
    BooleanProperty,
    DictProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button

from kiosk.ui.strings import LANG, t
from kiosk.ui.theme import TOUCH

MIN_KEY_PX = TOUCH  # 64 px: 15 mm on a 21.5" 1080×1920 screen
BACKSPACE = "backspace"
CLEAR = "clear"
DIGITS = "0123456789"
ID_LENGTH = 18
MOBILE_LENGTH = 11
LANDLINE_DIGITS = 12


def full_length(mode: str, text: str, limit: int = 0) -> int:
    """The full length of ``text`` in ``mode`` (0: no limit), counting characters."""
    if mode == "id_number":
        return ID_LENGTH
    if mode == "phone":
        if text.startswith("1"):
            return MOBILE_LENGTH
        return LANDLINE_DIGITS + text.count("-")
    return limit


def accepts(mode: str, text: str, key: str, limit: int = 0) -> bool:
    """Whether ``key`` (one character) may be appended to ``text``."""
    if mode == "id_number":
        if len(text) >= ID_LENGTH:
            return False
        if key == "X":
            return len(text) == ID_LENGTH - 1
        return key in DIGITS
    if mode == "phone":
        if key == "-":
            # after a landline's area code (0 + 2 or 3 digits), once
            return text.startswith("0") and len(text) in (3, 4) and "-" not in text
        if key not in DIGITS:
            return False
        full = MOBILE_LENGTH if (text or key).startswith("1") else LANDLINE_DIGITS
        return len(text.replace("-", "")) < full
    if key not in DIGITS:
        return False
    return not limit or len(text) < limit


def clean(mode: str, text: str, limit: int = 0) -> str:
    """``text`` reduced to what the keypad could have typed (prefills, pasted values)."""
    out = ""
    for char in (text or "").strip().upper():
        if accepts(mode, out, char, limit):
            out += char
    return out


class KeypadKey(Button):
    """One key; ``value`` is the character it types, or ``backspace`` / ``clear``."""

    value = StringProperty("")


class Keypad(BoxLayout):
    """Digits 1–9 and 0 in a phone-style grid, the mode's extra key (``X`` or ``-``),
    删除 (one character back) and 清空 (clear all)."""

    __events__ = ("on_complete",)

    mode = OptionProperty("digits", options=["digits", "phone", "id_number"])
    text = StringProperty("")
    target = ObjectProperty(None, allownone=True)
    #: the longest text in ``digits`` mode (0: no limit)
    max_length = NumericProperty(0)
    #: key height in pixels (bind it to the theme's scale for 长辈模式); never below 64
    key_height = NumericProperty(max(MIN_KEY_PX, dp(80)))
    key_spacing = NumericProperty(dp(10))
    font_size = NumericProperty(dp(34))
    #: True once the text has its full length
    is_complete = BooleanProperty(False)
    #: the keys by value: "0".."9", "X", "-", "backspace", "clear"
    keys = DictProperty({})

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(mode=self._on_rules, max_length=self._on_rules, text=self._refresh,
                  key_height=self._style, font_size=self._style)
        LANG.bind(lang=self._on_rules)  # 删除 in the new language (held weakly)
        self._build()
        self.text = clean(self.mode, self.text, int(self.max_length))
        self._refresh()

    # -- the text ----------------------------------------------------------------------
    def press(self, value: str) -> None:
        """What a key does (also callable from code): type, delete one, or clear."""
        before = self.text
        if value == BACKSPACE:
            after = before[:-1]
        elif value == CLEAR:
            after = ""
        elif accepts(self.mode, before, value, int(self.max_length)):
            after = before + value
        else:
            return
        self._set_text(after)
        if after != before and value not in (BACKSPACE, CLEAR) and self.is_complete:
            self.dispatch("on_complete", after)

    def on_complete(self, text: str) -> None:
        pass

    def clear(self) -> None:
        """Empty the text (and the target): 清空, or the end of a session."""
        self._set_text("")

    def _set_text(self, value: str) -> None:
        self.text = value
        if self.target is not None and self.target.text != value:
            self.target.text = value
            self.target.cursor = (len(value), 0)

    # -- the target TextInput ----------------------------------------------------------
    def on_target(self, _instance, target) -> None:
        old = getattr(self, "_bound_target", None)
        if old is not None:
            old.unbind(text=self._on_target_text)
        self._bound_target = target
        if target is None:
            return
        target.keyboard_mode = "managed"  # focus never requests the system keyboard
        target.bind(text=self._on_target_text)
        self._on_target_text(target, target.text)

    def _on_target_text(self, target, value: str) -> None:
        cleaned = clean(self.mode, value, int(self.max_length))
        if cleaned != value:
            target.text = cleaned
            return
        self.text = cleaned

    # -- keys --------------------------------------------------------------------------
    def _build(self) -> None:
        grid = self.ids.grid
        grid.clear_widgets()
        keys = {}
        extra = {"id_number": "X", "phone": "-"}.get(self.mode, "")
        for value in ["1", "2", "3", "4", "5", "6", "7", "8", "9", extra, "0", BACKSPACE]:
            key = KeypadKey(value=value, text=t("keypad_delete") if value == BACKSPACE else value,
                            height=self._key_px(), font_size=self.font_size)
            if not value:
                key.opacity, key.disabled = 0, True  # keep the grid's shape
            else:
                keys[value] = key
                key.bind(on_release=lambda k: self.press(k.value))
            grid.add_widget(key)
        clear = self.ids.clear_key
        clear.value = CLEAR
        keys[CLEAR] = clear
        self.keys = keys

    def _key_px(self) -> float:
        return max(MIN_KEY_PX, self.key_height)

    def _style(self, *_args) -> None:
        for key in [*self.ids.grid.children, self.ids.clear_key]:
            key.height, key.font_size = self._key_px(), self.font_size

    def _on_rules(self, *_args) -> None:
        self._build()
        self._set_text(clean(self.mode, self.text, int(self.max_length)))
        self._refresh()

    def _refresh(self, *_args) -> None:
        text, limit = self.text, int(self.max_length)
        full = full_length(self.mode, text, limit)
        digits = len(text.replace("-", "")) if self.mode == "phone" else len(text)
        full_digits = full - text.count("-") if self.mode == "phone" else full
        self.is_complete = bool(full) and digits >= full_digits
        for value, key in self.keys.items():
            if value in (BACKSPACE, CLEAR):
                key.disabled = not text
            else:
                key.disabled = not accepts(self.mode, text, value, limit)


_KV = os.path.join(os.path.dirname(__file__), "keypad.kv")
if _KV not in Builder.files:
    Builder.load_file(_KV)
