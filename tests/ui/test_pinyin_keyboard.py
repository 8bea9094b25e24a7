"""The pinyin keyboard, tapped with test touches on the real window, on the real engine."""

import threading
import time
from types import SimpleNamespace

import pytest

from tests.ui.widget_harness import frames, mounted, tap, window

window()  # before any widget makes a text texture

from kiosk.i18n import set_language, tr  # noqa: E402
from kiosk.ui.widgets.pinyin_keyboard import (SHARED, EngineLoader,  # noqa: E402
                                              PinyinKeyboard, start_engine_loading)
from tests.ui.leftovers import Needles, cache_findings, widget_findings  # noqa: E402

PORTRAIT_WIDTH, LANDSCAPE_WIDTH = 1080, 1920


def until(predicate, seconds=10.0):
    end = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < end, "timed out"
        frames(1)
        time.sleep(0.01)


@pytest.fixture(scope="module", autouse=True)
def engine_loaded():
    start_engine_loading()
    until(lambda: SHARED.done)
    assert SHARED.engine is not None


@pytest.fixture
def no_system_keyboard(monkeypatch):
    asked = []
    monkeypatch.setattr(window(), "request_keyboard", lambda *a, **k: asked.append(a) or None)
    yield asked
    assert asked == [], "the system keyboard was requested"


@pytest.fixture
def board(no_system_keyboard):
    """A keyboard mounted at the bottom of a portrait-wide area; events recorded."""
    kb = PinyinKeyboard()
    kb.changes, kb.done_with = [], []
    kb.bind(text=lambda _kb, text: kb.changes.append(text),
            on_done=lambda _kb, text: kb.done_with.append(text))
    with mounted(kb, size=(PORTRAIT_WIDTH, kb.height)):
        yield kb


def type_keys(kb, letters):
    for ch in letters:
        tap(kb.keys[ch])


def shown(kb):
    """The candidate texts on the bar, as the citizen sees them."""
    return [b.text for b in kb.candidate_buttons if b.opacity and b.text]


def tap_candidate(kb, text):
    button = next(b for b in kb.candidate_buttons if b.text == text and b.opacity)
    tap(button)


def test_erqiqu_shows_the_district_first_and_a_tap_commits_it(board):
    type_keys(board, "erqiqu")
    assert board.composition == "erqiqu"
    assert "erqiqu" in board.line
    assert shown(board)[0] == "二七区" and len(shown(board)) == 8
    tap(board.candidate_buttons[0])
    assert board.text == "二七区" and board.changes == ["二七区"]
    assert board.composition == "" and shown(board) == []
    assert board.status == tr("kb_hint_pinyin")


def test_a_word_that_uses_the_first_letters_leaves_the_rest_composing(board):
    type_keys(board, "shenfenzhenghao")
    assert "身份证" in shown(board)
    tap_candidate(board, "身份证")
    assert board.text == "身份证" and board.composition == "hao"
    first = shown(board)[0]
    assert len(first) == 1
    tap(board.keys["space"])  # the space key commits the first candidate
    assert board.text == "身份证" + first and board.composition == ""


def test_paging_shows_more_and_comes_back(board):
    type_keys(board, "shi")
    first_page = shown(board)
    assert len(first_page) == 8 and board.has_more
    assert board.keys["prev"].disabled and not board.keys["next"].disabled
    tap(board.keys["next"])
    second_page = shown(board)
    assert board.page == 1 and len(second_page) == 8
    assert not set(first_page) & set(second_page)
    assert not board.keys["prev"].disabled
    tap(board.candidate_buttons[2])
    assert board.text == second_page[2] and board.page == 0
    type_keys(board, "shi")
    tap(board.keys["next"])
    tap(board.keys["prev"])
    assert shown(board) == first_page


def test_backspace_deletes_pinyin_letters_then_committed_characters(board):
    type_keys(board, "erqiqu")
    tap(board.candidate_buttons[0])
    type_keys(board, "jie")
    tap(board.keys["backspace"])
    assert board.composition == "ji" and board.text == "二七区"
    tap(board.keys["backspace"])
    tap(board.keys["backspace"])
    assert board.composition == "" and board.text == "二七区"
    tap(board.keys["backspace"])
    assert board.text == "二七"
    tap(board.keys["mode"])
    type_keys(board, "ab")
    tap(board.keys["backspace"])
    assert board.text == "二七a"
    assert board.changes == ["二七区", "二七", "二七a", "二七ab", "二七a"]


