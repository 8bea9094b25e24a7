"""填写信息 (state FORM): the item's fields from the catalog, prefilled from the card.

Each field is a :class:`FormFieldRow`, checked as it changes with ``kiosk.catalog.forms.validate``;
its ``FieldError``, explained in the citizen's language, shows under it once the citizen has
finished it (the keypad says the value is complete, another field was picked, or 下一步 was
tapped), and clears as soon as the value is right.

How each kind of field is filled (there is never a system keyboard):

- ``number``, ``phone``, ``id_number``, ``date``: tapping the field opens the on-screen
  :class:`Keypad` (numbers are whole numbers; a date is typed as eight digits and shown as
  ``2026-01-31``);
- ``choice``: one big toggle button per option;
- ``text`` and ``address``: tapping the field opens the on-screen :class:`PinyinKeyboard`
  in the keypad's place (pinyin with candidates, or Latin letters and digits); 完成 closes it.
  A prefilled value is shown with 如需修改请到窗口办理 and cannot be tapped; an address field
  also offers what the kiosk knows (同身份证住址, the card's address). In landscape the
  side panel widens to the keyboard while it is open (500 dp is too narrow for QWERTY),
  its keys the smallest touch size so that it fits 1080 px in 长辈模式 too.

下一步 hands the values to ``session.form_submitted``; its ``FormErrors`` are shown per field.
Nothing typed stays here when the screen is left or the visit ends (:meth:`clear_personal`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior, ToggleButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from drivers.privacy import is_name_label, mask_address, mask_name, mask_number
from kiosk.catalog.forms import FieldError, FormErrors, validate
from kiosk.session import SessionError, State
from kiosk.ui.base import KioskScreen
from kiosk.ui.strings import explain, language, sentences, t
from kiosk.ui.widgets.buttons import BigButton
from kiosk.ui.theme import TOUCH
from kiosk.ui.widgets.keypad import Keypad, clean
from kiosk.ui.widgets.pinyin_keyboard import PinyinKeyboard




KEYPAD_MODES = {"number": "digits", "phone": "phone", "id_number": "id_number", "date": "digits"}


def _date_shown(digits: str) -> str:
    """``20260131`` → ``2026-01-31`` (partial input shown as far as it goes)."""
    parts = [digits[:4], digits[4:6], digits[6:8]]
    return "-".join(p for p in parts if p)


class FormValueBox(ButtonBehavior, Label):
    """The field's value; tapping a keypad field makes it the keypad's target."""

    active = BooleanProperty(False)
    empty = BooleanProperty(True)


class FormChoice(ToggleButtonBehavior, Label):
    value = StringProperty("")


class FormFieldRow(BoxLayout):
    """One field: its label, value (box or chips), help or note, and error."""

    field = ObjectProperty(None)
    label_text = StringProperty("")
    shown = StringProperty("")
    note = StringProperty("")
    error = StringProperty("")
    active = BooleanProperty(False)
    kind = StringProperty("text")  # keypad | choice | text

    def __init__(self, field, initial: str = "", offers: list[tuple[str, str]] | None = None,
                 tap_hint: str = "", **kwargs):
        super().__init__(**kwargs)
        self.field = field
        self.touched = False
        self.raw = ""  # keypad digits, a choice, or the text
        self.prefilled = bool(initial)
        self.initial = str(initial or "")
        self.kind = ("keypad" if field.type in KEYPAD_MODES
                     else "choice" if field.type == "choice" else "text")
        self.label_text = ("*" if field.required else "") + field.label_for(language()) + (
            "" if field.required else t("form_optional"))
        self.chips: dict[str, FormChoice] = {}
        self.value_box = FormValueBox()
        self.tap_hint = t("form_tap_to_type_text") if self.kind == "text" else tap_hint
        box = self.ids.input
        if self.kind == "choice":
            # the caption in the citizen's language; the value is the catalog's option as it is
            for option, caption in zip(field.options, field.option_captions(language())):
                self._chip(caption, option, f"{field.name}-{id(self)}")
        elif self.kind == "keypad":
            box.add_widget(self.value_box)
        else:
            box.add_widget(self.value_box, index=len(box.children))  # above the offers
            self.value_box.disabled = self.prefilled  # changed at the window (the note says)
            for label, value in offers or []:
                self._chip(label, value, None)
        self.set_value(initial, touched=False)

    def _chip(self, label: str, value: str, group: str | None) -> None:
        chip = FormChoice(text=label, value=value, group=group, allow_no_selection=False)
        chip.bind(on_release=lambda c: self.set_value(c.value, touched=True))
        self.ids.chips.add_widget(chip)
        self.chips[value] = chip

    # -- the value ------------------------------------------------------------------------
    def value(self) -> str | None:
        """The value for the session (None: left empty)."""
        if not self.raw:
            return None
        return _date_shown(self.raw) if self.field.type == "date" else self.raw

    def set_value(self, text: str, touched: bool = True) -> None:
        text = str(text or "")
        if self.kind == "keypad":
            if self.field.type == "date":
                text = text.replace("-", "").replace("/", "")
            text = clean(KEYPAD_MODES[self.field.type], text, self.max_length())
        self.raw = text
        if touched:
            self.touched = True
        self._show()
        self.check()

    def max_length(self) -> int:
        f = self.field
        if f.type == "date":
            return 8
        if f.type == "number":
            return len(str(int(f.maximum))) if f.maximum else 9
        return int(f.max_length or 0) if self.kind == "text" else 0

    def _show(self) -> None:
        shown = self.value() or ""
        from_card = (self.prefilled and shown == self.initial) or (self.kind == "text" and shown in self.chips)
        if from_card:  # read from the card (prefilled, or 同身份证住址): masked, as everywhere
            if self.field.prefill == "name":
                shown = mask_name(shown)
            elif self.field.type == "id_number" or self.field.prefill == "id_number":
                shown = mask_number(shown)
            elif self.field.type == "address" or self.field.prefill == "address":
                shown = mask_address(shown)
        box = self.value_box
        box.empty = not shown
        if self.kind == "keypad":
            box.text = shown or self.tap_hint
        elif self.kind == "text":
            box.text = shown or (t("form_no_value") if self.prefilled else self.tap_hint)
        for value, chip in self.chips.items():
            chip.state = "down" if value == self.raw and self.raw else "normal"
        self.shown = shown
        self._note()

    def _note(self) -> None:
        f = self.field
        help_line = f.help_for(language())
        notes = [help_line] if help_line else []
        if self.kind == "text":
            if self.prefilled:
                notes.append(t("form_change_at_window"))
            elif not self.raw and not self.chips and not f.required:
                notes.append(t("form_may_skip"))
        self.note = sentences(notes)

    def check(self, force: bool = False) -> bool:
        """Validate; show the problem if the citizen has finished the field (or ``force``)."""
        if force:
            self.touched = True
        try:
            validate(self.field, self.value())
        except FieldError as err:
            self.error = explain(err) if self.touched else ""
            return False
        self.error = ""
        return True

    def show_error(self, err: FieldError) -> None:
        self.touched = True
        self.error = explain(err)

    def wipe(self) -> None:
        self.raw = ""
        self.shown = self.error = ""
        self.value_box.text = ""
        for chip in self.chips.values():
            chip.state = "normal"


class FormScreen(KioskScreen):
    intro = StringProperty("")
    message = StringProperty("")
    active_label = StringProperty("")
    #: the pinyin keyboard is open (landscape: the side panel widens to it)
    typing_text = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows: dict[str, FormFieldRow] = {}
        self.active: FormFieldRow | None = None
        self._built_for: Any = None

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        self.back_button = self.keyed(BigButton(kind="secondary"), "back")
        self.back_button.bind(on_release=lambda *_: self.back())
        self.next_button = self.keyed(BigButton(kind="primary"), "next")
        self.next_button.bind(on_release=lambda *_: self.submit())
        self.add_action(self.back_button)
        self.add_action(self.next_button)
        self.ids["back_button"], self.ids["next_button"] = self.back_button, self.next_button
        # made here, not in the .kv rule: Keypad builds its keys in __init__
        scale = self.app.theme.scale if self.app is not None else 1.0
        keypad = Keypad(key_height=max(TOUCH, dp(76) * scale), font_size=dp(34) * scale)
        self.ids.keypad_slot.add_widget(keypad)
        self.ids["keypad"] = keypad
        self.bind(active_label=lambda *_: setattr(keypad, "disabled", not self.active_label))
        keypad.disabled = True
        keypad.bind(text=self._typed, on_complete=self._complete)
        # the pinyin keyboard for text fields: takes the keypad's place while one is active
        self.pinyin = PinyinKeyboard()
        self._size_keyboard()
        self.bind(portrait=self._size_keyboard)
        self.bind(portrait=self._fill_slot, active_label=self._fill_slot,
                  typing_text=self._fill_slot)
        if self.app is not None:
            self.app.theme.bind(scale=self._size_keyboard)  # 长辈模式 on and off
        self.pinyin.bind(text=self._typed_text, on_done=lambda *_: self.select(None))

    def _size_keyboard(self, *_args) -> None:
        """Key height: the keypad's; in landscape the smallest touch size, so that the
        keyboard and some fields fit 1080 px (长辈模式 too: its fonts stay large)."""
        scale = self.app.theme.scale if self.app is not None else 1.0
        board = self.pinyin
        board.key_height = max(TOUCH, dp(76) * scale) if self.portrait else TOUCH
        board.font_size, board.candidate_font_size = dp(32) * scale, dp(36) * scale

    def _language_changed(self, *args) -> None:
        super()._language_changed(*args)
        if getattr(self, "pinyin", None) is not None:
            self.pinyin.relabel()

    # -- building -------------------------------------------------------------------------
    def refresh(self) -> None:
        session = self.session
        item = session.item
        if session.state is not State.FORM or item is None:
            return
        self.title = f"{t('form_title')}·{item.name_for(language())}"
        steps = session.steps
        self.back_button.opacity = 1 if self._can_go_back(steps) else 0
        self.back_button.disabled = not self._can_go_back(steps)
        self.back_button.size_hint_x = 1 if self._can_go_back(steps) else 0.001
        if not (self._built_for is session.item and self.rows):
            self._build(item)  # else back from the idle countdown: keep what was typed
        applicant = session.applicant
        self.intro = (t("form_intro", name=mask_name(applicant.name)) if applicant
                      else t("form_intro_anon"))

    def _can_go_back(self, steps) -> bool:
        return State.FORM in steps and steps.index(State.FORM) > 0 and \
            steps[steps.index(State.FORM) - 1] is not State.IDENTIFY

    def _build(self, item) -> None:
        self.clear_personal()
        values = self.session.form_values
        applicant = self.session.applicant
        hint = t("form_tap_to_type" if self.portrait else "form_tap_to_type_side")
        box = self.ids.fields
        for field in item.fields:
            initial = values.get(field.name)
            initial = "" if initial is None else str(initial)
            offers: list[tuple[str, str]] = []
            if field.type == "address" and applicant is not None and applicant.address \
                    and applicant.address != initial:
                offers.append((t("form_same_as_card"), applicant.address))
            row = FormFieldRow(field, initial, offers, tap_hint=hint)
            row.value_box.bind(on_release=lambda _b, r=row: self.select(r))
            box.add_widget(row)
            self.rows[field.name] = row
        self._built_for = item
        self.ids.scroll.scroll_y = 1
        first = next((r for r in self.rows.values() if r.kind == "keypad" and not r.raw), None)
        self.select(first)

    # -- the keypad -----------------------------------------------------------------------
    def select(self, row: FormFieldRow | None) -> None:
        """Make ``row`` the keypad's or the pinyin keyboard's target (None: none active)."""
        old, keypad = self.active, self.ids.keypad
        if row is old and row is not None:
            return
        if old is not None and old is not row:
            old.active = old.value_box.active = False
            if old.raw:
                old.check(force=True)  # left after typing: say what is wrong
        if old is not None and old.kind == "text" and old is not row:
            self._close_keyboard()
        if row is None or row.kind == "choice" or (row.kind == "text" and row.prefilled):
            self.active, self.active_label = None, ""
            keypad.unbind(text=self._typed)
            keypad.clear()
            keypad.bind(text=self._typed)
            return
        if row.kind == "text":
            self._open_keyboard(row)
            return
        self.active = row
        row.active = row.value_box.active = True
        self.active_label = t("form_keypad_for", label=row.field.label_for(language()))
        keypad.unbind(text=self._typed)
        keypad.text = ""
        if keypad.mode != KEYPAD_MODES[row.field.type]:
            keypad.mode = KEYPAD_MODES[row.field.type]  # rebuilds the keys: only on change
        if keypad.max_length != row.max_length():
            keypad.max_length = row.max_length()
        keypad.text = row.raw
        keypad.bind(text=self._typed)
        if self.ids.scroll.height and row.parent is not None:
            self.ids.scroll.scroll_to(row, padding=20, animate=False)

    def _open_keyboard(self, row: FormFieldRow) -> None:
        keypad, board = self.ids.keypad, self.pinyin
        keypad.unbind(text=self._typed)
        keypad.clear()
        keypad.bind(text=self._typed)
        self.active = row
        row.active = row.value_box.active = True
        self.active_label = t("form_keypad_for", label=row.field.label_for(language()))
        board.unbind(text=self._typed_text)
        board.max_length = row.max_length()
        board.names = is_name_label(row.field.label)  # 配偶姓名 …: full names first
        board.target_text = row.raw
        board.bind(text=self._typed_text)
        self.typing_text = True
        if self.ids.scroll.height and row.parent is not None:
            self.ids.scroll.scroll_to(row, padding=20, animate=False)

    def _close_keyboard(self) -> None:
        board = self.pinyin
        board.unbind(text=self._typed_text)
        board.clear()
        board.bind(text=self._typed_text)
        self.typing_text = False

    def _fill_slot(self, *_args) -> None:
        """The keyboard while typing text, else the keypad, else (portrait, nothing active:
        the panel is folded away) nothing: a disabled keypad left there would still take the
        taps meant for the fields and buttons it lies over."""
        keypad = self.ids.keypad
        want = self.pinyin if self.typing_text else \
            keypad if (self.active_label or not self.portrait) else None
        slot = self.ids.keypad_slot
        for child in list(slot.children):
            if child is not want:
                slot.remove_widget(child)
        if want is not None and want.parent is None:
            slot.add_widget(want)

    def _typed_text(self, _board, text: str) -> None:
        if self.active is not None and self.active.kind == "text":
            self.active.set_value(text, touched=self.active.touched)
            self.message = ""

    def _typed(self, _keypad, text: str) -> None:
        if self.active is not None:
            self.active.set_value(text, touched=self.active.touched)
            self.message = ""

    def _complete(self, _keypad, _text: str) -> None:
        if self.active is not None:
            self.active.check(force=True)

    def set_text(self, name: str, text: str) -> None:
        """Type into a text field (the pinyin keyboard, a test)."""
        self.rows[name].set_value(text, touched=True)

    # -- leaving --------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        return {name: row.value() for name, row in self.rows.items() if row.value() is not None}

    def submit(self) -> None:
        if self.session.state is not State.FORM:
            return
        try:
            self.session.form_submitted(self.values())
        except FormErrors as errs:
            for name, err in errs.errors.items():
                if name in self.rows:
                    self.rows[name].show_error(err)
            self.message = t("form_fix_errors", n=len(errs.errors))
            first = next((r for r in self.rows.values() if r.error), None)
            if first is not None:
                self.ids.scroll.scroll_to(first, padding=20, animate=False)
        except SessionError as err:
            self.message = explain(err)

    def on_leave(self, *args):
        self.clear_personal()  # the values live in the session now; none stay on screen

    def clear_personal(self) -> None:
        self.select(None)
        for row in self.rows.values():
            row.wipe()
        self.ids.fields.clear_widgets()
        self.rows = {}
        self.active = None
        self._built_for = None
        self.message = self.intro = ""
        self.ids.keypad.clear()
        self._close_keyboard()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
