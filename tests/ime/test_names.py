"""Name mode: for a name field, full names come first (a surname, then given-name characters
ranked by how often names hold them), then the surname alone, then the usual candidates."""

import pytest

from kiosk.ime.build_names import NameListError, read_surnames, surname_entries
from kiosk.ime.names import NAME_FIRST
from tests.ime.conftest import texts


def names(engine, typed, per_page=8):
    return engine.candidates(typed, per_page=per_page, names=True)


@pytest.mark.parametrize("typed, name", [
    ("zhangwei", "张伟"), ("wangfang", "王芳"), ("wangxiuying", "王秀英"), ("liqiang", "李强"),
    ("zhangjianguo", "张建国"),
])
def test_a_common_full_name_comes_first(engine, typed, name):
    first = names(engine, typed).items[0]
    assert (first.text, first.consumed) == (name, len(typed))


def test_the_plain_keyboard_does_not_know_the_name(engine):
    assert "张伟" not in texts(engine.candidates("zhangwei", per_page=5))  # 长尾, 长 …


@pytest.mark.parametrize("typed, surname, letters", [
    ("ouyangfeng", "欧阳", "ouyang"), ("zhugeliang", "诸葛", "zhuge"), ("simaqian", "司马", "sima"),
    ("shangguanyan", "上官", "shangguan"),
])
def test_a_two_character_surname_heads_every_name(engine, typed, surname, letters):
    items = names(engine, typed).items
    full = [c.text for c in items[:NAME_FIRST]]
    assert all(t.startswith(surname) and len(t) in (3, 4) for t in full), full
    after = items[NAME_FIRST]  # then the surname alone: pick it, the given name composes on
    assert (after.text, typed[:after.consumed]) == (surname, letters)


@pytest.mark.parametrize("surname, reading, misread", [
    ("单", "shan", "dan"), ("曾", "zeng", "ceng"), ("仇", "qiu", "chou"), ("解", "xie", "jie"),
])
def test_a_surname_is_read_as_a_surname(engine, surname, reading, misread):
    assert surname + "丽华" in texts(names(engine, reading + "lihua"))[:NAME_FIRST]
    assert surname + "丽华" not in texts(names(engine, misread + "lihua", per_page=20))


def test_the_first_letters_alone_find_the_name(engine):
    assert texts(names(engine, "zw"))[0] == "张伟"
    assert "张建国" in texts(names(engine, "zjg"))[:NAME_FIRST]


def test_one_syllable_offers_name_characters_first(engine):
    assert texts(names(engine, "zhang"))[0] == "张"
    assert {"伟", "魏"} <= set(texts(names(engine, "wei"))[:NAME_FIRST])


def test_the_surname_alone_and_every_usual_candidate_still_follow(engine):
    typed = "zhangwei"
    items = names(engine, typed, per_page=60).items
    assert [c.text for c in items[NAME_FIRST:NAME_FIRST + 2]] == ["张", "章"]
    assert items[NAME_FIRST].consumed == len("zhang")
    first = texts(names(engine, typed, per_page=NAME_FIRST + 2))
    plain = [t for t in texts(engine.candidates(typed, per_page=40)) if t not in first]
    assert texts(names(engine, typed, per_page=60))[len(first):][:30] == plain[:30]


def test_what_is_not_a_name_is_offered_as_usual(engine):
    for typed in ("erqiqu", "shenfenzhenghaoma", "zhongguogongshangyinhang"):
        assert texts(names(engine, typed)) == texts(engine.candidates(typed))


def test_name_mode_pages_without_repeats(engine):
    seen = []
    for page in range(4):
        seen += texts(engine.candidates("liming", page=page, per_page=5, names=True))
    assert len(seen) == 20 and len(set(seen)) == 20


def test_the_surname_list_is_read_and_checked(tmp_path):
    listed = dict(read_surnames())
    assert listed["单"] == ("shan",) and listed["曾"] == ("zeng",) and listed["欧阳"] == ("ou", "yang")
    assert list(listed)[:3] == ["王", "李", "张"]
    bad = tmp_path / "surnames.txt"
    bad.write_text("王 wang\n单 dan shan\n", encoding="utf-8")
    with pytest.raises(NameListError):
        read_surnames(bad)
    bad.write_text("单 dian\n", encoding="utf-8")  # not a reading of 单
    with pytest.raises(NameListError):
        surname_entries({"单": ["dan", "shan", "chan"]}, bad)