def test_max_length_disables_what_would_not_fit(board):
    board.max_length = 4
    board.target_text = "郑州"
    assert board.text == "郑州"
    type_keys(board, "erqiqu")
    buttons = {b.text: b for b in board.candidate_buttons if b.opacity}
    assert buttons["二七区"].disabled and not buttons["二七"].disabled
    tap(buttons["二七区"])
    assert board.text == "郑州"
    tap(buttons["二七"])
    assert board.text == "郑州二七" and board.composition == "qu"
    tap(board.keys["backspace"])
    tap(board.keys["backspace"])
    assert board.composition == ""
    assert board.keys["a"].disabled and board.keys["1"].disabled
    tap(board.keys["a"])
    board.press("b")
    assert board.text == "郑州二七" and board.composition == ""
    tap(board.keys["mode"])
    tap(board.keys["space"])
    board.press("5")
    assert board.text == "郑州二七"
    board.target_text = "1234567"  # a longer start value is cut to the limit
    assert board.text == "1234"


def test_english_mode_types_letters_digits_and_capitals(board):
    tap(board.keys["mode"])
    assert board.mode == "latin" and board.status == tr("kb_hint_latin")
    type_keys(board, "zz")
    tap(board.keys["caps"])
    assert board.keys["a"].text == "A"
    type_keys(board, "bc")
    type_keys(board, "0371")
    tap(board.keys["space"])
    assert board.text == "zzBC0371 " and shown(board) == []
    tap(board.keys["mode"])
    type_keys(board, "hao")
    assert board.composition == "hao" and board.text == "zzBC0371 "


def test_switching_to_english_types_the_pinyin_letters_as_they_are(board):
    type_keys(board, "abc")
    tap(board.keys["mode"])
    assert board.text == "abc" and board.composition == ""


def test_digits_wait_while_composing_and_done_drops_the_pinyin(board):
    type_keys(board, "jiefanglu")
    tap_candidate(board, "解放路")
    type_keys(board, "12")
    type_keys(board, "hao")
    assert board.keys["3"].disabled
    tap(board.keys["3"])
    assert board.text == "解放路12"
    tap(board.keys["done"])
    assert board.done_with == ["解放路12"] and board.composition == ""


def test_clear_leaves_nothing_behind(board):
    secret = "".join(["二七区", "解放路"])  # made at run time (see tests/ui/leftovers.py)
    pinyin = "".join(["shen", "fen", "zheng"])
    type_keys(board, "erqiqu")
    tap_candidate(board, "二七区")
    type_keys(board, "jiefanglu")
    tap_candidate(board, "解放路")
    type_keys(board, pinyin)
    on_bar = [text for text in shown(board) if len(text) > 1]  # what the labels rendered
    assert board.text == secret and board.composition == pinyin and len(on_bar) >= 3
    board.clear()
    frames(2)
    assert board.text == board.composition == board.target_text == ""
    assert shown(board) == [] and board.line == "" and board.page == 0
    assert all(b.text == "" for b in board.candidate_buttons)
    assert board.mode == "pinyin" and not board.caps
    board.changes.clear()  # the test's own record of the text, not the keyboard's
    needles = Needles([secret, pinyin, *on_bar])
    place = SimpleNamespace(manager=SimpleNamespace(screens=[]), overlay=board, root=board)
    assert widget_findings(place, needles) == []
    assert cache_findings(needles) == []


def test_tapping_clear_empties_text_and_composition(board):
    type_keys(board, "erqiqu")
    tap(board.candidate_buttons[0])
    type_keys(board, "lu")
    tap(board.keys["clear"])
    assert board.text == "" and board.composition == "" and shown(board) == []
    assert board.keys["clear"].disabled and board.keys["backspace"].disabled


@pytest.mark.parametrize("width", [PORTRAIT_WIDTH, LANDSCAPE_WIDTH])
def test_keys_and_candidates_are_big_enough_to_touch(width):
    kb = PinyinKeyboard()
    with mounted(kb, size=(width, kb.height)):
        for pinyin in ("erqiqujiefanglu", "shenfenzhenghao", "a"):
            kb.clear()
            type_keys(kb, pinyin)
            frames(2)
            targets = [k for k in kb.keys.values() if k.opacity] + \
                [b for b in kb.candidate_buttons if b.opacity]
            for key in targets:
                assert key.width >= 64 and key.height >= 64, (width, key.text, key.size)
        tap(kb.keys["mode"])
        frames(1)
        assert kb.keys["caps"].width >= 64 and kb.keys["caps"].opacity == 1
        assert kb.ids.board.width <= width


