"""受理成功 and the 受理回执: committed to the outbox before anything prints, the printout holds
the number and the masked applicant only, the backend away says 已受理，联网后自动上报, and a
printer that is out (or hangs) leaves the receipt on screen as a QR code with whom to call."""

from __future__ import annotations

import threading

import pytest
import zxingcpp

from drivers.printer.errors import PaperOut
from kiosk.session import State
from kiosk.ui.screens import receipt as receipt_module
from tests.ui.conftest import StubPrinter, stub_devices
from tests.ui.test_screen_confirm import CARD, agree_and_submit, register, to_confirm
from tests.ui.widget_harness import texture_rgb

MAINTAINER, PHONE = "二七区政务服务中心", "0371-68665010"


@pytest.fixture
def screens(monkeypatch):
    register(monkeypatch)


class GatedPrinter(StubPrinter):
    """Prints when the test opens the gate; notes what the outbox held at that moment."""

    def __init__(self, store_of) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.started = threading.Event()
        self.store_of = store_of
        self.seen_in_outbox: list[bool] = []

    def print_document(self, doc) -> None:
        number = next(i.value for i in doc.items if getattr(i, "key", "") == "受理编号")
        self.seen_in_outbox.append(self.store_of().outbox.record(number) is not None)
        self.started.set()
        self.gate.wait(10)
        super().print_document(doc)


def kiosk_with_gate(make_kiosk, **options):
    devices = stub_devices()
    holder = {}
    devices["printer"] = GatedPrinter(lambda: holder["kiosk"].services.store)
    kiosk = make_kiosk(store=True, devices=devices, **options)
    holder["kiosk"] = kiosk
    kiosk.wait(lambda: kiosk.services.network == "down")  # the test backend is not there
    return kiosk


def doc_strings(doc) -> list[str]:
    out = []
    for part in doc.items:
        for name in ("text", "key", "value", "data"):
            value = getattr(part, name, None)
            if isinstance(value, str):
                out.append(value)
    return out


def test_walk_confirm_receipt_rating_home_commit_before_print(screens, make_kiosk):
    kiosk = kiosk_with_gate(make_kiosk)
    printer = kiosk.devices["printer"]
    to_confirm(kiosk)
    agree_and_submit(kiosk)
    kiosk.wait(lambda: printer.started.is_set())
    assert printer.seen_in_outbox == [True]  # sealed and committed before the print began
    kiosk.idle(2)
    assert kiosk.session.state is State.RECEIPT and kiosk.screen_name == "receipt"
    txn_id = kiosk.session.txn_id
    text = "\n".join(kiosk.texts())
    for expected in ("受理成功", txn_id, "李*明", "生育服务登记", "正在打印受理回执",
                     "已受理，联网后自动上报"):
        assert expected in text
    assert CARD.name not in text and CARD.id_number not in text
    assert kiosk.screen.ids.cancel_button.disabled  # busy: nothing to interrupt the print
    printer.gate.set()
    kiosk.wait(lambda: kiosk.session.state is State.RATING)
    kiosk.idle(2)
    assert kiosk.screen_name == "rating" and kiosk.session.receipt_ok is True
    assert "受理回执已打印" in "\n".join(kiosk.texts())
    assert not kiosk.screen.show_card
    kiosk.tap(kiosk.screen.level_buttons[5])
    kiosk.tap(kiosk.screen.ids.submit_button)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    outbox = kiosk.services.store.outbox
    kiosk.wait(lambda: outbox.state_of("rating:" + txn_id) == "pending")
    assert outbox.record(txn_id).state == "pending"


def test_the_printout_holds_the_number_and_the_masked_name_only(screens, make_kiosk):
    kiosk = make_kiosk(store=True)
    to_confirm(kiosk)
    agree_and_submit(kiosk)
    kiosk.wait(lambda: kiosk.session.state is State.RATING)
    [doc] = kiosk.devices["printer"].printed
    strings = doc_strings(doc)
    joined = "\n".join(strings)
    txn_id = kiosk.session.txn_id
    assert txn_id in strings  # 受理编号, and the QR code's data
    assert any(getattr(p, "data", None) == txn_id for p in doc.items)
    assert "李*明" in strings and CARD.name not in joined
    assert CARD.id_number not in joined and CARD.id_number[:6] + "********" in joined
    assert "13800138000" not in joined and "光华路" not in joined
    assert PHONE in joined  # the identity card at the foot


