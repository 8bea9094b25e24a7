"""The keyboard's quality figures on tests/ime/words.txt (313 words and phrases the forms need),
as printed by bench/ime_quality.py. Floors sit just under what the engine reaches today
(figures in the comments), so a change that makes typing worse fails here."""

import pytest

from kiosk.ime.build_words import GOV_WORDS, read_word_list
from kiosk.ime.quality import measure, rank_of, read_words


@pytest.fixture(scope="module")
def words():
    listed = read_words()
    assert len(listed) >= 200 and len({w for _, w, _ in listed}) == len(listed)
    return listed


def shares(engine, words, mode):
    return measure(engine, words)[mode]["all"].shares()


def test_full_pinyin_over_the_whole_list(engine, words):
    first, top5 = shares(engine, words, "full")
    assert first >= 0.80 and top5 >= 0.84  # 82.4% first, 85.3% in the first five


def test_full_pinyin_for_everything_but_personal_names(engine, words):
    first, top5 = shares(engine, [w for w in words if w[0] != "names"], "full")
    assert first >= 0.92 and top5 >= 0.96  # 94.7%, 97.7% (263 words)


def test_full_pinyin_for_the_words_in_the_boost_list(engine, words):
    boosted = set(read_word_list(GOV_WORDS))
    first, top5 = shares(engine, [w for w in words if w[1] in boosted], "full")
    assert first == 1.0  # 201 words, every one first


def test_initials(engine, words):
    first, top5 = shares(engine, words, "initials")
    assert first >= 0.45 and top5 >= 0.57  # 49.8%, 60.5% (2+ syllables; 311 words)


def test_personal_names_outside_a_name_field(engine, words):
    # common full names (张伟, 王芳…) are mostly not dictionary words; the composed phrase
    # picks frequent characters (长为): a name field asks in name mode (next test)
    first, top5 = shares(engine, [w for w in words if w[0] == "names"], "full")
    assert top5 >= 0.18  # 20%


def test_personal_names_in_name_mode(engine, words):
    result = measure(engine, [w for w in words if w[0] == "names"], names=True)
    first, top5 = result["full"]["all"].shares()
    assert first >= 0.88 and top5 >= 0.98  # 92.0% first, 100% in the first five (50 names)
    first, top5 = result["initials"]["all"].shares()
    assert first >= 0.24 and top5 >= 0.58  # 28.0%, 62.0% (zw for 张伟)


def test_a_word_only_counts_when_it_uses_every_letter(engine):
    assert rank_of(engine, "shenfenzheng", "身份证") == 0
    assert rank_of(engine, "shenfenzhenghaoma", "身份证") is None  # offered, but as a prefix
