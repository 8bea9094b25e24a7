"""The on-screen pinyin keyboard: Chinese (and Latin) text entry without the system keyboard.

The citizen taps letters; they gather in the *composition* (the pinyin being typed), the
candidate bar offers what the pinyin engine (:mod:`kiosk.ime`) finds, 8 a page with
previous/next keys, and tapping a candidate (or the space key: the first one) adds it to
:attr:`PinyinKeyboard.text`. A candidate may use only the first letters of the composition
(``consumed``); the rest stays and is looked up again (``shenfenzhenghao`` -> pick the
three-character word for "ID card" -> ``hao`` composes on).

- Backspace deletes a pinyin letter while composing, else the last character of the text.
- The mode key switches between pinyin and Latin input (letters, upper case with the caps
  key, digits and space typed as they are: a bank branch code, a house number); switching
  with letters in the composition types them as Latin letters.
- Digits type directly (not while composing: the keys are disabled then).
- Clear empties everything; Done drops an unfinished composition (pinyin letters never go
  into the text) and fires ``on_done(text)``.
- ``max_length`` (0: no limit) counts characters of the text; a candidate that would not
  fit is disabled.
- ``names``: the field asks for a person's name: full names come first (``zhangwei`` →
  张伟 …), then the surname alone, then the usual candidates (:mod:`kiosk.ime.names`).

Events: ``on_text`` (the ``text`` property: whenever the committed text changes) and
``on_done(text)``. ``target_text`` starts the keyboard from an existing value.
:meth:`PinyinKeyboard.clear` wipes text, composition, candidates and what the labels kept
(the end of a session: it is personal data). Nothing typed is logged or remembered.

The engine takes ~0.3 s to load: :func:`start_engine_loading` at app start loads it once in a
background thread for every keyboard; until it is ready the bar says so, and letters typed
meanwhile are looked up as soon as it is. Lookups themselves are synchronous (p99 ~3 ms).

Every label comes from ``kiosk/locale/<lang>/keyboard.toml``; :meth:`relabel` reads them
again after a language change.
"""

from __future__ import annotations

import os

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import (BooleanProperty, DictProperty, ListProperty, NumericProperty,
                             ObjectProperty, OptionProperty, StringProperty)
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.widget import Widget
from kivy.utils import escape_markup

from kiosk.i18n import tr
from kiosk.ime import PinyinInputError, forget_typing
from kiosk.ui.theme import TOUCH
from kiosk.ui.widgets.engine_loader import SHARED, EngineLoader, start_engine_loading
from kiosk.ui.widgets.forget import forget_shown_text

__all__ = ["EngineLoader", "PinyinKeyboard", "SHARED", "start_engine_loading"]


LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
DIGITS = "1234567890"
PER_PAGE = 8
MAX_PINYIN = 32  # letters in one composition (the engine reads at most 16 syllables)
APOSTROPHE = "'"
BACKSPACE, SPACE, CLEAR, DONE = "backspace", "space", "clear", "done"
MODE, CAPS, PREV, NEXT = "mode", "caps", "prev", "next"
_LABELS = {BACKSPACE: "kb_backspace", SPACE: "kb_space", CLEAR: "kb_clear", DONE: "kb_done",
           CAPS: "kb_caps", APOSTROPHE: "kb_apostrophe", PREV: "kb_prev", NEXT: "kb_next"}


def _units(char: str) -> float:
    return 0.6 if ord(char) < 0x2E80 else 1.0


def tail(text: str, room: float) -> str:
    """The end of ``text`` that fits in ``room`` character widths (an ellipsis before it)."""
    used, start = 0.0, len(text)
    while start > 0 and used + _units(text[start - 1]) <= room:
        start -= 1
        used += _units(text[start])
    return text if start == 0 else "\u2026" + text[start + 1:]


class KeyboardKey(Button):
    """One key: ``value`` is the letter or digit it types, or one of the command names."""

    value = StringProperty("")
    lit = BooleanProperty(False)  # caps on: drawn in the primary colour
    kind = OptionProperty("key", options=["key", "command", "primary"])


class CandidateButton(Button):
    """One candidate on the bar; ``index`` is its place on the page."""

    index = NumericProperty(0)
    base_font = NumericProperty(dp(36))  # shrunk to fit a long candidate


