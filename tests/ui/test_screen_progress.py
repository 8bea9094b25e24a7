"""进度查询 against the fake county on loopback: by typed number, by the receipt's QR code,
by ID card; unknown number → 未查询到; the backend away → a calm 暂时无法查询; the answer
masked on screen; cancel, idle and nothing personal left after the visit."""

from __future__ import annotations

import importlib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from drivers.health import DeviceState
from drivers.idcard.samples import LI_XIAOMING
from drivers.scanner.model import ScannedCode
from kiosk import wire
from kiosk.client import CountyClient
from kiosk.config import parse_config
from kiosk.session import QueryProgress, State
from kiosk.signing import DeviceKey
from kiosk.ui.screens import SCREENS
from kiosk.ui.services import ACTION_HANDLERS
from tests.support.fake_county import FakeCounty
from tests.ui import conftest

CST = timezone(timedelta(hours=8))
DEVICE_ID = "ZZ-EQ-0001"
NAME, NUMBER = "欧阳小明", "410102195003071234"
TXN = "ZZ-EQ-0001-20261122-000042"


pytestmark = pytest.mark.usefixtures("keep_action_handlers")


@pytest.fixture
def county():
    with FakeCounty() as c:
        yield c


def county_config(folder: Path, url: str):
    return parse_config({
        "identity": {"device_id": DEVICE_ID, "maintainer": "二七区政务服务中心",
                     "phone": "0371-68665010", "location": "大学路街道便民服务中心大厅"},
        "backend": {"url": url, "connect_timeout_s": 0.5, "read_timeout_s": 2.0},
        "paths": {"data_dir": str(folder / "data"), "runtime_dir": str(folder / "run"),
                  "data_key": str(folder / "data.key"), "device_key": str(folder / "device.key")},
    }, "test")


@pytest.fixture
def env(tmp_path, monkeypatch, county):
    """(make, key): ``make(**options)`` builds a kiosk whose config points at the county."""
    monkeypatch.setitem(SCREENS, "progress", "kiosk.ui.screens.progress:ProgressScreen")
    monkeypatch.setitem(SCREENS, "progress_result",
                        "kiosk.ui.screens.progress_result:ProgressResultScreen")
    progress = importlib.import_module("kiosk.ui.screens.progress")
    ACTION_HANDLERS[QueryProgress] = progress._query_progress
    key = DeviceKey.load_or_create(tmp_path / "device.key")
    county.enroll_key(DEVICE_ID, key.public_key_b64())
    monkeypatch.setattr(conftest, "ui_config", lambda folder: county_config(folder, county.url))
    return key


@pytest.fixture
def kiosk(make_kiosk, env):
    return make_kiosk()


def put_case(county, key, seq: int, name: str = NAME, number: str = NUMBER, code: str = "zz-gljt") -> str:
    """A transaction at the county, posted through the real client."""
    txn_id = f"{DEVICE_ID}-20261122-{seq:06d}"
    txn = wire.TransactionIn(
        txn_id=txn_id, item_code=code, item_version="3",
        created_at=datetime(2026, 11, 22, 10, 3, tzinfo=CST), identity_method="id_card",
        applicant=wire.Applicant(id_type="resident", id_number=number, name=name, gender="男",
                                 birth=date(1950, 3, 7)))
    client = CountyClient(county.url, DEVICE_ID, key)
    client.post_transaction(txn_id, txn.model_dump_json().encode())
    client.close()
    return txn_id


def open_progress(kiosk, tile: str = "tile_progress"):
    kiosk.tap(kiosk.screen.ids[tile])
    assert kiosk.session.state is State.PROGRESS_QUERY and kiosk.screen_name == "progress"
    return kiosk.screen


def type_digits(kiosk, screen, digits: str, tap_all: bool = False) -> None:
    """Real taps (all of them, or the last two: taps are slow) on the keypad's keys."""
    for n, char in enumerate(digits):
        if tap_all or n >= len(digits) - 2:
            kiosk.tap(screen.keypad.keys[char])
        else:
            screen.keypad.press(char)


