"""The on-screen keypad, tapped with test touches on the real window."""

import pytest

from tests.ui.widget_harness import frames, mounted, tap, window

window()  # before any widget makes a text texture

from kivy.uix.boxlayout import BoxLayout  # noqa: E402
from kivy.uix.textinput import TextInput  # noqa: E402

from kiosk.ui.widgets.keypad import Keypad, accepts, clean  # noqa: E402


def type_keys(pad, keys):
    for value in keys:
        tap(pad.keys[value])


@pytest.fixture
def no_system_keyboard(monkeypatch):
    """Fails the test if anything asks the window for the system keyboard."""
    asked = []
    win = window()
    monkeypatch.setattr(win, "request_keyboard", lambda *a, **k: asked.append(a) or None)
    yield asked
    assert asked == [], "the system keyboard was requested"


def test_digits_typed_by_taps_then_backspace_and_clear(no_system_keyboard):
    pad = Keypad(mode="digits")
    with mounted(pad, size=(480, pad.height)):
        type_keys(pad, "2026")
        assert pad.text == "2026"
        tap(pad.keys["backspace"])
        assert pad.text == "202"
        tap(pad.keys["clear"])
        assert pad.text == ""
        assert pad.keys["backspace"].disabled and pad.keys["clear"].disabled


@pytest.mark.parametrize("asked", [None, 40])
def test_keys_are_big_enough_to_touch(asked):
    for mode in ("digits", "phone", "id_number"):
        pad = Keypad(mode=mode) if asked is None else Keypad(mode=mode, key_height=asked)
        with mounted(pad, size=(480, pad.height)):
            for key in pad.keys.values():
                assert key.width >= 64 and key.height >= 64, (mode, key.value, key.size)


def test_digits_mode_stops_at_max_length_and_reports_complete():
    pad = Keypad(mode="digits", max_length=4)
    done = []
    pad.bind(on_complete=lambda _pad, text: done.append(text))
    with mounted(pad, size=(480, pad.height)):
        type_keys(pad, "1234")
        assert done == ["1234"] and pad.is_complete
        assert pad.keys["5"].disabled
        pad.press("5")
        assert pad.text == "1234"
        assert done == ["1234"]


def test_mobile_number_is_eleven_digits():
    pad = Keypad(mode="phone")
    done = []
    pad.bind(on_complete=lambda _pad, text: done.append(text))
    with mounted(pad, size=(480, pad.height)):
        type_keys(pad, "13812345678")
        assert pad.text == "13812345678" and done == ["13812345678"]
        pad.press("9")
        pad.press("-")
        assert pad.text == "13812345678"


def test_landline_with_area_code_and_dash():
    pad = Keypad(mode="phone")
    done = []
    pad.bind(on_complete=lambda _pad, text: done.append(text))
    with mounted(pad, size=(480, pad.height)):
        assert pad.keys["-"].disabled
        type_keys(pad, "0571")
        assert not pad.keys["-"].disabled
        type_keys(pad, "-8888888")
        assert pad.text == "0571-8888888" and not pad.is_complete
        tap(pad.keys["8"])
        assert pad.text == "0571-88888888" and done == ["0571-88888888"]
        assert pad.keys["8"].disabled


def test_id_number_takes_x_only_as_the_last_character():
    pad = Keypad(mode="id_number")
    done = []
    pad.bind(on_complete=lambda _pad, text: done.append(text))
    with mounted(pad, size=(480, pad.height)):
        assert "X" in pad.keys and "-" not in pad.keys
        tap(pad.keys["X"])
        assert pad.text == ""
        type_keys(pad, "11010519491231002")
        assert not done and not pad.keys["X"].disabled
        tap(pad.keys["X"])
        assert pad.text == "11010519491231002X" and done == ["11010519491231002X"]
        assert pad.is_complete and all(pad.keys[d].disabled for d in "0123456789X")
        tap(pad.keys["backspace"])
        assert pad.text == "11010519491231002" and not pad.is_complete


def test_edits_a_target_text_input_without_the_system_keyboard(no_system_keyboard):
    box = BoxLayout(orientation="vertical")
    field = TextInput(size_hint_y=None, height=80, multiline=False)
    pad = Keypad(mode="phone", target=field)
    box.add_widget(field)
    box.add_widget(pad)
    assert field.keyboard_mode == "managed"
    with mounted(box):
        tap(field)  # the citizen touches the field: it takes focus, no keyboard pops up
        frames(2)
        type_keys(pad, "138")
        assert field.text == "138" and pad.text == "138"
        tap(pad.keys["backspace"])
        assert field.text == "13"
        pad.clear()  # the end of a session empties the field too
        assert field.text == pad.text == ""
        field.text = "139 1234-5678abc"  # a prefill is cleaned to what the pad could type
        assert pad.text == field.text == "13912345678"
        field.focus = False


def test_changing_mode_rebuilds_keys_and_trims_text():
    pad = Keypad(mode="id_number", text="")
    for value in "11010519491231002X":
        pad.press(value)
    pad.mode = "digits"
    assert "X" not in pad.keys
    assert pad.text == "11010519491231002"


@pytest.mark.parametrize(
    "mode, text, key, ok",
    [
        ("digits", "", "a", False),
        ("phone", "", "-", False),
        ("phone", "010", "-", True),
        ("phone", "010-", "-", False),
        ("phone", "1381234567", "8", True),
        ("phone", "13812345678", "0", False),
        ("id_number", "1" * 17, "X", True),
        ("id_number", "1" * 16, "X", False),
    ],
)
def test_rules(mode, text, key, ok):
    assert accepts(mode, text, key) is ok


def test_clean_uppercases_x_and_drops_the_rest():
    assert clean("id_number", " 11010519491231002x ") == "11010519491231002X"
    assert clean("digits", "12a34", 3) == "123"