def test_printer_out_leaves_the_receipt_on_screen_with_a_qr(screens, make_kiosk):
    kiosk = make_kiosk(store=True)
    kiosk.devices["printer"].fail = PaperOut("paper out")
    to_confirm(kiosk)
    agree_and_submit(kiosk)
    kiosk.wait(lambda: kiosk.session.state is State.RATING)
    kiosk.idle(3)
    txn_id = kiosk.session.txn_id
    assert kiosk.session.receipt_ok is False
    assert kiosk.services.store.outbox.record(txn_id) is not None  # accepted all the same
    screen = kiosk.screen
    card = screen.ids.card
    assert screen.show_card and card.show_qr and card.ids.qr.data == txn_id
    pixels = texture_rgb(card.ids.qr.texture)
    assert [r.text for r in zxingcpp.read_barcodes(pixels)] == [txn_id]
    text = "\n".join(kiosk.texts())
    assert txn_id in text and "回执未能打印" in text and "拍下" in text
    assert MAINTAINER in card.help_text and PHONE in card.help_text
    assert "PaperOut" not in text and "paper" not in text
    # the rating is still offered below it
    assert all(b.opacity and not b.disabled for b in screen.level_buttons.values())


def test_a_printer_that_hangs_is_given_up_on(screens, make_kiosk, monkeypatch):
    monkeypatch.setattr(receipt_module, "PRINT_TIMEOUT_S", 0.3)
    kiosk = kiosk_with_gate(make_kiosk)
    printer = kiosk.devices["printer"]
    to_confirm(kiosk)
    agree_and_submit(kiosk)
    kiosk.wait(lambda: kiosk.session.state is State.RATING)
    assert kiosk.session.receipt_ok is False
    printer.gate.set()  # the late answer changes nothing
    kiosk.wait(lambda: printer.printed)
    kiosk.idle(3)
    assert kiosk.session.state is State.RATING and kiosk.session.receipt_ok is False
    assert kiosk.screen.ids.card.ids.qr.data == kiosk.session.txn_id


def test_backend_reachable_says_it_is_being_sent(screens, make_kiosk):
    kiosk = kiosk_with_gate(make_kiosk)
    printer = kiosk.devices["printer"]
    to_confirm(kiosk)
    agree_and_submit(kiosk)
    kiosk.wait(lambda: printer.started.is_set())
    kiosk.idle(2)
    kiosk.services.network = "ok"
    kiosk.idle(2)
    text = "\n".join(kiosk.texts())
    assert "正在自动上报" in text and "联网后自动上报" not in text
    printer.gate.set()
    kiosk.wait(lambda: kiosk.session.state is State.RATING)


def test_printer_known_down_shows_the_qr_at_once(screens, make_kiosk):
    from drivers.health import DeviceState

    kiosk = kiosk_with_gate(make_kiosk)
    printer = kiosk.devices["printer"]
    to_confirm(kiosk)
    printer.set(DeviceState.OFFLINE)
    kiosk.idle(2)
    agree_and_submit(kiosk)
    kiosk.wait(lambda: printer.started.is_set())
    kiosk.idle(2)
    card = kiosk.screen.ids.card
    assert kiosk.screen_name == "receipt" and card.show_qr
    assert card.ids.qr.data == kiosk.session.txn_id and PHONE in card.help_text
    printer.gate.set()
    kiosk.wait(lambda: kiosk.session.state is State.RATING)


def test_nothing_personal_left_after_the_visit(screens, make_kiosk):
    kiosk = make_kiosk(store=True)
    kiosk.devices["printer"].fail = PaperOut("paper out")
    to_confirm(kiosk)
    agree_and_submit(kiosk)
    kiosk.wait(lambda: kiosk.session.state is State.RATING)
    kiosk.idle(2)
    txn_id = kiosk.session.txn_id
    session = kiosk.session
    kiosk.tap(kiosk.screen.ids.skip_button)
    kiosk.idle(3)
    assert session.state is State.HOME and kiosk.screen_name == "home"
    assert receipt_module.receipt_info(session) is None
    manager = kiosk.app.manager
    for name in ("confirm", "receipt", "rating"):
        screen = manager.get_screen(name)
        left = "\n".join(kiosk.texts(screen))
        assert txn_id not in left and "李*明" not in left and "138****8000" not in left, name
    for name in ("receipt", "rating"):
        card = manager.get_screen(name).ids.card
        assert card.number == "" and card.applicant == "" and card.ids.qr.texture is None
    assert session.applicant is None and session.txn_id is None
