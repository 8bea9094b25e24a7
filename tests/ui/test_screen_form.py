"""填写信息: the fields of 房屋租赁登记备案 from the catalog, typed with the on-screen keypad
or the pinyin keyboard (never a system keyboard), choices as toggle buttons, errors in Chinese
under the field as typed and from the session on 下一步; 取消 wipes; nothing typed stays on
screen."""

from __future__ import annotations

import pytest
from kivy.uix.textinput import TextInput

from drivers.idcard import samples
from kiosk.session import State
from kiosk.ui.screens import SCREENS

ITEM = "zz-fwzlba"
MINE = {"form": "kiosk.ui.screens.form:FormScreen",
        "materials": "kiosk.ui.screens.materials:MaterialsScreen",
        "signature": "kiosk.ui.screens.signature:SignatureScreen"}
GOOD_PHONE = "13800138000"


def register(monkeypatch) -> None:
    for name, where in MINE.items():
        monkeypatch.setitem(SCREENS, name, where)


def to_form(kiosk, code: str = ITEM, card=samples.LI_XIAOMING):
    """The item chosen → 开始办理 → the card placed (the identify screen is another
    engineer's: the card goes to the session as that screen hands it)."""
    kiosk.app.choose_item(kiosk.services.catalog.get(code))  # the catalog's tile does this
    kiosk.idle()
    assert kiosk.screen_name == "guide"
    kiosk.tap(kiosk.screen.ids.start_button)
    kiosk.session.identified_by_card(card)
    kiosk.idle(3)
    assert kiosk.session.state is State.FORM and kiosk.screen_name == "form"
    return kiosk.screen


def tap_in_view(kiosk, screen, widget) -> None:
    """Scroll the form to ``widget`` (as a finger would), then tap it."""
    screen.ids.scroll.scroll_to(widget, padding=10, animate=False)
    kiosk.idle(3)
    kiosk.tap(widget)


def type_keys(kiosk, screen, name: str, text: str) -> None:
    """Tap the field, then its keys on the keypad (clearing what was there first)."""
    tap_in_view(kiosk, screen, screen.rows[name].value_box)
    kiosk.idle(2)  # the keypad is laid out (it may just have taken the keyboard's place)
    keypad = screen.ids.keypad
    if keypad.text:
        kiosk.tap(keypad.keys["clear"])
    for char in text:
        kiosk.tap(keypad.keys[char])


def pick(kiosk, board, text: str) -> None:
    """Tap the candidate ``text`` on the bar (the engine loads in the background)."""
    kiosk.wait(lambda: any(b.text == text and not b.disabled for b in board.candidate_buttons))
    kiosk.tap(next(b for b in board.candidate_buttons if b.text == text))


def type_pinyin(kiosk, screen, name: str, words: list[tuple[str, str]]) -> None:
    """Tap the text field, then for each (pinyin, word): its letters and the candidate."""
    tap_in_view(kiosk, screen, screen.rows[name].value_box)
    kiosk.idle(2)  # the keyboard is laid out where the keypad was
    board = screen.pinyin
    assert board in screen.ids.keypad_slot.children
    for pinyin, word in words:
        for letter in pinyin:
            kiosk.tap(board.keys[letter])
        pick(kiosk, board, word)


def fill_lease_form(kiosk, screen) -> None:
    """Fill 房屋租赁登记备案 the way a citizen does."""
    tap_in_view(kiosk, screen, screen.rows["role"].chips["承租人"])
    tap_in_view(kiosk, screen, screen.rows["house_address"].chips[samples.LI_XIAOMING.address])  # 同身份证住址
    type_keys(kiosk, screen, "area", "85")
    type_keys(kiosk, screen, "rent", "2300")
    tap_in_view(kiosk, screen, screen.rows["use"].chips["居住"])
    type_keys(kiosk, screen, "start_date", "20261201")
    type_keys(kiosk, screen, "end_date", "20271130")
    type_pinyin(kiosk, screen, "other_name", [("zhangjianguo", "张建国")])
    kiosk.tap(screen.pinyin.keys["done"])
    type_keys(kiosk, screen, "phone", GOOD_PHONE)