def answered(kiosk):
    kiosk.wait(lambda: kiosk.session.state is State.PROGRESS_RESULT)
    kiosk.idle(2)
    assert kiosk.screen_name == "progress_result"
    return kiosk.screen


def shows(kiosk, text: str) -> bool:
    return any(text in t for t in kiosk.texts())


def nothing_personal_left(kiosk) -> None:
    from kiosk.ui.screens.progress import progress_answer

    assert kiosk.session.state is State.HOME
    assert progress_answer(kiosk.services) is None
    for name in ("progress", "progress_result"):
        screen = kiosk.app.manager.get_screen(name)
        texts = " ".join(kiosk.texts(screen))
        for secret in (NAME, "欧**明", NUMBER, "410102", "20261122", LI_XIAOMING.id_number[:6]):
            assert secret not in texts, (name, secret)
    assert kiosk.app.manager.get_screen("progress").keypad.text == ""
    assert kiosk.app.manager.get_screen("progress_result").ids.cases.children == []


def test_by_typed_number_shows_the_case_masked(kiosk, county, env):
    put_case(county, env, 42)
    screen = open_progress(kiosk)
    assert "ZZ-EQ-0001-" in screen.ids.number_label.text  # this machine's prefix, prefilled
    assert screen.query_button.disabled
    type_digits(kiosk, screen, "20261122000042", tap_all=True)
    assert screen.number == TXN and not screen.query_button.disabled
    kiosk.tap(screen.query_button)
    result = answered(kiosk)
    assert kiosk.session.progress_count == 1
    text = " ".join(kiosk.texts())
    assert "高龄津贴申领" in text and "已受理" in text and TXN in text
    assert "欧**明" in text and "410102********1234" in text and NAME not in text and NUMBER not in text
    assert "承诺办结：" in text and "办理记录" in text
    assert "zz-gljt" not in text  # the catalog's name, never the code
    assert list(result.rate_buttons) == [TXN]  # 评价此件 is offered on every case found
    assert result.rate_buttons[TXN].text == "评价此件" and result.message == ""  # no rating hint
    kiosk.tap(result.ids.done_button)
    nothing_personal_left(kiosk)


def test_by_scanned_receipt_code(kiosk, county, env):
    put_case(county, env, 42)
    open_progress(kiosk)
    kiosk.services.devices._code(ScannedCode(TXN, TXN.encode(), "QRCode", "scanner"))
    answered(kiosk)
    assert shows(kiosk, TXN) and shows(kiosk, "共查询到1件办件")
    kiosk.tap(kiosk.screen.ids.cancel_button)
    nothing_personal_left(kiosk)


def test_a_code_that_is_not_a_receipt_is_told_plainly(kiosk):
    screen = open_progress(kiosk)
    kiosk.services.devices._code(ScannedCode("https://example.cn/x", b"x", "QRCode", "scanner"))
    kiosk.idle(3)
    assert kiosk.session.state is State.PROGRESS_QUERY
    assert "回执上的二维码" in screen.message


def test_by_id_card_lists_every_case_of_the_holder(kiosk, county, env):
    put_case(county, env, 7, LI_XIAOMING.name, LI_XIAOMING.id_number)
    put_case(county, env, 8, LI_XIAOMING.name, LI_XIAOMING.id_number, code="zz-ydjyba")
    put_case(county, env, 9)  # someone else's
    open_progress(kiosk)
    kiosk.services.devices._card(LI_XIAOMING)
    answered(kiosk)
    assert kiosk.session.progress_count == 2
    text = " ".join(kiosk.texts())
    assert "高龄津贴申领" in text and "异地就医备案" in text and "共查询到2件办件" in text
    assert "李*明" in text and LI_XIAOMING.name not in text and LI_XIAOMING.id_number not in text
    assert "000009" not in text
    kiosk.tap(kiosk.screen.ids.done_button)
    nothing_personal_left(kiosk)