def test_letters_typed_while_the_engine_loads_are_looked_up_when_it_is_ready():
    gate = threading.Event()

    def slow_engine():
        gate.wait(10)
        return SHARED.engine

    loader = EngineLoader(slow_engine)
    kb = PinyinKeyboard(loader=loader)
    with mounted(kb, size=(PORTRAIT_WIDTH, kb.height)):
        type_keys(kb, "erqiqu")
        assert kb.status == tr("kb_loading") and shown(kb) == []
        gate.set()
        until(lambda: shown(kb))
        assert shown(kb)[0] == "二七区" and kb.status == ""


def test_a_missing_dictionary_leaves_english_input_working():
    def broken():
        raise OSError("no dictionary")

    loader = EngineLoader(broken).start()
    until(lambda: loader.done)
    kb = PinyinKeyboard(loader=loader)
    with mounted(kb, size=(PORTRAIT_WIDTH, kb.height)):
        type_keys(kb, "erqiqu")
        assert kb.status == tr("kb_unavailable") and shown(kb) == []
        tap(kb.keys["mode"])
        type_keys(kb, "ab1")
        assert kb.text == "erqiquab1"


def test_labels_follow_the_language():
    kb = PinyinKeyboard()
    try:
        assert kb.keys["done"].text == tr("kb_done", "zh")
        set_language("en")
        kb.relabel()
        assert kb.keys["done"].text == tr("kb_done", "en") != tr("kb_done", "zh")
        assert kb.status == tr("kb_hint_pinyin", "en")
    finally:
        set_language("zh")


# -- name mode and a county's own words -------------------------------------------------------
def test_name_mode_offers_full_names_first(board):
    type_keys(board, "zhangwei")
    assert shown(board)[0] != "张伟"  # 长尾: the plain keyboard does not know the name
    board.names = True
    assert shown(board)[:2] == ["张伟", "张卫"]
    assert "张" in shown(board)  # the surname alone follows: character by character still works
    tap_candidate(board, "张伟")
    assert board.text == "张伟" and board.composition == ""
    board.clear()
    assert not board.names


def test_the_form_opens_name_mode_for_a_name_field_and_not_for_an_address(make_kiosk, monkeypatch):
    from tests.ui.test_screen_form import register, tap_in_view, to_form

    register(monkeypatch)
    kiosk = make_kiosk()
    screen = to_form(kiosk)  # 房屋租赁登记备案: 对方姓名或单位, 房屋地址
    board = screen.pinyin
    for field, names in (("other_name", True), ("house_address", False), ("other_name", True)):
        tap_in_view(kiosk, screen, screen.rows[field].value_box)
        kiosk.idle(2)
        assert screen.typing_text and board.names is names, field
        for letter in "zhangwei":
            kiosk.tap(board.keys[letter])
        kiosk.wait(lambda: any(b.text for b in board.candidate_buttons))
        assert (shown(board)[0] == "张伟") is names, (field, shown(board))
        kiosk.tap(board.keys["clear"])


def county_loader(tmp_path, words: bytes) -> EngineLoader:
    """A loader (own engine) started the way the app does, from a config with [ime]."""
    from kiosk.config import parse_config
    from tests.ui.conftest import ui_config

    raw = ui_config(tmp_path).model_dump(mode="json", exclude_none=True)
    raw["ime"] = {"extra_words": "county_words.txt"}
    config = parse_config(raw, str(tmp_path / "kiosk.toml"))
    (tmp_path / "county_words.txt").write_bytes(words)
    loader = EngineLoader(extra_words=config.path(config.ime.extra_words)).start()
    until(lambda: loader.done)
    return loader


def test_county_words_from_the_config_come_first(tmp_path):
    loader = county_loader(tmp_path, "# made up for the test\n桐叶湾社区\n".encode())
    kb = PinyinKeyboard(loader=loader)
    with mounted(kb, size=(PORTRAIT_WIDTH, kb.height)):
        type_keys(kb, "tongyewanshequ")
        assert shown(kb)[0] == "桐叶湾社区"
        assert SHARED.engine.candidates("tongyewanshequ").items[0].text != "桐叶湾社区"  # its own engine


def test_a_bad_county_word_list_is_logged_once_and_the_keyboard_works(tmp_path, caplog):
    caplog.set_level("INFO", logger="kiosk.ui.widgets.engine_loader")
    loader = county_loader(tmp_path, "桐叶湾社区\nTongye\n".encode())
    assert loader.engine is not None and not loader.failed
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "county_words.txt:2" in errors[0].getMessage()
    kb = PinyinKeyboard(loader=loader)
    with mounted(kb, size=(PORTRAIT_WIDTH, kb.height)):
        type_keys(kb, "erqiqu")
        assert shown(kb)[0] == "二七区"