@pytest.fixture
def kiosk(make_kiosk, monkeypatch):
    register(monkeypatch)
    return make_kiosk()


def test_fields_come_from_the_catalog_and_need_no_system_keyboard(kiosk):
    screen = to_form(kiosk)
    item = kiosk.session.item
    assert list(screen.rows) == [f.name for f in item.fields]
    assert screen.title.endswith("房屋租赁登记备案")
    assert "李*明" in screen.intro and "李小明" not in " ".join(kiosk.texts())
    assert not [w for w in screen.walk() if isinstance(w, TextInput)]  # never a system keyboard
    assert set(screen.rows["use"].chips) == {"居住", "商业", "办公", "其他"}
    assert screen.rows["role"].kind == "choice" and screen.rows["phone"].kind == "keypad"
    assert screen.active is screen.rows["area"]  # the first number field has the keypad
    assert "同身份证住址" in kiosk.texts()
    assert not any("本机暂不能输入文字" in t for t in kiosk.texts())  # typed here now
    assert screen.rows["other_name"].value_box.text == "点击此处，用下方键盘输入文字"
    assert "（选填）" in screen.rows["cert_number"].label_text
    from kiosk.ui.theme import TOUCH
    for chip in screen.rows["role"].chips.values():
        assert chip.height >= TOUCH
    assert all(k.height >= TOUCH for k in screen.ids.keypad.keys.values())


def test_a_bad_phone_typed_shows_the_error_under_the_field(kiosk):
    screen = to_form(kiosk)
    row = screen.rows["phone"]
    type_keys(kiosk, screen, "phone", "12345678901")
    assert row.value() == "12345678901"
    assert "手机号码" in row.error and row.error in kiosk.texts()
    kiosk.tap(screen.ids.keypad.keys["backspace"])
    kiosk.tap(screen.ids.keypad.keys["clear"])
    for char in GOOD_PHONE:
        kiosk.tap(screen.ids.keypad.keys[char])
    assert row.error == "" and row.value() == GOOD_PHONE


def test_a_date_is_typed_as_digits_and_checked(kiosk):
    screen = to_form(kiosk)
    type_keys(kiosk, screen, "start_date", "20261399")
    row = screen.rows["start_date"]
    assert row.value_box.text == "2026-13-99" and "日期" in row.error
    type_keys(kiosk, screen, "start_date", "20261201")
    assert row.value() == "2026-12-01" and row.error == ""


def test_next_with_gaps_shows_the_sessions_errors_per_field(kiosk):
    screen = to_form(kiosk)
    kiosk.tap(screen.ids.next_button)
    assert kiosk.session.state is State.FORM
    assert screen.rows["role"].error == "请选择“申请人身份”。"
    assert screen.rows["phone"].error == "请填写“联系电话”。"
    assert screen.rows["cert_number"].error == ""  # optional
    assert "需要修改" in screen.message


def test_a_full_form_goes_on_to_materials(kiosk):
    screen = to_form(kiosk)
    fill_lease_form(kiosk, screen)
    assert all(not row.error for row in screen.rows.values())
    kiosk.tap(screen.ids.next_button)
    assert kiosk.session.state is State.MATERIALS and kiosk.screen_name == "materials"
    form = dict(kiosk.session.form_values)
    assert form["phone"] == GOOD_PHONE and form["area"] == 85 and form["role"] == "承租人"
    assert form["start_date"] == "2026-12-01" and form["other_name"] == "张建国"
    assert screen.rows == {} and not screen.ids.fields.children  # nothing left on screen
    assert screen.ids.keypad.text == ""


def test_prefilled_value_is_shown_with_the_window_note(kiosk):
    screen = to_form(kiosk, code="zz-cxjmyb")  # 居住地址 comes from the card
    row = screen.rows["address"]
    assert row.value() == samples.LI_XIAOMING.address
    assert "如需修改请到窗口办理" in row.note
    assert row.shown == "北京市朝阳区****"  # masked on screen like everything from the card
    assert not any("光华路" in text for text in kiosk.texts())


