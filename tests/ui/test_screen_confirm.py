"""核对并承诺: the masked summary, the 告知承诺 checkbox, 确认提交 committing to the real outbox
before anything prints, a failed commit coming back calmly, 上一步 and 取消."""

from __future__ import annotations

from datetime import date

import pytest

from drivers.idcard import samples
from kiosk.session import State
from kiosk.simulation.citizen import photo, sample_value, signature
from kiosk.ui.screens import SCREENS

MINE = {"confirm": "kiosk.ui.screens.confirm:ConfirmScreen",
        "receipt": "kiosk.ui.screens.receipt:ReceiptScreen",
        "rating": "kiosk.ui.screens.rating:RatingScreen"}
CARD = samples.LI_XIAOMING
PHONE = "13800138000"


def register(monkeypatch) -> None:
    """Register the confirm, receipt and rating screens (before ``make_kiosk``)."""
    for name, target in MINE.items():
        monkeypatch.setitem(SCREENS, name, target)


@pytest.fixture
def screens(monkeypatch):
    register(monkeypatch)


def to_confirm(kiosk, code: str = "zz-syfwdj", card=CARD) -> None:
    """Drive the session to CONFIRM through its API, as ``citizen.walk_visit`` does."""
    session = kiosk.session
    item = next(i for i in kiosk.services.items() if i.code == code)
    session.choose(item)
    session.start()
    session.identified_by_card(card)
    today = date.today()
    while session.state is not State.CONFIRM:
        state = session.state
        if state is State.FACE:
            session.face_taken(photo("face", (640, 480)))
        elif state is State.FORM:
            values = dict(session.form_values)
            for field in item.fields:
                if values.get(field.name) in (None, ""):
                    values[field.name] = sample_value(field, card.to_dict(), today)
            session.form_submitted(values)
        elif state is State.MATERIALS:
            for req in item.materials:
                for _ in range(req.pages):
                    session.material_taken(req.code, photo("document"))
            session.materials_done()
        elif state is State.SIGNATURE:
            session.signed(signature())
        else:
            raise AssertionError(state)
    kiosk.idle(3)
    assert kiosk.screen_name == "confirm"


def agree_and_submit(kiosk) -> None:
    screen = kiosk.screen
    kiosk.tap(screen.ids.agree)
    assert screen.agreed and not screen.ids.submit_button.disabled
    kiosk.tap(screen.ids.submit_button)


def on_screen(kiosk) -> str:
    return "\n".join(kiosk.texts())


def test_summary_is_masked_and_complete(screens, make_kiosk):
    kiosk = make_kiosk(store=True)
    to_confirm(kiosk)
    text = on_screen(kiosk)
    assert "生育服务登记" in text
    assert "李*明" in text and "李小明" not in text
    assert CARD.id_number not in text
    assert CARD.id_number[:6] + "********" + CARD.id_number[-4:] in text
    assert "138****8000" in text and PHONE not in text
    assert "配偶身份证号" in text and "北京市朝阳区****" in text and "光华路" not in text
    assert "已拍摄2份，共3页" in text and "已签名" in text
    assert "告知承诺" in "".join(text) and "本人已阅读并同意以上承诺" in text
    assert not any(c.isascii() and c.isalpha() for c in text.replace(CARD.id_number[:6], "")
                   if c not in "X")  # no English on screen


def test_submit_needs_the_promise_ticked(screens, make_kiosk):
    kiosk = make_kiosk(store=True)
    to_confirm(kiosk)
    screen = kiosk.screen
    assert screen.ids.submit_button.disabled
    screen.submit()  # even if reached some other way: a kind word, nothing submitted
    assert kiosk.session.state is State.CONFIRM and "请先勾选" in screen.message
    kiosk.tap(screen.ids.agree)
    assert screen.agreed and screen.message == ""
    kiosk.tap(screen.ids.agree)
    assert not screen.agreed and screen.ids.submit_button.disabled


def test_submit_commits_to_the_outbox_then_the_receipt(screens, make_kiosk):
    kiosk = make_kiosk(store=True)
    to_confirm(kiosk)
    agree_and_submit(kiosk)
    kiosk.wait(lambda: kiosk.session.state is not State.SUBMITTING)
    txn_id = kiosk.session.txn_id
    assert txn_id and txn_id.startswith("ZZ-EQ-0001-")
    record = kiosk.services.store.outbox.record(txn_id)
    assert record is not None and record.item_code == "zz-syfwdj"
    kiosk.wait(lambda: kiosk.session.state is State.RATING)
    assert kiosk.devices["printer"].printed


