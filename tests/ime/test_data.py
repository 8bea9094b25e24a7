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


def test_a_small_dictionary_of_the_current_format_loads(tmp_path):
    path = tmp_path / "index.txt.gz"
    path.write_bytes(gzip.compress((GOOD_HEAD + "@a\n" + ROW + "@surname:a\n" + ROW +
                                    "@given:a\n" + ROW).encode()))
    index = WordIndex(path)
    assert index.lookup("a", ("\u0100",), 5) == [("阿", 5)]
    assert index.lookup("a", ("\u0100",), 5, "surname") == [("阿", 5)]


def test_the_name_tables_hold_surnames_and_given_name_characters(engine):
    surname = engine.index.lookup("z", (engine.index.code["zhang"],), 2, "surname")
    assert [w for w, _ in surname] == ["张", "章"]
    given = engine.index.lookup("w", (engine.index.code["wei"],), 1, "given")
    assert given[0][0] == "伟"
    compound = engine.index.lookup("oy", (engine.index.code["ou"], engine.index.code["yang"]), 1, "surname")
    assert compound[0][0] == "欧阳"


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


GOOD_HEAD = "#kiosk-ime 2\n#syllables a\n"
ROW = "\u0100\t阿\t5\n"


@pytest.mark.parametrize("content", [b"not gzip", gzip.compress(b"hello\n"),
                                     gzip.compress(b"#kiosk-ime 1\n#syllables a\n@a\n"),
                                     gzip.compress(GOOD_HEAD.encode()),
                                     gzip.compress((GOOD_HEAD + "@a\n" + ROW).encode()),  # no name tables
                                     gzip.compress((GOOD_HEAD + "@a\n" + ROW + "@surname:a\n" + ROW +
                                                    "@given:a\n" + ROW + "@nickname:a\n" + ROW).encode()),
                                     gzip.compress(b"\xff\xfe")])
def test_a_broken_dictionary_file_raises_a_typed_error(tmp_path, content):
    path = tmp_path / "index.txt.gz"
    path.write_bytes(content)
    with pytest.raises(DictionaryError):
        WordIndex(path)
    with pytest.raises(DictionaryError):
        WordIndex(tmp_path / "missing.txt.gz")
