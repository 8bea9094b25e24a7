"""Chinese line breaking: where a line may break, how lines are filled, and a CJKLabel on
the window never starting a line with "，" where a plain Label does."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.ui.widgets.cjk_text import CLOSING, OPENING, break_positions, pieces, wrap


def test_no_break_before_closing_punctuation():
    text = "申请人须年满八十周岁，具有本市户籍。"
    cuts = break_positions(text)
    assert text.index("，") not in cuts and text.index("。") not in cuts
    assert text.index("具") in cuts and text.index("请") in cuts  # between ideographs


def test_no_break_inside_brackets_edges():
    text = "高龄津贴（八十周岁）「办理」"
    assert pieces(text) == ["高", "龄", "津", "贴", "（八", "十", "周", "岁）", "「办", "理」"]


def test_numbers_and_latin_words_stay_whole():
    assert pieces("电话0371-68665010咨询") == ["电", "话", "0371-68665010", "咨", "询"]
    assert pieces("设备 ZZ-EQ-0001 已登记") == ["设", "备 ", "ZZ-EQ-0001 ", "已", "登", "记"]
    assert break_positions("hello world") == [6]


def test_wrap_moves_the_character_before_a_comma_down_with_it():
    # one unit per character: "五，" is one piece, so it goes down together
    assert wrap("一二三四五，六七八", 5, len) == ["一二三四", "五，六七八"]
    assert wrap("一二三四（五六）七", 5, len) == ["一二三四", "（五六）七"]


def test_wrap_keeps_newlines_and_drops_spaces_at_line_ends():
    assert wrap("第一段\n\n第二段", 10, len) == ["第一段", "", "第二段"]
    assert wrap("请 带 好 证件", 4, len) == ["请 带", "好 证件"]


def test_a_piece_wider_than_the_line_is_cut_between_characters():
    assert wrap("号码12345678901234", 6, len) == ["号码", "123456", "789012", "34"]


def test_a_line_measured_whole_wider_than_its_pieces_gives_a_piece_away():
    # a measure where longer strings grow faster than the sum of their parts
    def measure(s):
        return len(s) + (2 if len(s) > 3 else 0)

    lines = wrap("一二三四五六七八九十", 6, measure)
    assert "".join(lines) == "一二三四五六七八九十"
    assert all(measure(line) <= 6 for line in lines)


CHARS = "申请办理高龄津贴材料身份证明户籍" + "。，、；：？！）」』】》" + "（「『【《" + "ab 12"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=CHARS, min_size=1, max_size=80), st.integers(min_value=3, max_value=20))
def test_wrapped_lines_fit_and_never_start_with_closing_or_end_with_opening(text, width):
    width = max(width, *(len(p.strip(" ")) for p in pieces(text)))  # no forced cut inside
    lines = wrap(text, width, len)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(len(line) <= width for line in lines)
    assert not any(line[0] in CLOSING for line in lines[1:])
    assert not any(line[-1] in OPENING for line in lines[:-1])


# -- on the window ----------------------------------------------------------------------------
@pytest.fixture
def win():
    from tests.ui.conftest import window

    return window()


def _lines(label) -> list[str]:
    return ["".join(w.text for w in line.words) for line in label._label._cached_lines]


def test_cjk_label_breaks_before_the_comma_where_kivy_would_not(win):
    from kivy.core.text import Label as CoreLabel
    from kivy.lang import Builder
    from kivy.uix.label import Label

    text = "一二三四五六七八九，十一二"
    size = 40
    probe = CoreLabel(font_size=size)
    probe.resolve_font_name()
    width = probe.get_extents("一二三四五六七八九")[0] + 2  # the comma does not fit

    plain = Label(text=text, font_size=size, text_size=(width, None))
    cjk = Builder.load_string(
        f"CJKLabel:\n    text: '{text}'\n    font_size: {size}\n    text_size: {width}, None\n")
    plain.texture_update()
    cjk.texture_update()

    assert _lines(plain)[1].startswith("，")  # Kivy alone: a line starts with the comma
    assert _lines(cjk) == ["一二三四五六七八", "九，十一二"]
    assert cjk.text == text  # the widget's text is untouched
    assert cjk.texture_size[0] <= width


def test_cjk_label_rewraps_when_its_width_changes(win):
    from kiosk.ui.widgets.cjk_text import CJKLabel

    label = CJKLabel(text="申请人须年满八十周岁，具有本市户籍。", font_size=30,
                     text_size=(200, None))
    label.texture_update()
    narrow = _lines(label)
    label.text_size = (400, None)
    label.texture_update()
    wide = _lines(label)
    assert len(wide) < len(narrow)
    for lines in (narrow, wide):
        assert not any(line[0] in CLOSING for line in lines)
        assert "".join(lines) == label.text
