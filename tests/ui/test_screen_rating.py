"""好差评: five big levels, reasons required for the low ones, the rating queued in the outbox
in a worker thread, 跳过 ending the visit, and nothing left on the screen after."""

from __future__ import annotations

import json
import time

import pytest

from kiosk.i18n import tr
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
    for score in LEVELS:
        words = tr(f"rating_level_{score}", "zh")
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
    assert screen.show_reasons and all(tr(f"rating_reason_{r}", "zh") in text for r in REASONS)
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


# -- 好差评 of a case found by 进度查询 (home tile → query → result → 评价此件 → rating) ------------
from drivers.idcard.samples import LI_XIAOMING  # noqa: E402
from drivers.scanner.model import ScannedCode  # noqa: E402
from tests.ui.test_screen_progress import (DEVICE_ID, NAME, NUMBER, TXN, answered,  # noqa: E402
                                           county, county_config, env, open_progress, put_case)

_FIXTURES = (county, env)  # used by pytest through their names


def on_screen(kiosk) -> str:
    return "\n".join(kiosk.texts())


def deliver(kiosk, url: str, key) -> None:
    """What the agent does: send the outbox's due rows to the county on loopback."""
    from kiosk.agent.delivery import Deliverer
    from kiosk.client import CountyClient

    client = CountyClient(url, DEVICE_ID, key)
    try:
        Deliverer(kiosk.services.store.outbox, client, DEVICE_ID, retry_cap_s=1.0).deliver_due()
    finally:
        client.close()


def rate_from_result(kiosk, txn_id: str):
    result = kiosk.screen
    kiosk.tap(result.rate_buttons[txn_id])
    assert kiosk.session.state is State.RATING and kiosk.screen_name == "rating"
    kiosk.idle(2)
    return kiosk.screen


def test_rate_a_case_found_by_its_receipt_number(make_kiosk, env, county):
    put_case(county, env, 42)
    kiosk = make_kiosk(store=True)
    open_progress(kiosk, "tile_rating")
    assert "先查询您的办件，再进行评价" in on_screen(kiosk)
    kiosk.services.devices._code(ScannedCode(TXN, TXN.encode(), "QRCode", "scanner"))
    answered(kiosk)
    assert "评价此件" in on_screen(kiosk)
    rating = rate_from_result(kiosk, TXN)
    text = on_screen(kiosk)
    assert "请您对这件办件进行评价" in text and "高龄津贴申领" in text and TXN in text
    assert "欧**明" in text and "410102********1234" in text
    assert NAME not in text and NUMBER not in text
    assert "每件办件只能评价一次" in text
    assert not rating.show_card and rating.printed_note == ""  # no receipt on this path
    for score in LEVELS:
        words = tr(f"rating_level_{score}", "zh")
        assert words in text and rating.level_buttons[score].height >= 64
    kiosk.tap(rating.level_buttons[1])
    kiosk.tap(rating.ids.submit_button)
    assert kiosk.session.state is State.RATING and "请至少选择一个" in rating.message
    kiosk.tap(rating.reason_toggles["指引不清"])
    kiosk.tap(rating.ids.submit_button)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    body = queued(kiosk, TXN)
    assert (body["txn_id"], body["score"], body["reasons"]) == (TXN, 1, ["指引不清"])
    assert rating.case_text == "" and "欧**明" not in on_screen(kiosk)

    deliver(kiosk, county.url, env)  # the fake county on loopback acknowledges it
    assert kiosk.services.store.outbox.state_of("rating:" + TXN) == "delivered"
    assert json.loads(county.ratings[TXN])["score"] == 1

    # Once per case: coming back, the case says it was rated instead of offering 评价此件.
    open_progress(kiosk, "tile_rating")
    kiosk.services.devices._code(ScannedCode(TXN, TXN.encode(), "QRCode", "scanner"))
    result = answered(kiosk)
    assert result.rate_buttons == {} and kiosk.session.found_cases == ()
    assert "本机已收到对这件办件的评价" in on_screen(kiosk) and "都已评价过" in result.message