def test_unknown_number_is_not_found(kiosk):
    screen = open_progress(kiosk)
    type_digits(kiosk, screen, "20261122000099")
    kiosk.tap(screen.query_button)
    answered(kiosk)
    assert kiosk.session.progress_count == 0
    assert shows(kiosk, "未查询到") and shows(kiosk, "ZZ-EQ-0001-20261122-000099")
    assert not shows(kiosk, "暂时无法查询")


def test_backend_down_is_a_calm_message(kiosk, county):
    county.stop()
    screen = open_progress(kiosk)
    type_digits(kiosk, screen, "20261122000042")
    kiosk.tap(screen.query_button)
    answered(kiosk)
    assert kiosk.session.progress_count == 0
    assert shows(kiosk, "暂时无法查询，请稍后再试")
    assert all(t.isascii() is False or t.strip() == "" for t in kiosk.texts())  # no English
    kiosk.tap(kiosk.screen.ids.done_button)
    nothing_personal_left(kiosk)


def test_backend_errors_by_card_are_calm_too(kiosk, county):
    county.fail("503", times=5)
    open_progress(kiosk)
    kiosk.services.devices._card(LI_XIAOMING)
    answered(kiosk)
    assert shows(kiosk, "暂时无法查询")


def test_not_enrolled_is_calm(kiosk, county):
    county.devices.clear()  # the county no longer knows this machine's key
    open_progress(kiosk)
    kiosk.services.devices._code(ScannedCode(TXN, TXN.encode(), "QRCode", "scanner"))
    answered(kiosk)
    assert shows(kiosk, "暂时无法查询")


def test_a_number_from_another_machine(kiosk, county, env):
    screen = open_progress(kiosk)
    kiosk.tap(screen.ids.edit_prefix_button)
    assert screen.editing_prefix and screen.alpha_pad.parent is screen.ids.pads.__self__
    kiosk.tap(screen.alpha_keys["backspace"])
    kiosk.tap(screen.alpha_keys["2"])
    kiosk.tap(screen.ids.edit_prefix_button)  # 完成
    assert screen.keypad.parent is screen.ids.pads.__self__
    type_digits(kiosk, screen, "20261122000001")
    assert screen.number == "ZZ-EQ-0002-20261122-000001"
    kiosk.tap(screen.query_button)
    answered(kiosk)
    assert shows(kiosk, "ZZ-EQ-0002-20261122-000001") and shows(kiosk, "未查询到")


def test_again_starts_a_new_query(kiosk):
    screen = open_progress(kiosk)
    type_digits(kiosk, screen, "20261122000099")
    kiosk.tap(screen.query_button)
    answered(kiosk)
    kiosk.tap(kiosk.screen.ids.again_button)
    assert kiosk.session.state is State.PROGRESS_QUERY and kiosk.screen_name == "progress"
    assert kiosk.screen.keypad.text == "" and "000099" not in kiosk.screen.ids.number_label.text


def test_rating_intent_leads_from_the_result_to_rating(kiosk, county, env):
    from kiosk.ui.theme import TOUCH

    put_case(county, env, 42)
    screen = open_progress(kiosk, "tile_rating")
    assert "好差评" in screen.title and "先查询您的办件，再进行评价" in screen.intro
    kiosk.services.devices._code(ScannedCode(TXN, TXN.encode(), "QRCode", "scanner"))
    result = answered(kiosk)
    assert "评价此件" in result.message
    button = result.rate_buttons[TXN]
    assert button.height >= TOUCH and button.width >= 2 * TOUCH
    kiosk.tap(button)
    assert kiosk.session.state is State.RATING and kiosk.screen_name == "rating"
    assert kiosk.session.rating_case.txn_id == TXN


def test_cancel_wipes_what_was_typed(kiosk):
    screen = open_progress(kiosk)
    type_digits(kiosk, screen, "2026112200")
    kiosk.tap(screen.ids.cancel_button)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    assert screen.keypad.text == "" and "2026" not in screen.ids.number_label.text