def test_same_as_card_address_is_kept_whole_but_shown_masked(kiosk):
    screen = to_form(kiosk)
    row = screen.rows["house_address"]
    tap_in_view(kiosk, screen, row.chips[samples.LI_XIAOMING.address])
    assert row.value() == samples.LI_XIAOMING.address
    assert not any("光华路" in text for text in kiosk.texts())


def test_idle_countdown_and_continue_keep_what_was_typed(kiosk):
    screen = to_form(kiosk)
    type_keys(kiosk, screen, "rent", "2300")
    kiosk.clock.advance(kiosk.session.idle_timeout_s)
    kiosk.app.tick()
    kiosk.idle()
    assert kiosk.session.state is State.IDLE_WARNING
    kiosk.tap(kiosk.app.overlay.ids.continue_button)
    assert kiosk.session.state is State.FORM
    assert kiosk.screen.rows["rent"].value() == "2300"


def test_cancel_wipes_the_form_and_the_keypad(kiosk):
    screen = to_form(kiosk)
    type_keys(kiosk, screen, "phone", GOOD_PHONE)
    tap_in_view(kiosk, screen, screen.rows["house_address"].chips[samples.LI_XIAOMING.address])
    kiosk.tap(screen.ids.cancel_button)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    assert dict(kiosk.session.form_values) == {}
    assert screen.rows == {} and not screen.ids.fields.children
    assert screen.ids.keypad.text == "" and screen.intro == ""
    texts = " ".join(kiosk.texts(screen))
    assert GOOD_PHONE not in texts and "光华路" not in texts and "李*明" not in texts


def test_idle_timeout_wipes_the_form(kiosk):
    screen = to_form(kiosk)
    type_keys(kiosk, screen, "phone", GOOD_PHONE)
    kiosk.clock.advance(kiosk.session.idle_timeout_s)
    kiosk.app.tick()
    kiosk.clock.advance(kiosk.services.config.session.idle_countdown_s)
    kiosk.app.tick()
    kiosk.idle()
    assert kiosk.session.state is State.HOME and screen.rows == {}
    assert screen.ids.keypad.text == ""


def test_landscape_puts_the_keypad_beside_the_fields(make_kiosk, monkeypatch):
    from tests.ui.conftest import LANDSCAPE

    register(monkeypatch)
    kiosk = make_kiosk(size=LANDSCAPE)
    screen = to_form(kiosk)
    kiosk.idle(3)
    panel, scroll = screen.ids.keypad_panel, screen.ids.scroll
    assert panel.x >= scroll.right - 1  # side by side
    keypad = screen.ids.keypad
    assert keypad.y >= panel.y - 1 and keypad.top <= panel.top + 1  # not clipped


def _with_name_field(make_kiosk, monkeypatch):
    """A kiosk whose 房屋租赁 form starts with the applicant's name and id (from the card)."""
    from kiosk.catalog.model import Catalog, FormField
    from tests.ui.conftest import _CATALOG

    item = _CATALOG.get(ITEM)
    extra = [FormField(name="applicant_name", label="申请人姓名", type="text", prefill="name"),
             FormField(name="applicant_id", label="申请人身份证号", type="id_number",
                       prefill="id_number")]
    catalog = Catalog(version="t", items=[item.model_copy(update={"fields": extra + item.fields})])
    register(monkeypatch)
    return make_kiosk(catalog=catalog)


def test_values_from_the_card_are_shown_masked(make_kiosk, monkeypatch):
    kiosk = _with_name_field(make_kiosk, monkeypatch)
    screen = to_form(kiosk)
    card = samples.LI_XIAOMING
    assert screen.rows["applicant_name"].value() == card.name  # the session gets it whole
    assert screen.rows["applicant_id"].value() == card.id_number
    texts = " ".join(kiosk.texts())
    assert card.name not in texts and card.id_number not in texts
    assert "李*明" in texts and card.id_number[:6] + "********" in texts


