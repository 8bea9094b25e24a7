"""好差评: five big levels, reasons required for the low ones, the rating queued in the outbox
in a worker thread, 跳过 ending the visit, and nothing left on the screen after."""

from __future__ import annotations

import json

import pytest

from kiosk.session import State
from kiosk.ui.screens.rating import LEVELS, REASONS
from tests.ui.test_screen_confirm import agree_and_submit, register, to_confirm


@pytest.fixture
def screens(monkeypatch):
    register(monkeypatch)


def to_rating(make_kiosk, **options):
    kiosk = make_kiosk(**{"store": True, **options})
    to_confirm(kiosk)
    agree_and_submit(kiosk)
    kiosk.wait(lambda: kiosk.session.state is State.RATING)
    kiosk.idle(2)
    assert kiosk.screen_name == "rating"
    return kiosk


def queued(kiosk, txn_id):
    outbox = kiosk.services.store.outbox
    kiosk.wait(lambda: outbox.state_of("rating:" + txn_id) == "pending")
    return json.loads(outbox.body("rating:" + txn_id))


def test_five_levels_as_big_buttons(screens, make_kiosk):
    from kiosk.ui.theme import TOUCH

    kiosk = to_rating(make_kiosk)
    screen = kiosk.screen
    text = "\n".join(kiosk.texts())
    for score, words in LEVELS:
        button = screen.level_buttons[score]
        assert words in text and button.text == words
        assert button.height >= TOUCH and button.width >= TOUCH
    assert screen.ids.submit_button.disabled  # nothing chosen yet
    assert not screen.show_reasons and "等待时间长" not in text


def test_a_good_rating_is_queued_and_the_visit_ends(screens, make_kiosk):
    kiosk = to_rating(make_kiosk)
    txn_id = kiosk.session.txn_id
    kiosk.tap(kiosk.screen.level_buttons[4])
    assert kiosk.screen.score == 4 and kiosk.screen.level_buttons[4].kind == "primary"
    kiosk.tap(kiosk.screen.ids.submit_button)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    body = queued(kiosk, txn_id)
    assert body["txn_id"] == txn_id and body["score"] == 4 and body["reasons"] == []


def test_a_low_score_needs_a_reason(screens, make_kiosk):
    kiosk = to_rating(make_kiosk)
    screen = kiosk.screen
    txn_id = kiosk.session.txn_id
    kiosk.tap(screen.level_buttons[1])
    kiosk.idle(2)
    text = "\n".join(kiosk.texts())
    assert screen.show_reasons and all(reason in text for reason in REASONS)
    assert "不满意的原因" in text
    kiosk.tap(screen.ids.submit_button)
    assert kiosk.session.state is State.RATING  # not without a reason
    assert "请至少选择一个" in screen.message
    kiosk.tap(screen.reason_toggles["等待时间长"])
    kiosk.tap(screen.reason_toggles["设备故障"])
    assert screen.message == ""
    kiosk.tap(screen.ids.submit_button)
    assert kiosk.session.state is State.HOME
    body = queued(kiosk, txn_id)
    assert body["score"] == 1 and sorted(body["reasons"]) == sorted(["等待时间长", "设备故障"])


def test_changing_to_a_good_score_drops_the_reasons(screens, make_kiosk):
    kiosk = to_rating(make_kiosk)
    screen = kiosk.screen
    txn_id = kiosk.session.txn_id
    kiosk.tap(screen.level_buttons[2])
    kiosk.tap(screen.reason_toggles["操作复杂"])
    kiosk.tap(screen.level_buttons[5])
    assert not screen.show_reasons and screen.chosen_reasons() == []
    kiosk.tap(screen.ids.submit_button)
    assert queued(kiosk, txn_id)["reasons"] == []


def test_skip_ends_the_visit_without_a_rating(screens, make_kiosk):
    kiosk = to_rating(make_kiosk)
    txn_id = kiosk.session.txn_id
    skip = kiosk.screen.ids.skip_button
    assert skip.text == "跳过" and not skip.disabled
    kiosk.tap(skip)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    kiosk.idle(3)
    assert kiosk.services.store.outbox.state_of("rating:" + txn_id) is None
    assert kiosk.services.store.outbox.record(txn_id) is not None  # the application stays queued


def test_a_rating_that_cannot_be_queued_never_troubles_the_citizen(screens, make_kiosk, monkeypatch):
    kiosk = to_rating(make_kiosk)
    outbox = kiosk.services.store.outbox

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(outbox, "add_rating", broken)
    kiosk.tap(kiosk.screen.level_buttons[5])
    kiosk.tap(kiosk.screen.ids.submit_button)
    kiosk.idle(4)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    assert "disk" not in "\n".join(kiosk.texts())


def test_idle_on_rating_goes_home_and_clears(screens, make_kiosk):
    kiosk = to_rating(make_kiosk)
    rating = kiosk.screen
    kiosk.tap(rating.level_buttons[2])
    kiosk.clock.advance(kiosk.session.idle_timeout_s)
    kiosk.app.tick()
    assert kiosk.session.state is State.IDLE_WARNING
    kiosk.clock.advance(kiosk.session.settings.idle_countdown_s)
    kiosk.app.tick()
    kiosk.idle(3)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    assert rating.score == 0 and not rating.show_reasons and not rating.show_card
    assert rating.ids.card.number == ""


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_buttons_fit_the_window(screens, make_kiosk, size):
    from drivers.printer.errors import PaperOut
    from tests.ui.conftest import stub_devices

    devices = stub_devices()
    devices["printer"].fail = PaperOut("paper out")  # the receipt card takes room too
    kiosk = to_rating(make_kiosk, devices=devices, size=size)
    screen = kiosk.screen
    kiosk.tap(screen.level_buttons[1])
    kiosk.idle(2)
    widgets = list(screen.level_buttons.values()) + [screen.ids.submit_button, screen.ids.skip_button]
    for widget in widgets:
        x, y = widget.to_window(*widget.pos)
        assert 0 <= x and x + widget.width <= size[0] + 1, widget.text
        assert 0 <= y and y + widget.height <= size[1] + 1, widget.text
    for toggle in screen.reason_toggles.values():
        assert toggle.height >= 64 and toggle.width >= 64
