"""The shipped data: gov_words.txt and the dictionary are what their scripts make, the boost
works, and a broken dictionary file is reported as such."""

import gzip

import pytest

from kiosk.ime import DictionaryError
from kiosk.ime import build_index, build_words
from kiosk.ime.index import WordIndex
from tests.ime.conftest import texts


def test_gov_words_file_is_what_the_script_makes():
    assert build_words.GOV_WORDS.read_text(encoding="utf-8") == build_words.build()


def test_gov_words_come_from_the_catalog_and_the_hand_list():
    words = set(build_words.read_word_list(build_words.GOV_WORDS))
    assert {"淮河路街道", "马寨镇", "高龄津贴申领", "二七区民政局", "居民户口簿"} <= words  # catalog
    assert {"中原银行", "邮政储蓄银行", "配偶", "管城回族区", "驻马店市"} <= words  # form_words.txt
    assert all(2 <= len(w) <= 14 for w in words)


@pytest.mark.slow
def test_shipped_dictionary_is_what_the_script_makes():
    """Rebuilds from jieba and pypinyin (~25 s): a changed source or script shows here."""
    assert build_index.INDEX_FILE.read_bytes() == build_index.build()


def test_every_boost_word_is_first_for_its_own_pinyin(engine):
    from pypinyin import Style, lazy_pinyin

    words = build_words.read_word_list(build_words.GOV_WORDS)
    boosted = set(words)
    for word in words:
        first = engine.candidates("".join(lazy_pinyin(word, style=Style.NORMAL))).items[0]
        assert first.text in boosted, (word, first.text)  # the word, or a boost word read alike


def test_boost_lifts_a_place_name_over_a_common_word_of_the_same_reading(engine):
    # jieba: 二七区 3 occurrences; the general words read er'qi'qu are no match for it
    assert texts(engine.candidates("erqiqu"))[0] == "二七区"
    assert texts(engine.candidates("mazhaizhen"))[0] == "马寨镇"


@pytest.mark.parametrize("content", [b"not gzip", gzip.compress(b"hello\n"),
                                     gzip.compress(b"#kiosk-ime 1\n#syllables a\n"),
                                     gzip.compress(b"\xff\xfe")])
def test_a_broken_dictionary_file_raises_a_typed_error(tmp_path, content):
    path = tmp_path / "index.txt.gz"
    path.write_bytes(content)
    with pytest.raises(DictionaryError):
        WordIndex(path)
    with pytest.raises(DictionaryError):
        WordIndex(tmp_path / "missing.txt.gz")
