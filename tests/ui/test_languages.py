"""中文 / English: the switch on the home screen, the screens in English, Chinese again
after each visit, and a switch mid-visit keeps the visit.

What stays Chinese in English is data, not the kiosk's own text: the guide's long texts
(legal basis, conditions, venues, steps, hours, contacts: the guide says they are in Chinese
and that staff can help), the identity card's values, and the language button's own 中文.
The catalog's names, categories, summaries, fields and materials have their English
(tests/ui/test_catalog_english.py walks a form in English)."""

import re

from kiosk import i18n
from kiosk.session import State
from kiosk.ui.theme import ELDER_SCALE

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _own_texts(kiosk, screen=None):
    """Visible texts of the screen minus the data areas (the guide's texts, identity values)."""
    screen = screen or kiosk.screen
    data = set()
    for area in ("footer", "sections"):
        if area in screen.ids:
            data |= set(screen.ids[area].walk())
    from kivy.uix.label import Label
    from kiosk.simulation.touch import shown

    return [w.text for w in screen.walk() if isinstance(w, Label) and w.text and shown(w)
            and w not in data and w.text != "中文"]  # the language button


def _english(kiosk):
    kiosk.tap(kiosk.screen.ids.language_button)
    kiosk.idle()
    assert i18n.language() == "en"


def test_the_home_screen_in_english_and_back(kiosk):
    home = kiosk.screen
    assert home.ids.language_button.text == "English"
    _english(kiosk)
    own = _own_texts(kiosk)
    assert [t for t in own if CJK.search(t)] == []
    assert "Welcome to 24-hour self-service" in own and "Popular services" in own
    assert home.ids.tile_apply.title == "Apply" and home.ids.tile_progress.title == "Check progress"
    assert home.ids.language_button.text == "中文" and home.ids.elder_button.text == "Senior mode"
    footer = home.ids.footer.ids.lbl.text
    assert "Looked after by: 二七区政务服务中心" in footer and "Phone: 0371-68665010" in footer
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, [A-Z][a-z]{2} \d\d:\d\d", kiosk.app.clock_text)
    assert "All devices working" in kiosk.app.status_text and not CJK.search(kiosk.app.status_text)
    # the catalog's own English
    assert "Old-age allowance (80 and over)" in [w.title for w in home.ids.frequent_grid.children]
    assert "Elderly care" in [w.text for w in home.ids.category_grid.children]
    assert all("Done" in w.subtitle for w in home.ids.frequent_grid.children)
    kiosk.tap(home.ids.language_button)
    kiosk.idle()
    assert i18n.language() == "zh" and home.ids.tile_apply.title == "办事"
    assert "设备名称" in home.ids.footer.ids.lbl.text and home.ids.language_button.text == "English"
    assert "高龄津贴申领" in [w.title for w in home.ids.frequent_grid.children]


def test_a_visit_in_english_then_the_next_citizen_gets_chinese(kiosk):
    _english(kiosk)
    kiosk.tap(kiosk.screen.ids.tile_apply)
    catalog = kiosk.screen
    assert kiosk.screen_name == "catalog" and catalog.title == "Apply"
    assert catalog.ids.cancel_button.text == "Back to start"
    kiosk.tap(catalog.item_tiles["zz-gljt"])
    assert kiosk.session.state is State.GUIDE and kiosk.screen_name == "guide"
    guide = kiosk.screen
    assert guide.start_button.text == "Start" and guide.print_button.text == "Print this guide"
    headings = [section.heading for section in guide.ids.sections.children]
    assert "What to bring" in headings and "Steps" in headings
    assert guide.ids.department.text == "Responsible office: Erqi District Civil Affairs Bureau"
    assert [h for h in headings if CJK.search(h)] == []
    assert guide.title == "Old-age allowance (80 and over)"
    assert [t for t in _own_texts(kiosk) if CJK.search(t)] == []
    kiosk.tap(guide.ids.cancel_button)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    assert i18n.language() == "zh"
    home = kiosk.screen
    assert home.ids.tile_apply.title == "办事" and home.ids.language_button.text == "English"
    assert "24小时自助服务" in kiosk.texts() and "月" in kiosk.app.clock_text


def test_switching_keeps_the_visit(kiosk):
    kiosk.tap(kiosk.screen.ids.elder_button)  # 长辈模式 first, then English: both hold
    _english(kiosk)
    assert kiosk.session.elder_mode and kiosk.app.theme.scale == ELDER_SCALE
    assert kiosk.screen.ids.elder_button.text == "Senior mode: on"
    kiosk.tap(kiosk.screen.ids.frequent_grid.children[-1])  # the first frequent item
    assert kiosk.session.state is State.GUIDE
    item = kiosk.session.item
    kiosk.app.set_language("zh")  # mid-visit, back to Chinese: the same guide, re-rendered
    kiosk.idle()
    assert kiosk.session.state is State.GUIDE and kiosk.session.item is item
    assert kiosk.session.elder_mode and kiosk.screen.start_button.text == "开始办理"
    assert "申请材料" in [s.heading for s in kiosk.screen.ids.sections.children]
    kiosk.app.set_language("en")
    kiosk.idle()
    assert "What to bring" in [s.heading for s in kiosk.screen.ids.sections.children]
    assert kiosk.screen.ids.cancel_button.text == "Cancel"
    kiosk.tap(kiosk.screen.start_button)
    assert kiosk.session.state not in (State.HOME, State.GUIDE)
    assert [t for t in _own_texts(kiosk) if CJK.search(t)] == []


def test_the_idle_warning_speaks_the_visitors_language(kiosk):
    _english(kiosk)
    kiosk.tap(kiosk.screen.ids.tile_progress)
    assert kiosk.session.state is State.PROGRESS_QUERY
    kiosk.clock.advance(kiosk.session.idle_timeout_s + 1)
    kiosk.app.tick()
    kiosk.idle()
    assert kiosk.session.state is State.IDLE_WARNING
    overlay = kiosk.texts(kiosk.app.overlay)
    assert "Are you still there?" in overlay and "Continue" in overlay
    assert [t for t in overlay if CJK.search(t)] == []


def test_english_left_on_at_home_by_someone_who_walked_away_goes_back_to_chinese(kiosk):
    home = kiosk.screen
    _english(kiosk)
    kiosk.clock.advance(kiosk.session.idle_timeout_s - 1)
    kiosk.app.tick()
    assert i18n.language() == "en"  # not yet
    kiosk.clock.advance(1)
    kiosk.app.tick()
    kiosk.idle()
    assert i18n.language() == "zh" and kiosk.screen_name == "home"
    assert home.ids.tile_apply.title == "办事" and home.ids.language_button.text == "English"


def test_senior_mode_left_on_at_home_is_switched_off_after_the_idle_time(kiosk):
    kiosk.tap(kiosk.screen.ids.elder_button)
    assert kiosk.session.elder_mode and kiosk.app.theme.scale == ELDER_SCALE
    kiosk.clock.advance(kiosk.session.idle_timeout_s)
    kiosk.app.tick()
    kiosk.idle()
    assert not kiosk.session.elder_mode and kiosk.app.theme.scale == 1.0
