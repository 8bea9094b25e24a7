"""Column counting and wrapping: a Chinese character (any GB18030 multi-byte character)
is two columns, ASCII one; lines never exceed the paper, no character is lost, closing
punctuation never starts a line, receipt numbers break at hyphens, control characters
can never reach the printer as commands."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from drivers.printer.layout import clean, text_width, wrap


@pytest.mark.parametrize("text, width", [
    ("", 0), ("abc", 3), ("受理", 4), ("张*三", 5), ("𠮷", 2), ("·", 2), ("：", 2),
    ("2026年11月", 10), ("ZZ-EQ-0001", 10),
])
def test_text_width(text, width):
    assert text_width(text) == width


@pytest.mark.parametrize("text, width, first, lines", [
    ("请妥善保管本回执，凭受理编号查询办理进度。", 32, None,
     ["请妥善保管本回执，凭受理编号查询", "办理进度。"]),
    # the full stop would start line 2: it stays with the character before it
    ("一二三四五六七八九十一二三四五六。", 32, None, ["一二三四五六七八九十一二三四五", "六。"]),
    ("ZZ-EQ-0001-20261122-000042", 32, 22, ["ZZ-EQ-0001-20261122-", "000042"]),
    ("ZZ-EQ-0001-20261122-000042", 48, 38, ["ZZ-EQ-0001-20261122-000042"]),
    ("hello world foo bar", 10, None, ["hello", "world foo", "bar"]),
    ("x" * 40, 32, None, ["x" * 32, "x" * 8]),
    ("abcdefghij", 10, 4, ["", "abcdefghij"]),  # does not fit beside the label: next line
    ("ab", 32, 0, ["", "ab"]),
    ("", 32, None, [""]),
    ("中文中文", 5, None, ["中文", "中文"]),  # an odd width leaves a column empty
])
def test_wrap_table(text, width, first, lines):
    assert wrap(text, width, first) == lines


def test_clean_turns_control_characters_into_spaces():
    assert clean("张\x1b@三\x1dV\x00") == "张 @三 V "
    assert clean("a\nb\tc\x7f") == "a b c "
    assert clean("a\u200bb") == "ab"  # zero-width space would take a cell


def test_width_below_two_is_refused():
    with pytest.raises(ValueError):
        wrap("abc", 1)


@settings(max_examples=300, deadline=None)
@given(hs.text(alphabet=hs.sampled_from(list("受理编号张三𠮷䶮·，。：（）ab -0123456789Z")),
               max_size=80),
       hs.integers(2, 48), hs.one_of(hs.none(), hs.integers(-4, 48)))
def test_wrap_never_overflows_and_keeps_every_character(text, width, first):
    lines = wrap(text, width, first)
    for i, line in enumerate(lines):
        limit = width
        if i == 0 and first is not None and first >= 2:
            limit = min(first, width)
        assert text_width(line) <= limit
    assert "".join(lines).replace(" ", "") == clean(text).replace(" ", "")
