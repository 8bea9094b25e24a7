"""身份核验 and 暂不能办理: a card placed (a hub event, or the emulated reader) moves on with
the masked name shown; an expired card and a too-young applicant for 高龄津贴 land on
ineligible with the reasons and the window to go to; a QR identity (the stand-in e-ID);
the reader down mid-flow; cancel from each; nothing personal left after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from drivers.health import DeviceState
from drivers.idcard import samples
from drivers.idcard.errors import CardReadError
from kiosk.session import QrIdentity, State
from kiosk.ui.screens import SCREENS
from kiosk.ui.screens.identify import IdentifyScreen, stand_in_code, stand_in_resolve
from tests.ui.test_screen_face import face_devices

#: Someone old enough for 高龄津贴 (the samples are all younger than 80).
ELDER = {"card_type": "resident", "name": "赵德福", "gender": "男", "nation": "汉",
         "birth": "1938-05-06", "address": "河南省郑州市二七区大学路街道88号",
         "id_number": "410103193805060017", "authority": "郑州市公安局二七分局",
         "valid_from": "2006-05-06", "valid_to": "长期"}
SECRETS = ("李小明", "李*明", "110105199003071239", "周建国", "周*国", "440306197001015510",
           "赵德福", "赵*福", "410103193805060017", "EID1:")


@dataclass
class Code:
    text: str


@pytest.fixture(autouse=True)
def screens(monkeypatch):
    for name, cls in (("identify", "IdentifyScreen"), ("ineligible", "IneligibleScreen"),
                      ("face", "FaceScreen")):
        monkeypatch.setitem(SCREENS, name, f"kiosk.ui.screens.{name}:{cls}")


def to_identify(kiosk, code="zz-gljt"):
    item = next(i for i in kiosk.services.catalog.items if i.code == code)
    kiosk.app.choose_item(item)  # the catalog's tiles are tested in test_flow
    kiosk.idle(2)
    kiosk.tap(kiosk.screen.ids.start_button)
    assert kiosk.session.state is State.IDENTIFY and kiosk.screen_name == "identify"
    return kiosk.screen


def place(kiosk, card) -> None:
    kiosk.services.devices.dispatch("on_card", card)
    kiosk.idle(2)


def scan(kiosk, text) -> None:
    kiosk.services.devices.dispatch("on_code", Code(text))
    kiosk.idle(2)


def nothing_personal(kiosk) -> None:
    for name in ("identify", "ineligible", "face"):
        screen = kiosk.app.manager.get_screen(name)
        texts = [w.text for w in screen.walk() if hasattr(w, "text") and isinstance(w.text, str)]
        for secret in SECRETS:
            assert not any(secret in text for text in texts), (name, secret)
    assert kiosk.app.manager.get_screen("face").ids.preview.texture is None


def test_identify_shows_both_ways_with_the_animated_hint(make_kiosk):
    kiosk = make_kiosk(devices=face_devices())
    screen = to_identify(kiosk)
    texts = kiosk.texts()
    assert "请将身份证放在读卡区" in texts and "或 扫描二维码" in texts
    hint = screen.ids.hint
    phases = set()
    kiosk.wait(lambda: phases.add(round(hint.phase, 2)) or len(phases) > 3, timeout=15)
    assert screen.ids.qr_panel.parent is not None


def test_card_placed_moves_on_with_the_masked_name(make_kiosk):
    kiosk = make_kiosk(devices=face_devices())
    to_identify(kiosk, "zz-cjrlxbt")  # 残疾人两项补贴: no age limit, face photo next
    place(kiosk, samples.LI_XIAOMING)
    assert kiosk.session.state is State.FACE and kiosk.screen_name == "face"
    assert kiosk.session.identity_method == "id_card"
    texts = " ".join(kiosk.texts())
    assert "李*明" in texts and "李小明" not in texts
    kiosk.tap(kiosk.screen.ids.cancel_button)
    assert kiosk.session.state is State.HOME and kiosk.session.applicant is None
    nothing_personal(kiosk)


def test_card_on_the_emulated_reader(make_kiosk):
    kiosk = make_kiosk(simulate=True)
    kiosk.wait(lambda: all(kiosk.services.devices.available(r) for r in ("idcard", "camera")),
               timeout=15)
    to_identify(kiosk, "zz-cjrlxbt")
    kiosk.services.devices.rig.idcard_emu.place(samples.LI_XIAOMING)
    kiosk.wait(lambda: kiosk.session.state is State.FACE, timeout=15)
    assert kiosk.screen_name == "face" and "申请人：李*明" in kiosk.texts()
    kiosk.tap(kiosk.screen.ids.cancel_button)
    nothing_personal(kiosk)


def test_the_result_is_shown_masked_on_identify(make_kiosk):
    kiosk = make_kiosk(devices=face_devices())
    screen = to_identify(kiosk)
    screen._show_identified(samples.LI_XIAOMING)
    assert screen.result == "已识别：李*明  110105********1239"


@pytest.mark.parametrize("card,reasons", [
    (samples.EXPIRED, ["已经过期", "年满80周岁"]),
    (samples.LI_XIAOMING, ["年满80周岁"]),
], ids=["expired", "too_young"])
def test_ineligible_says_why_and_where_to_go(make_kiosk, card, reasons):
    kiosk = make_kiosk(devices=face_devices())
    to_identify(kiosk, "zz-gljt")
    place(kiosk, card)
    assert kiosk.session.state is State.INELIGIBLE and kiosk.screen_name == "ineligible"
    screen = kiosk.screen
    texts = " ".join(kiosk.texts())
    masked = card.name[0] + "*" + card.name[-1]
    assert f"{masked}，您暂时不能在本机办理“高龄津贴申领”" in texts and card.name not in texts
    for reason in reasons:
        assert reason in texts
    assert len(screen.ids.reasons.children) == len(reasons)
    assert "民政窗口" in texts and "0371-68966120" in texts and "12345" in texts
    assert screen.ids.cancel_button.text == "返回首页"
    kiosk.tap(screen.ids.cancel_button)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    assert kiosk.session.problems == [] and kiosk.session.applicant is None
    nothing_personal(kiosk)


def test_wrong_card_type_is_told_plainly(make_kiosk):
    kiosk = make_kiosk(devices=face_devices())
    to_identify(kiosk, "zz-gljt")
    place(kiosk, samples.HMT)  # 港澳台居民居住证: 高龄津贴 takes the resident card only
    assert kiosk.session.state is State.INELIGIBLE
    assert any("需要使用居民身份证办理" in t for t in kiosk.texts())


def test_elder_by_qr_code(make_kiosk):
    kiosk = make_kiosk(devices=face_devices())
    screen = to_identify(kiosk, "zz-gljt")
    scan(kiosk, "回执 ZZ-EQ-0001-20261122-000042")  # not an e-ID code
    assert screen.message == "二维码无法识别，请出示电子身份证二维码。"
    assert kiosk.session.state is State.IDENTIFY
    scan(kiosk, stand_in_code(ELDER))
    kiosk.wait(lambda: kiosk.session.state is State.FACE, timeout=15)
    assert kiosk.session.identity_method == "qr"
    assert kiosk.session.applicant.birth == date(1938, 5, 6)
    assert "申请人：赵*福" in kiosk.texts()
    kiosk.tap(kiosk.screen.ids.cancel_button)
    nothing_personal(kiosk)


def test_stand_in_resolver_round_trip_and_refusals():
    qr = stand_in_resolve(stand_in_code(samples.LONG_TERM_CARD, token="t1"))
    assert isinstance(qr, QrIdentity) and qr.token == "t1" and qr.valid_to == "长期"
    assert qr.name == samples.LONG_TERM_CARD.name and qr.birth == samples.LONG_TERM_CARD.birth
    for bad in ("", "EID1:", "EID1:!!!", "EID1:e30", "https://example.gov.cn/x"):
        with pytest.raises(Exception) as err:
            stand_in_resolve(bad)
        assert getattr(err.value, "code", "") == "bad_qr"


def test_slow_qr_resolution_times_out_kindly(make_kiosk, monkeypatch):
    import threading

    from kiosk.ui.screens import identify

    release = threading.Event()
    monkeypatch.setattr(identify, "RESOLVE_TIMEOUT_S", 0.2)
    monkeypatch.setattr(IdentifyScreen, "resolver",
                        staticmethod(lambda text: release.wait(5) and stand_in_resolve(text)))
    kiosk = make_kiosk(devices=face_devices())
    screen = to_identify(kiosk)
    scan(kiosk, stand_in_code(ELDER))
    assert screen.message == "正在核验二维码，请稍候……"
    kiosk.wait(lambda: "超时" in screen.message, timeout=15)
    release.set()  # the late answer is dropped
    kiosk.idle(5)
    assert kiosk.session.state is State.IDENTIFY and screen.result == ""


def test_card_only_item_refuses_the_qr_path(make_kiosk):
    kiosk = make_kiosk(devices=face_devices())
    screen = to_identify(kiosk, "zz-lhjytx")  # 灵活就业人员退休: ID card only
    assert screen.ids.qr_panel.parent is None and "或 扫描二维码" not in kiosk.texts()
    scan(kiosk, stand_in_code(ELDER))
    assert "需要使用身份证原件" in screen.message and kiosk.session.state is State.IDENTIFY


def test_card_read_error_asks_to_place_it_again(make_kiosk):
    kiosk = make_kiosk(devices=face_devices())
    screen = to_identify(kiosk)
    kiosk.services.devices.dispatch("on_card_error", CardReadError("read failed"))
    assert "重新平放在读卡区" in screen.message and "read" not in screen.message


def test_reader_down_mid_flow_offers_the_qr_code(make_kiosk):
    kiosk = make_kiosk(devices=face_devices())
    screen = to_identify(kiosk, "zz-gljt")
    kiosk.devices["idcard"].set(DeviceState.OFFLINE)
    kiosk.idle(3)
    assert "身份证阅读器暂时无法使用" in screen.card_note and "扫描二维码" in screen.card_note
    assert screen.ids.hint.dimmed and screen.ids.qr_panel.parent is not None
    scan(kiosk, stand_in_code(ELDER))
    kiosk.wait(lambda: kiosk.session.state is State.FACE, timeout=15)


def test_reader_down_for_a_card_only_item_says_where_to_go(make_kiosk):
    kiosk = make_kiosk(devices=face_devices())
    screen = to_identify(kiosk, "zz-lhjytx")
    kiosk.devices["idcard"].set(DeviceState.NO_DEVICE)
    kiosk.idle(3)
    assert "暂时不能在本机办理" in screen.card_note and "0371-68966270" in screen.card_note
    kiosk.devices["idcard"].set(DeviceState.ONLINE)  # it comes back: the card path is offered again
    kiosk.idle(3)
    assert screen.card_note.startswith("请将身份证平放")
    kiosk.devices["idcard"].set(DeviceState.OFFLINE)
    kiosk.idle(3)
    kiosk.tap(screen.ids.cancel_button)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"


def test_cancel_from_identify_and_nothing_left(make_kiosk):
    kiosk = make_kiosk(devices=face_devices())
    screen = to_identify(kiosk)
    screen._show_identified(samples.LI_XIAOMING)  # as if a read had just been shown
    kiosk.tap(screen.ids.cancel_button)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    nothing_personal(kiosk)
    place(kiosk, samples.LI_XIAOMING)  # a card placed on the home screen is ignored
    assert kiosk.session.state is State.HOME and kiosk.session.applicant is None


def test_landscape_puts_the_two_ways_side_by_side(make_kiosk):
    from tests.ui.conftest import LANDSCAPE

    kiosk = make_kiosk(devices=face_devices(), size=LANDSCAPE)
    screen = to_identify(kiosk)
    kiosk.idle(3)
    card, qr = screen.ids.card_panel, screen.ids.qr_panel
    assert card.right <= qr.x and abs(card.y - qr.y) < 2
    for label in (screen.ids.card_note, screen.ids.qr_note, screen.ids.card_title):
        assert label.texture_size[0] <= label.width + 1
