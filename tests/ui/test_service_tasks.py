"""The service menu's tasks, tapped on the real window: paper replaced (the real printer
driver on its emulator: the paper counter back to zero), dead letters (a discard needs a
typed reason and is audited with it; a retry queues again), the identity card edited (the
footer follows; a bad phone is refused), readiness at a glance (the real report), and the
device tests (a card shown masked, the test page printed and audited)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from drivers.health import DeviceState
from drivers.printer.document import Document
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.printer import ReceiptPrinter
from kiosk.service.audit import AuditLog, audit_path
from tests.support.kiosk_env import DEVICE_ID, make_draft
from tests.ui.conftest import StubDriver, StubPrinter
from tests.ui.service_support import STAFF, audited, sign_in, staffed  # noqa: F401
from tests.waiting import wait_for

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def printer():
    with PrinterEmulator() as emu:
        p = ReceiptPrinter.serial(emu.path, status_interval=0.2)
        yield p
        p.stop()


def test_paper_replaced_zeroes_the_real_printers_paper_counter(staffed, make_kiosk, printer):
    kiosk = make_kiosk(devices={"idcard": StubDriver("idcard"), "printer": printer,
                                "scanner": StubDriver("scanner"), "camera": StubDriver("camera")})
    assert wait_for(lambda: printer.health.state is DeviceState.ONLINE)
    printer.print_document(Document().text("test").cut())
    used = printer.health.snapshot().counters["paper_mm"]
    assert used > 0
    sign_in(kiosk)
    kiosk.tap(kiosk.screen.ids.paper_button)
    assert printer.health.snapshot().counters["paper_mm"] == 0
    assert kiosk.screen.ids.message_label.text == f"纸张计数已清零（此卷已用 {used} 毫米）"
    entry = AuditLog(audit_path(kiosk.services.config.data_dir)).entries()[-1]
    assert (entry.who, entry.action, entry.details["paper_mm_before"]) == (STAFF, "paper_replaced", used)


def dead_letters(store, n: int) -> list[str]:
    keys = []
    for i in range(1, n + 1):
        txn_id = store.outbox.submit(make_draft(i), DEVICE_ID, NOW).txn_id
        store.outbox.mark_dead(txn_id, "unknown_item", "no such item", NOW)
        keys.append(txn_id)
    return keys


def test_a_dead_letter_is_discarded_only_with_a_reason_and_audited(staffed, make_kiosk):
    kiosk = make_kiosk(store=True)
    first, second = dead_letters(kiosk.services.store, 2)
    sign_in(kiosk)
    assert kiosk.screen.ids.dead_button.text == "失败件（2）"
    kiosk.tap(kiosk.screen.ids.dead_button)
    screen = kiosk.screen
    assert any(first in text for text in kiosk.texts())
    kiosk.tap(screen.rows[first][1])  # 放弃
    kiosk.tap(screen.ids.confirm_button)  # no reason typed
    assert screen.ids.message_label.text == "操作未完成：请先填写放弃原因"
    assert kiosk.services.store.outbox.state_of(first) == "dead" and len(screen.rows) == 2
    board = screen.keyboard
    for key in "shixiang":  # 事项 …
        kiosk.tap(board.keys[key])
    kiosk.wait(lambda: any(b.text and b.opacity for b in board.candidate_buttons), what="candidates")
    button = next(b for b in board.candidate_buttons if b.text and b.opacity)
    word = button.text
    kiosk.tap(button)
    assert screen.ids.reason_label.text == word
    kiosk.tap(screen.ids.confirm_button)
    assert list(screen.rows) == [second]
    assert kiosk.services.store.outbox.status(NOW).discarded == 1
    kiosk.tap(screen.rows[second][0])  # 重新发送
    assert kiosk.services.store.outbox.state_of(second) == "pending" and screen.rows == {}
    log = AuditLog(audit_path(kiosk.services.config.data_dir)).entries()
    assert [(e.action, e.details.get("key"), e.details.get("reason")) for e in log[1:]] == [
        ("dead_letter_discard", first, word), ("dead_letter_retry", second, None)]


def test_the_identity_card_is_edited_and_the_footer_follows(staffed, make_kiosk):
    kiosk = make_kiosk(store=True)
    sign_in(kiosk)
    kiosk.tap(kiosk.screen.ids.identity_button)
    screen = kiosk.screen
    kiosk.tap(screen.fields["phone"])
    for key in ["clear", *"037112345678"]:
        kiosk.tap(screen.keypad.keys[key])
    assert screen.fields["phone"].text == "037112345678"
    kiosk.tap(screen.save_button)
    assert screen.ids.message_label.text == "已保存"
    assert kiosk.services.identity.phone == "037112345678"
    assert "联系电话：037112345678" in screen.ids.footer.ids.lbl.text
    kiosk.tap(screen.fields["phone"])
    for key in ["clear", "1", "2"]:
        kiosk.tap(screen.keypad.keys[key])
    kiosk.tap(screen.save_button)
    assert screen.ids.message_label.text == "联系电话格式不正确，未保存"
    assert kiosk.services.identity.phone == "037112345678"
    assert audited(kiosk)[1:] == [(STAFF, "identity_edited", True)]


def test_readiness_at_a_glance_shows_devices_and_the_report(staffed, make_kiosk):
    kiosk = make_kiosk(store=True)
    kiosk.devices["camera"].set(DeviceState.OFFLINE)
    sign_in(kiosk)
    kiosk.tap(kiosk.screen.ids.readiness_button)
    screen = kiosk.screen
    kiosk.wait(lambda: screen.report is not None, timeout=15, what="the readiness report")
    texts = kiosk.texts()
    assert any(text.startswith("\u221a  身份证阅读器：正常  操作 0") for text in texts)
    assert any(text.startswith("\u00d7  摄像头：无响应") for text in texts)
    assert "\u00d7  后台连接：无法连接" in texts  # no backend in this test
    assert any(text.startswith("\u221a  事项清单：版本") for text in texts)
    assert screen.ids.summary_label.text.startswith("有")
    kiosk.tap(screen.print_button)
    kiosk.wait(lambda: kiosk.devices["printer"].printed, what="the printed report")
    kiosk.wait(lambda: screen.summary == "已打印")
    assert audited(kiosk)[-1] == (STAFF, "readiness_report_printed", True)


def test_device_tests_show_a_card_masked_and_print_the_test_page(staffed, make_kiosk):
    kiosk = make_kiosk()
    sign_in(kiosk)
    kiosk.tap(kiosk.screen.ids.tests_button)
    screen = kiosk.screen
    card = {"name": "".join(["张", "三", "丰"]), "id_number": "11010519491231002" + "X"}
    kiosk.services.devices.dispatch("on_card", card)
    kiosk.idle(2)
    assert screen.ids.card_label.text == "读卡成功：张*丰  110105********002X"
    kiosk.tap(screen.ids.test_page_button)
    kiosk.wait(lambda: screen.print_text == "已打印", what="the test page")
    printer: StubPrinter = kiosk.devices["printer"]
    assert len(printer.printed) == 1
    kiosk.tap(screen.ids.camera_button)  # a stub camera gives no picture: said so, not a crash
    assert screen.ids.print_label.text == "摄像头不可用" and not screen.camera_on
    kiosk.tap(screen.ids.cancel_button)  # back to the menu: the card is gone from the screen
    assert kiosk.screen_name == "service_menu" and screen.card_text == ""
    assert audited(kiosk)[1:] == [(STAFF, "test_card_read", True), (STAFF, "test_page_printed", True),
                                  (STAFF, "test_camera", False)]


def test_camera_preview_shows_the_emulated_cameras_frames(staffed, make_kiosk):
    kiosk = make_kiosk(simulate=True)
    sign_in(kiosk)
    kiosk.tap(kiosk.screen.ids.tests_button)
    screen = kiosk.screen
    kiosk.tap(screen.ids.camera_button)
    assert screen.camera_on
    kiosk.wait(lambda: screen.ids.preview.frames_shown > 0, timeout=10, what="a camera frame")
    kiosk.tap(screen.ids.camera_button)
    assert not screen.camera_on and screen.ids.preview.texture is None
