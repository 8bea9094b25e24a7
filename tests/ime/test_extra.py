"""A county's own place words, added at start from a plain list: found first for their pinyin,
read by the dictionary's own character readings; a bad list is refused whole, naming why.
The words here are made up for the test (no real place is claimed)."""

import pytest

from kiosk.ime import PinyinEngine
from kiosk.ime.extra import (MAX_READINGS, ExtraWordsError, add_extra_words, read_extra_words,
                             readings)
from tests.ime.conftest import texts

WORDS = """# 测试县 (made up)
桐叶湾社区
长乐坊村   # 长 read chang or zhang: both find it
桐叶湾社区
"""


@pytest.fixture(scope="module")
def county_engine(tmp_path_factory):
    """An engine of its own: adding words changes it."""
    path = tmp_path_factory.mktemp("county") / "words.txt"
    path.write_text(WORDS, encoding="utf-8")
    engine = PinyinEngine()
    assert add_extra_words(engine, read_extra_words(path)) == 2
    return engine


def test_the_list_is_read_in_order_once_each(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text(WORDS, encoding="utf-8")
    assert read_extra_words(path) == ["桐叶湾社区", "长乐坊村"]


def test_a_county_word_is_first_for_its_pinyin(engine, county_engine):
    assert texts(engine.candidates("tongyewanshequ"))[0] != "桐叶湾社区"  # the shipped words alone
    assert texts(county_engine.candidates("tongyewanshequ"))[0] == "桐叶湾社区"
    assert texts(county_engine.candidates("tongyewan"))[0] != "桐叶湾社区"  # only whole
    assert texts(county_engine.candidates("tywsq"))[0] == "桐叶湾社区"
    for typed in ("changlefangcun", "zhanglefangcun", "changyuefangcun"):
        assert texts(county_engine.candidates(typed))[0] == "长乐坊村", typed


def test_the_shipped_words_keep_their_place(county_engine):
    assert texts(county_engine.candidates("erqiqu"))[0] == "二七区"
    assert texts(county_engine.candidates("shenfenzheng"))[0] == "身份证"


def test_readings_come_from_the_dictionary_and_are_bounded(engine):
    known = engine.index.char_readings()
    assert ("chang", "jiang") in readings("长江", known) and ("zhang", "jiang") in readings("长江", known)
    assert 1 < len(readings("长行重乐都", known)) <= MAX_READINGS
    assert readings("桐\u9fff", {"桐": [("tong", 1)]}) == []


@pytest.mark.parametrize("content, why", [
    ("桐叶湾社区\nTongye Bay\n", ":2: not a word"),
    ("桐叶湾社区\n村\n", ":2: not a word"),  # one character: not a word
    ("桐叶湾社区\n" + "村" * 17 + "\n", ":2: not a word"),
    ("桐叶湾1号\n", ":1: not a word"),
])
def test_a_bad_line_refuses_the_list_and_names_the_line(tmp_path, content, why):
    path = tmp_path / "words.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ExtraWordsError, match=why):
        read_extra_words(path)


def test_an_unreadable_list_is_a_typed_error(tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes("桐叶湾".encode("gbk"))
    with pytest.raises(ExtraWordsError, match="cannot read"):
        read_extra_words(path)
    with pytest.raises(ExtraWordsError, match="cannot read"):
        read_extra_words(tmp_path / "missing.txt")
    with pytest.raises(ExtraWordsError, match="cannot read"):
        read_extra_words(tmp_path)  # a folder


def test_a_word_the_keyboard_cannot_read_changes_nothing(county_engine):
    buckets = dict(county_engine.index.buckets)
    with pytest.raises(ExtraWordsError, match="no reading"):
        add_extra_words(county_engine, ["桐叶湾", "\u9fef\u9fef村"])  # characters beyond GBK
    assert county_engine.index.buckets == buckets