def test_idle_on_the_result_wipes_it(kiosk, county, env):
    put_case(county, env, 42)
    open_progress(kiosk)
    kiosk.services.devices._code(ScannedCode(TXN, TXN.encode(), "QRCode", "scanner"))
    result = answered(kiosk)
    kiosk.clock.advance(kiosk.session.idle_timeout_s)
    kiosk.app.tick()
    assert kiosk.session.state is State.IDLE_WARNING
    kiosk.tap(kiosk.app.overlay.ids.continue_button)  # 继续办理: the answer is shown again
    assert kiosk.session.state is State.PROGRESS_RESULT and len(result.case_widgets) == 1
    kiosk.clock.advance(kiosk.session.idle_timeout_s)
    kiosk.app.tick()
    kiosk.clock.advance(kiosk.session.settings.idle_countdown_s)
    kiosk.app.tick()
    kiosk.idle(2)
    nothing_personal_left(kiosk)


def test_idle_resume_keeps_the_typing(kiosk):
    screen = open_progress(kiosk)
    type_digits(kiosk, screen, "2026")
    kiosk.clock.advance(kiosk.session.idle_timeout_s)
    kiosk.app.tick()
    kiosk.tap(kiosk.app.overlay.ids.continue_button)
    assert kiosk.session.state is State.PROGRESS_QUERY and screen.keypad.text == "2026"


def test_devices_down_are_said(kiosk):
    kiosk.devices["scanner"].set(DeviceState.OFFLINE)
    kiosk.idle(3)
    screen = open_progress(kiosk)
    assert "扫码器暂时无法使用" in screen.scan_note and screen.card_note == ""
    kiosk.devices["idcard"].set(DeviceState.OFFLINE)
    kiosk.idle(3)
    assert "身份证阅读器暂时无法使用" in screen.card_note


def test_a_card_read_error_is_told(kiosk):
    screen = open_progress(kiosk)
    kiosk.services.devices._card_error(RuntimeError("crc"))
    kiosk.idle(3)
    assert "未能读取身份证" in screen.message and kiosk.session.state is State.PROGRESS_QUERY


def test_pending_here_is_said_when_the_county_has_it_not_yet(make_kiosk, env, county):
    from tests.support.kiosk_env import make_draft

    kiosk = make_kiosk(store=True)
    submitted = kiosk.services.store.outbox.submit(make_draft(1), DEVICE_ID, datetime.now(CST))
    txn_id = getattr(submitted, "txn_id", submitted)
    county.stop()
    open_progress(kiosk)
    kiosk.services.devices._code(ScannedCode(txn_id, txn_id.encode(), "QRCode", "scanner"))
    answered(kiosk)
    assert shows(kiosk, "已受理（待上传）") and shows(kiosk, "联网后自动上报")
    assert kiosk.session.progress_count == 1
    assert list(kiosk.screen.rate_buttons) == [txn_id]  # rated now, sent after the case


@pytest.mark.parametrize("size", [conftest.PORTRAIT, conftest.LANDSCAPE], ids=["portrait", "landscape"])
def test_layout_fits(make_kiosk, env, size):
    from kiosk.ui.theme import TOUCH

    kiosk = make_kiosk(size=size)
    screen = open_progress(kiosk)
    kiosk.idle(3)
    content = screen.ids.content
    cx, cy = content.to_window(*content.pos)
    for widget in [screen.ids.number_label, screen.ids.edit_prefix_button, *screen.keypad.keys.values()]:
        x, y = widget.to_window(*widget.pos)
        assert y >= cy - 1 and y + widget.height <= cy + content.height + 1, widget
        assert x >= cx - 1 and x + widget.width <= cx + content.width + 1, widget
    for key in screen.keypad.keys.values():
        assert key.height >= TOUCH and key.width >= TOUCH
    kiosk.tap(screen.ids.edit_prefix_button)
    kiosk.idle(3)
    for key in screen.alpha_keys.values():
        x, y = key.to_window(*key.pos)
        assert key.height >= TOUCH and key.width >= TOUCH
        assert y >= cy - 1, key.text
