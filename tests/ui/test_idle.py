"""The idle countdown: after the idle time (a fake monotonic clock in the session) the
overlay shows the seconds left over the screen; 继续办理 returns to where the visit was;
letting it run out wipes the visit and shows home."""

from kiosk.session import State


def start_visit(kiosk):
    kiosk.tap(kiosk.screen.ids.tile_apply)
    kiosk.tap(kiosk.screen.item_tiles["zz-gljt"])
    assert kiosk.session.state is State.GUIDE


def idle_for(kiosk, seconds):
    kiosk.clock.advance(seconds)
    kiosk.app.tick()
    kiosk.idle()


def test_countdown_appears_after_the_idle_time_and_continue_returns(kiosk):
    start_visit(kiosk)
    timeout = kiosk.session.idle_timeout_s
    idle_for(kiosk, timeout - 1)
    assert not kiosk.app.overlay.shown
    idle_for(kiosk, 1)
    overlay = kiosk.app.overlay
    assert kiosk.session.state is State.IDLE_WARNING and overlay.shown
    assert kiosk.screen_name == "guide"  # the screen stays under the overlay
    countdown = kiosk.services.config.session.idle_countdown_s
    assert overlay.ids.seconds_label.text == str(countdown)
    assert "您还在办理吗？" in kiosk.texts(overlay)
    idle_for(kiosk, 5)
    assert overlay.ids.seconds_label.text == str(countdown - 5)
    kiosk.tap(overlay.ids.continue_button)
    assert kiosk.session.state is State.GUIDE and not overlay.shown
    assert kiosk.screen_name == "guide" and kiosk.session.item.code == "zz-gljt"


def test_overlay_blocks_the_screen_under_it(kiosk):
    start_visit(kiosk)
    idle_for(kiosk, kiosk.session.idle_timeout_s)
    kiosk.tap(kiosk.screen.ids.start_button)  # under the overlay: counts as 继续办理 only
    assert kiosk.session.state is State.GUIDE


def test_letting_the_countdown_run_out_goes_home_and_wipes(kiosk):
    start_visit(kiosk)
    idle_for(kiosk, kiosk.session.idle_timeout_s)
    assert kiosk.session.state is State.IDLE_WARNING
    idle_for(kiosk, kiosk.services.config.session.idle_countdown_s)
    assert kiosk.session.state is State.HOME and kiosk.session.item is None
    assert kiosk.screen_name == "home" and not kiosk.app.overlay.shown


def test_touches_keep_the_visit_alive(kiosk):
    start_visit(kiosk)
    idle_for(kiosk, kiosk.session.idle_timeout_s - 5)
    kiosk.tap(kiosk.screen.ids.department)  # any touch is activity
    idle_for(kiosk, 10)
    assert kiosk.session.state is State.GUIDE


def test_home_is_never_idle(kiosk):
    idle_for(kiosk, 10_000)
    assert kiosk.session.state is State.HOME and not kiosk.app.overlay.shown
