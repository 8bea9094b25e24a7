"""长辈模式: one tap on home makes text at least 1.4× larger, touch targets bigger, the colours
darker (high contrast), the items older people need first and the idle time longer; the
visit's end (取消) puts everything back for the next citizen."""

import pytest

from kiosk.session import State
from kiosk.ui import theme as theme_module
from kiosk.ui.theme import ELDER_SCALE, contrast, palette
from tests.ui.test_idle import idle_for, start_visit


def home_look(kiosk):
    """What 长辈模式 changes on home, measured on the widgets."""
    screen = kiosk.screen
    tiles = list(reversed(screen.ids.frequent_grid.children))  # in the order shown
    return {
        "welcome": screen.ids.welcome.font_size,
        "hint": screen.ids.hint.font_size,
        "tile_title": screen.ids.tile_apply.ids.title.font_size,
        "tile_sub": screen.ids.tile_apply.ids.sub.font_size,
        "elder_button_font": screen.ids.elder_button.font_size,
        "elder_button_height": screen.ids.elder_button.height,
        "tile_height": screen.ids.tile_apply.height,
        "frequent_height": tiles[0].height,
        "touch": kiosk.app.theme.touch,
        "codes": [t.item_code for t in tiles],
    }




def test_elder_scale_is_at_least_1_4():
    assert ELDER_SCALE >= 1.4


def test_one_tap_makes_home_larger_and_puts_elder_items_first(kiosk):
    normal = home_look(kiosk)
    kiosk.tap(kiosk.screen.ids.elder_button)
    kiosk.idle(3)
    assert kiosk.session.elder_mode and kiosk.app.theme.elder
    elder = home_look(kiosk)
    for name in ("welcome", "hint", "tile_title", "tile_sub", "elder_button_font"):
        assert elder[name] >= 1.4 * normal[name] - 0.01, name
    for name in ("elder_button_height", "tile_height", "frequent_height", "touch"):
        assert elder[name] > normal[name], name
    assert elder["touch"] >= 1.4 * normal["touch"] - 0.01
    catalog = {i.code: i for i in kiosk.services.catalog.items}
    shown = [catalog[c] for c in elder["codes"]]
    first = [i.elder_first for i in shown]
    assert first[0] and first == sorted(first, reverse=True)  # elder_first items lead
    assert elder["codes"] != normal["codes"]
    assert "长辈模式：已开启" in kiosk.texts()


def test_elder_colours_are_high_contrast(kiosk):
    theme = kiosk.app.theme
    before = {n: list(getattr(theme, n)) for n in ("text", "muted", "border", "disabled_text")}
    width_before = theme.border_width
    kiosk.tap(kiosk.screen.ids.elder_button)
    after = {n: list(getattr(theme, n)) for n in before}
    assert all(after[n] != before[n] for n in before)
    assert theme.border_width > width_before
    elder = palette(True)
    for fg, bg in [("TEXT", "BG"), ("TEXT", "SURFACE"), ("MUTED", "BG"), ("MUTED", "SURFACE"),
                   ("ON_PRIMARY", "PRIMARY"), ("ON_SECONDARY", "SECONDARY"), ("ON_DISABLED", "DISABLED"),
                   ("ON_HEADER", "HEADER"), ("WARN", "SURFACE"), ("OK", "SURFACE")]:
        assert contrast(elder[fg], elder[bg]) >= 7.0, (fg, bg)  # WCAG AAA
        assert contrast(elder[fg], elder[bg]) >= contrast(palette(False)[fg], palette(False)[bg]), (fg, bg)
    assert contrast(elder["BORDER"], elder["SURFACE"]) >= 3.0  # an outline one can see


def test_home_labels_take_the_elder_colours_and_give_them_back(kiosk):
    normal = list(kiosk.screen.ids.hint.color)
    kiosk.tap(kiosk.screen.ids.elder_button)
    kiosk.idle()
    assert list(kiosk.screen.ids.welcome.color) == list(theme_module.ELDER_COLOURS["TEXT"])
    assert list(kiosk.screen.ids.hint.color) == list(theme_module.ELDER_COLOURS["MUTED"])
    kiosk.tap(kiosk.screen.ids.elder_button)
    kiosk.idle()
    assert list(kiosk.screen.ids.hint.color) == normal


def test_elder_idle_time_is_longer(kiosk):
    normal_timeout = kiosk.services.config.session.idle_timeout_s
    elder_timeout = kiosk.services.config.session.elder_idle_timeout_s
    assert elder_timeout > normal_timeout
    kiosk.tap(kiosk.screen.ids.elder_button)
    start_visit(kiosk)
    idle_for(kiosk, normal_timeout + 5)
    assert kiosk.session.state is State.GUIDE and not kiosk.app.overlay.shown
    idle_for(kiosk, elder_timeout - normal_timeout - 5)
    assert kiosk.session.state is State.IDLE_WARNING and kiosk.app.overlay.shown


def test_the_visit_end_puts_everything_back(kiosk):
    normal = home_look(kiosk)
    normal_text = list(kiosk.app.theme.text)
    kiosk.tap(kiosk.screen.ids.elder_button)
    start_visit(kiosk)
    assert kiosk.session.elder_mode and kiosk.app.theme.scale == ELDER_SCALE
    kiosk.tap(kiosk.screen.ids.cancel_button)
    kiosk.idle(3)
    assert kiosk.screen_name == "home" and kiosk.session.state is State.HOME
    assert not kiosk.session.elder_mode and not kiosk.app.theme.elder
    assert kiosk.app.theme.scale == 1.0 and list(kiosk.app.theme.text) == normal_text
    assert home_look(kiosk) == normal
    assert "长辈模式：已开启" not in kiosk.texts()
    # and the next visit has the normal idle time
    start_visit(kiosk)
    idle_for(kiosk, kiosk.services.config.session.idle_timeout_s)
    assert kiosk.session.state is State.IDLE_WARNING


def test_a_second_tap_switches_it_off(kiosk):
    normal = home_look(kiosk)
    kiosk.tap(kiosk.screen.ids.elder_button)
    kiosk.tap(kiosk.screen.ids.elder_button)
    kiosk.idle(3)
    assert not kiosk.session.elder_mode and home_look(kiosk) == normal