class PinyinKeyboard(BoxLayout):
    __events__ = ("on_done",)

    text = StringProperty("")
    target_text = StringProperty("")
    max_length = NumericProperty(0)
    names = BooleanProperty(False)  # name mode: full names first
    mode = OptionProperty("pinyin", options=["pinyin", "latin"])
    caps = BooleanProperty(False)
    composition = StringProperty("")
    page = NumericProperty(0)
    has_more = BooleanProperty(False)
    #: what the bar says when it shows no candidates (loading, a hint, nothing found)
    status = StringProperty("")
    #: the composition line: the end of the text, then the pinyin (markup)
    line = StringProperty("")
    placeholder = StringProperty("")
    key_height = NumericProperty(max(TOUCH, dp(80)))
    key_spacing = NumericProperty(dp(8))
    font_size = NumericProperty(dp(32))
    candidate_font_size = NumericProperty(dp(36))
    keys = DictProperty({})
    candidate_buttons = ListProperty([])
    loader = ObjectProperty(None)

    def __init__(self, **kwargs):
        kwargs.setdefault("loader", SHARED)
        super().__init__(**kwargs)
        self._candidates: tuple = ()
        self._waiting = False
        self._build()
        self.bind(text=self._refresh, composition=self._refresh, mode=self._refresh,
                  caps=self._refresh, max_length=self._on_max_length, width=self._show_line,
                  key_height=self._style, font_size=self._style,
                  candidate_font_size=self._style, names=lambda *_: self._lookup())
        self.loader.start()
        self.relabel()
        if self.target_text:
            self.on_target_text(self, self.target_text)
        self._lookup()

    # -- what the keys do -------------------------------------------------------------------
    def press(self, value: str) -> None:
        """A key's action (also callable from code)."""
        if value == BACKSPACE:
            if self.composition:
                self._compose(self.composition[:-1])
            else:
                self.text = self.text[:-1]
        elif value == CLEAR:
            self._compose("")
            self.text = ""
        elif value == DONE:
            self._compose("")
            self.dispatch("on_done", self.text)
        elif value == MODE:
            letters = self.composition.replace(APOSTROPHE, "")
            self._compose("")
            self.mode = "latin" if self.mode == "pinyin" else "pinyin"
            if self.mode == "latin":
                self._append(letters[:self._room()])
        elif value == CAPS:
            self.caps = not self.caps
        elif value == PREV:
            self._lookup(max(0, self.page - 1))
        elif value == NEXT and self.has_more:
            self._lookup(self.page + 1)
        elif value == SPACE:
            if self.mode == "latin":
                self._append(" ")
            elif self.composition and self._candidates:
                self.pick(0)
        elif value == APOSTROPHE:
            if self.mode == "pinyin" and self.composition and \
                    not self.composition.endswith(APOSTROPHE):
                self._compose(self.composition + APOSTROPHE)
        elif value in DIGITS:
            if not self.composition:
                self._append(value)
        elif len(value) == 1 and value.isalpha():
            if self.mode == "latin":
                self._append(value.upper() if self.caps else value)
            elif len(self.composition) < MAX_PINYIN and self._room() > 0:
                self._compose(self.composition + value)

    def pick(self, index: int) -> None:
        """Commit candidate ``index`` of the page; the letters it did not use compose on."""
        if not 0 <= index < len(self._candidates):
            return
        cand = self._candidates[index]
        if len(cand.text) > self._room():
            return
        rest = self.composition[cand.consumed:].lstrip(APOSTROPHE)
        self._append(cand.text)
        self._compose(rest)

    def on_done(self, text: str) -> None:
        pass

    def clear(self) -> None:
        """Forget everything typed: text, composition, candidates, mode (session end)."""
        self.target_text = ""
        self._compose("")
        self.text = ""
        self.mode, self.caps, self.names = "pinyin", False, False
        self._refresh()
        forget_shown_text([self])
        forget_typing()

    def on_target_text(self, _instance, value: str) -> None:
        self._compose("")
        limit = int(self.max_length)
        self.text = value[:limit] if limit else value

    def _on_max_length(self, *_args) -> None:
        limit = int(self.max_length)
        if limit and len(self.text) > limit:
            self.text = self.text[:limit]
        self._refresh()

    def _room(self) -> int:
        limit = int(self.max_length)
        return max(0, limit - len(self.text)) if limit else 1 << 30

    def _append(self, chars: str) -> None:
        if chars:
            self.text += chars[:self._room()]

    def _compose(self, pinyin: str) -> None:
        self.composition = pinyin
        self._lookup()

    # -- candidates ---------------------------------------------------------------------------
    def _lookup(self, page: int = 0) -> None:
        self.page, self._candidates, self.has_more = page, (), False
        engine = self.loader.engine
        if self.composition and engine is not None:
            try:
                found = engine.candidates(self.composition, page=page, per_page=PER_PAGE,
                                          names=self.names)
                self._candidates, self.has_more = found.items, found.has_more
            except PinyinInputError:
                pass
        elif self.composition and not self.loader.done and not self._waiting:
            self._waiting = True
            self.loader.when_done(self._engine_done)
        self._refresh()

    def _engine_done(self) -> None:
        self._waiting = False
        self._lookup()

    # -- showing it -----------------------------------------------------------------------------
    def relabel(self, *_args) -> None:
        """Read every label again (the language changed)."""
        self.placeholder = tr("kb_placeholder")
        for value, key in self.keys.items():
            if value in _LABELS:
                key.text = tr(_LABELS[value])
        self._refresh()

    def _refresh(self, *_args) -> None:
        pinyin, room = self.mode == "pinyin", self._room()
        composing = bool(self.composition)
        for value, key in self.keys.items():
            if len(value) == 1 and value.isalpha():
                key.text = value.upper() if (self.caps and not pinyin) else value
                key.disabled = room == 0 if (not pinyin or not composing) else \
                    len(self.composition) >= MAX_PINYIN
            elif value in DIGITS:
                key.disabled = composing or room == 0
        self.keys[APOSTROPHE].opacity = 1 if pinyin else 0
        self.keys[APOSTROPHE].disabled = not (pinyin and composing)
        self.keys[CAPS].opacity = 0 if pinyin else 1
        self.keys[CAPS].disabled = pinyin
        self.keys[CAPS].lit = self.caps and not pinyin
        self.keys[SPACE].disabled = (not self._candidates) if pinyin else room == 0
        self.keys[BACKSPACE].disabled = not (self.text or composing)
        self.keys[CLEAR].disabled = not (self.text or composing)
        zh, en = tr("kb_mode_zh"), tr("kb_mode_en")
        on, off = (zh, en) if pinyin else (en, zh)
        self.keys[MODE].text = f"[b]{on}[/b] [color=#8a94a3]{off}[/color]" if pinyin else \
            f"[color=#8a94a3]{off}[/color] [b]{on}[/b]"
        for button in self.candidate_buttons:
            i = button.index
            cand = self._candidates[i] if i < len(self._candidates) else None
            button.text = cand.text if cand else ""
            button.opacity = 1 if cand else 0
            button.disabled = cand is None or len(cand.text) > room
            button.size_hint_x = (len(cand.text) + 1.5) if cand else 0.001
        paging = pinyin and composing and (self.page > 0 or self.has_more)
        self.keys[PREV].disabled = not (paging and self.page > 0)
        self.keys[NEXT].disabled = not (paging and self.has_more)
        self.keys[PREV].opacity = self.keys[NEXT].opacity = 1 if paging else 0
        self.status = self._status()
        self._show_line()

    def _status(self) -> str:
        if self._candidates:
            return ""
        if self.mode == "latin":
            return tr("kb_hint_latin")
        if self.loader.failed:
            return tr("kb_unavailable")
        if not self.composition:
            return tr("kb_hint_pinyin")
        if self.loader.engine is None:
            return tr("kb_loading")
        return tr("kb_no_match")

    def _show_line(self, *_args) -> None:
        room = max(4.0, self.width / max(1.0, self.font_size * 1.1) - 2)
        composing = self.composition
        shown = tail(self.text, room - 0.6 * len(composing))
        line = escape_markup(shown)
        if composing:
            line += f"[u][color=#0d61b8]{escape_markup(composing)}[/color][/u]"
        self.line = line

    # -- the keys ------------------------------------------------------------------------------
    def _build(self) -> None:
        keys: dict[str, KeyboardKey] = {}

        def add(row, value: str, weight: float = 1, kind: str = "key", text: str = "") -> None:
            key = KeyboardKey(value=value, text=text or value, size_hint_x=weight, kind=kind)
            key.bind(on_release=lambda k: self.press(k.value))
            keys[value] = key
            row.add_widget(key)

        ids = self.ids
        for row in (ids.digits_row, ids.row1, ids.row2, ids.row3, ids.bottom_row):
            row.clear_widgets()
        for digit in DIGITS:
            add(ids.digits_row, digit)
        for letter in LETTER_ROWS[0]:
            add(ids.row1, letter)
        ids.row2.add_widget(Widget(size_hint_x=0.5))
        for letter in LETTER_ROWS[1]:
            add(ids.row2, letter)
        ids.row2.add_widget(Widget(size_hint_x=0.5))
        # the first key of the third row is the apostrophe (pinyin) or caps (Latin): same place
        shift = AnchorLayout(size_hint_x=1.5)
        ids.row3.add_widget(shift)
        add(shift, APOSTROPHE, 1, "command")
        caps = KeyboardKey(value=CAPS, kind="command")
        caps.bind(on_release=lambda k: self.press(CAPS))
        keys[CAPS] = caps
        shift.add_widget(caps)
        for letter in LETTER_ROWS[2]:
            add(ids.row3, letter)
        add(ids.row3, BACKSPACE, 1.5, "command")
        add(ids.bottom_row, MODE, 1.5, "command")
        add(ids.bottom_row, SPACE, 4, "key")
        add(ids.bottom_row, CLEAR, 1.5, "command")
        add(ids.bottom_row, DONE, 2.5, "primary")
        keys[MODE].markup = True
        bar = ids.bar
        add(bar, PREV, 0, "command")
        buttons = []
        for i in range(PER_PAGE):
            button = CandidateButton(index=i)
            button.bind(on_release=lambda b: self.pick(b.index))
            buttons.append(button)
            bar.add_widget(button)
        add(bar, NEXT, 0, "command")
        for value in (PREV, NEXT):
            keys[value].size_hint_x = None
        self.candidate_buttons = buttons
        self.keys = keys
        self._style()

    def _style(self, *_args) -> None:
        height = max(TOUCH, self.key_height)
        for key in self.keys.values():
            key.font_size = self.font_size
        for value in (PREV, NEXT):
            self.keys[value].width = height
            self.keys[value].font_size = self.font_size * 1.5
        for button in self.candidate_buttons:
            button.base_font = self.candidate_font_size


_KV = os.path.join(os.path.dirname(__file__), "pinyin_keyboard.kv")
if _KV not in Builder.files:
    Builder.load_file(_KV)