def test_a_name_typed_in_pinyin_fills_the_required_text_field(kiosk):
    screen = to_form(kiosk)
    row, keypad = screen.rows["other_name"], screen.ids.keypad
    type_pinyin(kiosk, screen, "other_name", [("zhangsan", "张")])
    board = screen.pinyin
    assert keypad.parent is None and screen.active is row and screen.typing_text
    assert screen.active_label == "正在填写：对方姓名或单位"
    assert board.composition == "san" and row.value() == "张"  # the rest composes on
    pick(kiosk, board, "三")
    assert row.value() == "张三" and row.value_box.text == "张三"
    kiosk.tap(board.keys["done"])
    assert screen.active is None and board.parent is None  # closed (portrait: panel folded)
    assert board.text == "" and not screen.typing_text
    assert row.value() == "张三" and row.error == ""
    type_pinyin(kiosk, screen, "other_name", [])  # tapped again: goes on from the value
    assert board.text == "张三"
    kiosk.tap(board.keys["backspace"])
    assert row.value() == "张"
    type_keys(kiosk, screen, "phone", GOOD_PHONE)  # another field: the keypad is back
    assert board.parent is None and keypad.parent is not None and board.text == ""
    assert row.value() == "张"


def test_the_required_text_form_is_completed_by_taps_alone(kiosk):
    screen = to_form(kiosk)
    kiosk.tap(screen.ids.next_button)
    assert screen.rows["other_name"].error == "请填写“对方姓名或单位”。"
    fill_lease_form(kiosk, screen)
    assert screen.rows["other_name"].error == ""
    kiosk.tap(screen.ids.next_button)
    assert kiosk.session.state is State.MATERIALS
    assert kiosk.session.form_values["other_name"] == "张建国"


def test_a_prefilled_text_field_cannot_be_typed_into(make_kiosk, monkeypatch):
    screen = to_form(_with_name_field(make_kiosk, monkeypatch))
    row = screen.rows["applicant_name"]
    assert row.value_box.disabled and "如需修改请到窗口办理" in row.note
    screen.select(row)
    assert screen.pinyin.parent is None and screen.active is None


def test_cancel_wipes_the_pinyin_keyboard(kiosk):
    from tests.ui.leftovers import Needles, widget_findings

    screen = to_form(kiosk)
    type_pinyin(kiosk, screen, "other_name", [("zhangjianguo", "张建国")])
    for letter in "lis":
        kiosk.tap(screen.pinyin.keys[letter])
    assert screen.pinyin.composition == "lis"
    kiosk.tap(screen.ids.cancel_button)
    assert kiosk.session.state is State.HOME
    board = screen.pinyin
    assert board.text == board.composition == "" and board.parent is None
    assert not [b.text for b in board.candidate_buttons if b.text]
    secret = "".join(["张", "建", "国"])
    assert widget_findings(kiosk.app, Needles([secret, "zhangjianguolis"])) == []


def test_landscape_widens_the_panel_to_the_keyboard_inside_the_window(make_kiosk, monkeypatch):
    from tests.ui.conftest import LANDSCAPE

    register(monkeypatch)
    kiosk = make_kiosk(size=LANDSCAPE)
    screen = to_form(kiosk)
    type_pinyin(kiosk, screen, "other_name", [("zhang", "张")])
    kiosk.idle(3)
    board, scroll, panel = screen.pinyin, screen.ids.scroll, screen.ids.keypad_panel
    width, height = LANDSCAPE
    assert screen.typing_text and panel.x >= scroll.right - 1  # still beside the fields
    assert board.x >= 0 and board.y >= 0 and board.right <= width + 1 and board.top <= height + 1
    assert board.ids.board.width >= 14 * 64 - 1  # a full QWERTY width
    assert board.y >= panel.y - 1 and board.top <= panel.top + 1  # not clipped
    assert scroll.width >= 700  # the fields keep room
    kiosk.tap(board.keys["done"])
    kiosk.idle(3)
    assert not screen.typing_text and panel.x >= scroll.right - 1  # the keypad beside again