def test_without_a_store_submit_fails_calmly_and_keeps_the_visit(screens, make_kiosk):
    kiosk = make_kiosk()  # no store: nothing can be kept
    to_confirm(kiosk)
    agree_and_submit(kiosk)
    kiosk.wait(lambda: kiosk.session.state is State.CONFIRM)
    kiosk.idle(2)
    screen = kiosk.screen
    assert kiosk.screen_name == "confirm"
    assert "没有成功" in screen.message and "信息都还在" in screen.message
    assert screen.agreed  # one tap to try again
    assert kiosk.session.applicant is not None and "李*明" in on_screen(kiosk)
    assert not kiosk.devices["printer"].printed


def test_outbox_failure_is_reported_and_retry_works(screens, make_kiosk, monkeypatch):
    kiosk = make_kiosk(store=True)
    outbox = kiosk.services.store.outbox
    real = outbox.submit
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(outbox, "submit", broken)
    to_confirm(kiosk)
    agree_and_submit(kiosk)
    kiosk.wait(lambda: kiosk.session.state is State.CONFIRM)
    kiosk.idle(2)
    text = on_screen(kiosk)
    assert "没有成功" in text and "disk" not in text and "OSError" not in text
    kiosk.tap(kiosk.screen.ids.submit_button)  # still ticked: one tap retries
    kiosk.wait(lambda: kiosk.session.state is State.RATING)
    assert outbox.record(kiosk.session.txn_id) is not None


def test_back_goes_to_the_previous_step(screens, make_kiosk):
    kiosk = make_kiosk(store=True)
    to_confirm(kiosk)
    kiosk.tap(kiosk.screen.ids.back_button)
    assert kiosk.session.state is State.SIGNATURE


def test_cancel_wipes_the_visit_and_the_screen(screens, make_kiosk):
    kiosk = make_kiosk(store=True)
    to_confirm(kiosk)
    confirm = kiosk.screen
    kiosk.tap(confirm.ids.agree)
    kiosk.tap(confirm.ids.cancel_button)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    assert kiosk.session.applicant is None and dict(kiosk.session.form_values) == {}
    left = "\n".join(kiosk.texts(confirm))
    assert "李*明" not in left and "138****8000" not in left
    assert not confirm.ids.rows.children and not confirm.agreed
    assert kiosk.services.store.outbox.recent() == []


def test_idle_on_confirm_wipes_the_screen(screens, make_kiosk):
    kiosk = make_kiosk(store=True)
    to_confirm(kiosk)
    confirm = kiosk.screen
    kiosk.clock.advance(kiosk.session.idle_timeout_s)
    kiosk.app.tick()
    assert kiosk.session.state is State.IDLE_WARNING
    kiosk.clock.advance(kiosk.session.settings.idle_countdown_s)
    kiosk.app.tick()
    kiosk.idle(2)
    assert kiosk.session.state is State.HOME
    assert not confirm.ids.rows.children


def test_continue_after_the_idle_warning_keeps_the_tick(screens, make_kiosk):
    kiosk = make_kiosk(store=True)
    to_confirm(kiosk)
    confirm = kiosk.screen
    kiosk.tap(confirm.ids.agree)
    kiosk.clock.advance(kiosk.session.idle_timeout_s)
    kiosk.app.tick()
    kiosk.tap(kiosk.app.overlay.ids.continue_button)
    assert kiosk.session.state is State.CONFIRM
    assert confirm.agreed and not confirm.ids.submit_button.disabled and confirm.ids.rows.children


def test_back_for_an_item_without_materials_goes_to_the_form(screens, make_kiosk):
    kiosk = make_kiosk(store=True)
    to_confirm(kiosk, code="zz-lnrydz", card=samples.LONG_TERM_CARD)  # 60+: face, form only
    kiosk.tap(kiosk.screen.ids.back_button)
    assert kiosk.session.state is State.FORM


def test_no_back_across_identification(screens, make_kiosk):
    from types import SimpleNamespace

    from tests.kiosk.session.builders import BARE

    kiosk = make_kiosk(store=True, catalog=SimpleNamespace(items=[BARE]))
    to_confirm(kiosk, code=BARE.code)  # identify, then straight to confirm
    assert kiosk.screen.ids.back_button.disabled
    text = "\n".join(kiosk.texts())
    assert "就业失业登记" in text and "申请材料" not in text
    agree_and_submit(kiosk)
    kiosk.wait(lambda: kiosk.session.state is State.RATING)
