"""The pinyin engine: cutting unsplit pinyin, unfinished syllables, apostrophes, initials,
words that use only part of the input, paging, and input it must refuse."""

import pytest

from kiosk.ime import Candidates, PinyinInputError
from tests.ime.conftest import texts


@pytest.mark.parametrize("typed, word", [
    ("shenfenzheng", "身份证"),
    ("erqiqu", "二七区"),
    ("peiou", "配偶"),
    ("zinv", "子女"),
    ("zhongguogongshangyinhang", "中国工商银行"),
    ("fangan", "方案"),  # fang'an, not fan'gan
])
def test_unsplit_pinyin_finds_the_word_first(engine, typed, word):
    first = engine.candidates(typed).items[0]
    assert (first.text, first.consumed) == (word, len(typed))


def test_an_unfinished_last_syllable_already_offers_the_word(engine):
    for typed in ("shenfenz", "shenfenzh", "shenfenzhe", "shenfenzhen"):
        first = engine.candidates(typed).items[0]
        assert (first.text, first.consumed) == ("身份证", len(typed)), typed


def test_initials_alone_find_common_phrases(engine):
    assert texts(engine.candidates("sfz"))[0] == "身份证"
    assert "中国工商银行" in texts(engine.candidates("zggsyh"))[:5]


def test_an_apostrophe_marks_a_syllable_boundary(engine):
    assert texts(engine.candidates("xi'an"))[0] == "西安"
    assert "西安" not in texts(engine.candidates("xian"))[:3]  # 先, 县, 现 … come first
    # a word consumes the apostrophe that follows it, so the rest starts with a letter
    dan = next(c for c in engine.candidates("shen'fen").items if c.text == "身")
    assert dan.consumed == len("shen'")


def test_a_word_may_use_only_the_first_syllables_and_the_rest_continues(engine):
    typed = "shenfenzhenghaoma"
    items = engine.candidates(typed, per_page=50).items
    whole = [c for c in items if c.consumed == len(typed)]
    shenfen = next(c for c in items if c.text == "身份")
    assert shenfen.consumed == len("shenfen")
    rest = typed[shenfen.consumed:]
    assert "证号" in texts(engine.candidates(rest, per_page=20))
    # whole-input candidates first, then the longest prefixes
    consumed = [c.consumed for c in items[len(whole):]]
    assert consumed == sorted(consumed, reverse=True)
    assert all(c.consumed < len(typed) for c in items[len(whole):])


def test_composes_a_phrase_no_dictionary_holds(engine):
    typed = "erqiqujiefanglujiedao"
    assert ("二七区解放路街道", len(typed)) in [(c.text, c.consumed) for c in
                                             engine.candidates(typed).items[:2]]


def test_every_syllable_offers_single_characters(engine):
    for syllable in engine.index.syllables:
        items = engine.candidates(syllable, per_page=30).items
        assert any(len(c.text) == 1 and c.consumed == len(syllable) for c in items), syllable


def test_v_stands_for_u_umlaut(engine):
    assert {"绿", "吕"} <= set(texts(engine.candidates("lv", per_page=10)))
    assert texts(engine.candidates("nv"))[0] == "女"


def test_pages_follow_each_other_without_repeats_until_the_end(engine):
    seen, page = [], 0
    while True:
        result = engine.candidates("zhuai", page=page, per_page=3)
        assert isinstance(result, Candidates) and len(result.items) <= 3
        seen += texts(result)
        if not result.has_more:
            break
        assert len(result.items) == 3
        page += 1
    assert page >= 1 and len(seen) == len(set(seen))
    assert engine.candidates("zhuai", page=page + 1, per_page=3) == Candidates((), False)
    big = engine.candidates("shi", per_page=8)
    assert texts(big) == texts(engine.candidates("shi", page=0, per_page=4)) + \
        texts(engine.candidates("shi", page=1, per_page=4))


@pytest.mark.parametrize("typed", ["", "'", "''"])
def test_nothing_typed_gives_no_candidates(engine, typed):
    assert engine.candidates(typed) == Candidates((), False)


@pytest.mark.parametrize("typed", ["v", "iii", "uuu", "ioi"])
def test_letters_no_syllable_starts_with_give_no_candidates(engine, typed):
    assert engine.candidates(typed).items == ()


def test_a_bad_tail_still_offers_what_the_good_start_spells(engine):
    items = engine.candidates("shenfenvvv").items
    assert items and items[0].text == "身份" and items[0].consumed == 7


@pytest.mark.parametrize("typed", ["Shen", "shen1", "身份", "shen fen", "shen-fen", "a" * 49, None, 5])
def test_anything_but_lowercase_pinyin_is_refused_with_a_typed_error(engine, typed):
    with pytest.raises(PinyinInputError):
        engine.candidates(typed)


def test_bad_paging_arguments_are_refused(engine):
    with pytest.raises(ValueError):
        engine.candidates("shi", page=-1)
    with pytest.raises(ValueError):
        engine.candidates("shi", per_page=0)


def test_the_engine_remembers_nothing_between_citizens(engine):
    before = engine.candidates("zhang", per_page=20)
    for typed in ("zhangwei", "zhangjie", "zhangsan", "zhangmin"):
        for page in range(3):
            engine.candidates(typed, page=page)
    assert engine.candidates("zhang", per_page=20) == before
    assert not hasattr(engine, "learn")


def test_a_chain_of_common_characters_does_not_beat_a_real_word(engine):
    # 出 + 是 are each far more frequent than any chu'shi word; the phrase still ranks below
    whole = [c.text for c in engine.candidates("chushi", per_page=12).items if c.consumed == 6]
    assert "出是" not in whole[:8]
    assert {"初始", "出示", "厨师"} <= set(whole)


def test_forget_typing_drops_the_patterns_made_from_what_was_typed(engine):
    from kiosk.ime import index

    engine.candidates("zhangguiying")
    assert index._pattern.cache_info().currsize > 0
    index.forget_typing()
    assert index._pattern.cache_info().currsize == 0
    assert engine.candidates("erqiqu").items[0].text == "二七区"  # still works afterwards