def test_rate_one_of_the_cases_found_by_id_card_or_skip(make_kiosk, env, county):
    first = put_case(county, env, 7, LI_XIAOMING.name, LI_XIAOMING.id_number)
    second = put_case(county, env, 8, LI_XIAOMING.name, LI_XIAOMING.id_number, code="zz-ydjyba")
    kiosk = make_kiosk(store=True)
    open_progress(kiosk, "tile_rating")
    kiosk.services.devices._card(LI_XIAOMING)
    result = answered(kiosk)
    assert set(result.rate_buttons) == {first, second}
    rating = rate_from_result(kiosk, second)
    assert "异地就医备案" in rating.case_text and second in rating.case_text
    assert "李*明" in rating.case_text and LI_XIAOMING.id_number not in on_screen(kiosk)
    kiosk.tap(rating.ids.skip_button)  # 跳过: home, nothing queued
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    kiosk.idle(3)
    outbox = kiosk.services.store.outbox
    assert outbox.state_of("rating:" + second) is None and outbox.state_of("rating:" + first) is None

    open_progress(kiosk, "tile_rating")
    kiosk.services.devices._card(LI_XIAOMING)
    answered(kiosk)
    rating = rate_from_result(kiosk, first)
    kiosk.tap(rating.level_buttons[5])
    kiosk.tap(rating.ids.submit_button)
    assert queued(kiosk, first)["score"] == 5 and outbox.state_of("rating:" + second) is None


def test_the_reference_county_takes_a_rating_of_another_kiosks_case_once(make_kiosk, env, tmp_path,
                                                                          monkeypatch):
    """The contract lets any enrolled kiosk rate any case the county knows, once: a case
    made at another kiosk, found here by ID card, is rated here and stored (201); another
    rating of it (another body) is refused with 409."""
    from kiosk.catalog.loader import load_shipped
    from kiosk.client import CountyClient, Final
    from kiosk.session import Session
    from kiosk.signing import DeviceKey
    from kiosk.simulation.citizen import walk_visit
    from kiosk.simulation.county import SimulatedCounty
    from kiosk.ui.services import simulation_config
    from kiosk.wiring import open_store
    from sqlalchemy import text
    from tests.ui import conftest

    (tmp_path / "other").mkdir()
    sim = SimulatedCounty(tmp_path / "other")  # the county, and another kiosk with its agent
    other = sim.start(lambda url: simulation_config(tmp_path / "other", url))
    try:
        with open_store(other) as store:
            def submit(draft):
                done = store.outbox.submit(draft, other.identity.device_id, other.now())
                return done.txn_id, done.accepted_at, False

            made = walk_visit(Session(settings=other.session), load_shipped().get("zz-fwzlba"), submit,
                              rating=None)
            deadline = time.monotonic() + 30
            while store.outbox.state_of(made) != "delivered" and time.monotonic() < deadline:
                time.sleep(0.2)
            assert store.outbox.state_of(made) == "delivered"

        url = sim.county.url
        monkeypatch.setattr(conftest, "ui_config", lambda folder: county_config(folder, url))
        here = CountyClient(url, DEVICE_ID, env)
        here.enroll(sim.county.token(), env.public_key_b64(), county_config(tmp_path, url).identity)
        here.close()
        kiosk = make_kiosk(store=True)
        open_progress(kiosk, "tile_rating")
        kiosk.services.devices._card(LI_XIAOMING)
        result = answered(kiosk)
        assert made in result.rate_buttons and made.startswith(other.identity.device_id)
        rating = rate_from_result(kiosk, made)
        kiosk.tap(rating.level_buttons[4])
        kiosk.tap(rating.ids.submit_button)
        queued(kiosk, made)
        deliver(kiosk, url, env)
        assert kiosk.services.store.outbox.state_of("rating:" + made) == "delivered"
        with sim.county.database.engine.connect() as conn:
            row = conn.execute(text("SELECT device_id, score FROM ratings WHERE txn_id = :t"),
                               {"t": made}).one()
        assert tuple(row) == (DEVICE_ID, 4)

        key = DeviceKey.load_or_create(other.path(other.paths.device_key))
        again = CountyClient.from_config(other, key)
        second = json.dumps({"txn_id": made, "score": 5, "reasons": [], "comment": "",
                             "rated_at": "2026-11-23T10:00:00+08:00"}).encode()
        with pytest.raises(Final) as err:
            again.post_rating(made, second)
        again.close()
        assert err.value.status == 409
    finally:
        sim.stop()
