"""Rendering checked byte for byte against ESC/POS written out by hand: reset, GS ! sizes,
ESC E / ESC a, Chinese lines as GB18030 inside FS & … FS . (Chinese punctuation, the
four-byte 𠮷, 䶮, ·), the native QR code (GS ( k model, size, level M, store, print),
feed and cut, for 58 mm and 80 mm paper, with wrapping; bad documents are typed errors;
the read-back of every rendering gives its text and QR payload again."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from drivers.printer.document import Document, KeyValue, paper_length_mm, render
from drivers.printer.errors import DocumentError
from drivers.printer.profiles import PAPER_58, PAPER_80, get_profile
from drivers.printer.readback import read_back

INIT = b"\x1b@\x1b2"  # ESC @ reset, ESC 2 default line spacing
NORMAL_LEFT = b"\x1d!\x00\x1bE\x00\x1ba\x00"  # GS ! 0, ESC E 0, ESC a 0
LEFT = b"\x1ba\x00"
ZH, EN = b"\x1c&", b"\x1c."  # FS & / FS .


def zh(gb: str) -> bytes:
    """A Chinese line: hex of its GB18030 bytes, written by hand, inside FS & … FS . + LF."""
    return ZH + bytes.fromhex(gb) + EN + b"\n"


def qr(data: bytes, module: int) -> bytes:
    n = len(data) + 3
    return (b"\x1d(k\x04\x001A2\x00"  # fn 65: model 2
            + b"\x1d(k\x03\x001C" + bytes([module])  # fn 67: module size
            + b"\x1d(k\x03\x001E1"  # fn 69: error correction M (49)
            + b"\x1d(k" + bytes([n % 256, n // 256]) + b"1P0" + data  # fn 80: store
            + b"\x1d(k\x03\x001Q0")  # fn 81: print


def test_title_bold_double_size_centered():
    doc = Document().text("受理回执", align="center", bold=True, double_width=True, double_height=True)
    assert render(doc, PAPER_58) == (
        INIT + b"\x1d!\x11\x1bE\x01\x1ba\x01" + zh("cadc c0ed bbd8 d6b4")
        + b"\x1d!\x00\x1bE\x00")


def test_ascii_line_is_sent_plain():
    assert render(Document().text("No. 42"), PAPER_80) == INIT + NORMAL_LEFT + b"No. 42\n"


@pytest.mark.parametrize("text, gb", [
    ("，。：", "a3ac a1a3 a3ba"),  # Chinese punctuation, two bytes each
    ("（张三）", "a3a8 d5c5 c8fd a3a9"),
    ("𠮷", "9534 b235"),  # outside the BMP: a four-byte GB18030 sequence
    ("吉𠮷", "bcaa 9534b235"),
    ("䶮", "fe9f"),  # a rare name character (Python's GB18030 table)
    ("买买提·艾力", "c2f2 c2f2 cce1 a1a4 b0ac c1a6"),  # the middle dot of minority names
    ("张*三", "d5c5 2a c8fd"),  # ASCII stays single-byte inside Chinese mode
])
def test_chinese_text_goes_out_as_gb18030_in_chinese_mode(text, gb):
    assert render(Document().text(text), PAPER_58) == INIT + NORMAL_LEFT + zh(gb)


def test_control_characters_in_data_cannot_become_commands():
    out = render(Document().text("张\x1bi三\x1dV\x00"), PAPER_58)  # ESC i would cut
    assert out == INIT + NORMAL_LEFT + zh("d5c5 2069 c8fd 2056")


@pytest.mark.parametrize("profile, module", [(PAPER_58, 6), (PAPER_80, 8)])
def test_qr_code_native(profile, module):
    out = render(Document().qr("ZZ-EQ-0001-20261122-000042"), profile)
    assert out == INIT + b"\x1ba\x01" + qr(b"ZZ-EQ-0001-20261122-000042", module) + b"\n"


def test_qr_left_with_own_module_size():
    out = render(Document().qr("A", align="left", module=3), PAPER_80)
    assert out == INIT + LEFT + qr(b"A", 3) + b"\n"


@pytest.mark.parametrize("partial, cut", [(False, b"\x1dV\x00"), (True, b"\x1dV\x01")])
def test_feed_and_cut(partial, cut):
    out = render(Document().feed(3).cut(partial=partial), PAPER_80)
    assert out == INIT + b"\x1bd\x03" + b"\x1bd\x06" + cut


@pytest.mark.parametrize("profile, dashes", [(PAPER_58, 32), (PAPER_80, 48)])
def test_rule_spans_the_paper(profile, dashes):
    assert render(Document().rule(), profile) == INIT + LEFT + b"-" * dashes + b"\n"
    assert render(Document().rule("═"), profile) == INIT + LEFT + zh("a8 54" * (dashes // 2))


def test_key_value_wraps_on_58_and_not_on_80():
    doc = Document().kv("受理编号", "ZZ-EQ-0001-20261122-000042")
    label = "cadc c0ed b1e0 bac5 a3ba"  # 受理编号：
    assert render(doc, PAPER_58) == (INIT + LEFT + zh(label + b"ZZ-EQ-0001-20261122-".hex())
                                     + b" " * 10 + b"000042\n")
    assert render(doc, PAPER_80) == INIT + LEFT + zh(label + b"ZZ-EQ-0001-20261122-000042".hex())


def test_long_chinese_value_wraps_under_itself():
    doc = Document().kv("事项", "不动产登记资料查询个人名下房屋情况")  # 13 characters fit after 6 columns
    lines = read_back(render(doc, PAPER_58)).nonblank()
    assert lines == ["事项：不动产登记资料查询个人名下", "      房屋情况"]


def test_double_width_halves_the_columns():
    doc = Document().text("一二三四五六七八九十", double_width=True)  # 20 columns, 16 at 2x
    lines = read_back(render(doc, PAPER_58)).lines
    assert [ln.text for ln in lines] == ["一二三四五六七八", "九十"]
    assert lines[0].width == 2 and lines[0].height == 1


@pytest.mark.parametrize("doc", [
    Document().qr(""),
    Document().qr("x" * 601),
    Document().qr("x", module=17),
    Document().feed(256),
])
def test_bad_documents_are_typed_errors(doc):
    with pytest.raises(DocumentError) as info:
        render(doc, PAPER_58)
    assert info.value.code == "bad_document"


def test_only_items_go_into_a_document():
    with pytest.raises(DocumentError):
        Document().add("受理回执")  # type: ignore[arg-type]


def test_repr_shows_no_content():
    doc = Document().kv("申请人", "张*三").kv("证件号码", "110105********002X")
    assert "张" not in repr(doc) and "1101" not in repr(doc) and "2 items" in repr(doc)
    assert "张" not in repr(doc.items[0]) and "申请人" in repr(doc.items[0])
    assert "张" not in repr(Document().text("张*三").items[0])


def test_profiles():
    assert (PAPER_58.print_dots, PAPER_58.columns, PAPER_58.cjk_columns) == (384, 32, 16)
    assert (PAPER_80.print_dots, PAPER_80.columns, PAPER_80.cjk_columns) == (576, 48, 24)
    assert get_profile("80mm") is PAPER_80 and get_profile(58) is PAPER_58
    with pytest.raises(ValueError):
        get_profile(76)


def test_paper_length_counts_lines_qr_and_cut():
    short = Document().text("受理回执").cut()
    long = Document().text("受理回执" * 20).qr("ZZ-EQ-0001").cut()
    assert paper_length_mm(short, PAPER_80) == pytest.approx((1 + 6) * 30 / 8, abs=0.1)
    assert paper_length_mm(long, PAPER_80) > paper_length_mm(short, PAPER_80)
    text_only = Document().text("受理回执" * 20)  # 160 columns: 5 lines on 58 mm, 4 on 80 mm
    assert paper_length_mm(text_only, PAPER_58) == pytest.approx(5 * 30 / 8, abs=0.1)
    assert paper_length_mm(text_only, PAPER_80) == pytest.approx(4 * 30 / 8, abs=0.1)
    qr_only = Document().qr("ZZ-EQ-0001")  # version 1 at M: 21 modules + 8 margin, then a line
    assert paper_length_mm(qr_only, PAPER_58) == pytest.approx((29 * 6 + 30) / 8, abs=0.1)


TEXT = hs.text(alphabet=hs.sampled_from(list("受理编号张三𠮷䶮·，。：（）ab -0123456789Z")), max_size=60)


@settings(max_examples=150, deadline=None)
@given(hs.lists(hs.tuples(TEXT, TEXT), min_size=1, max_size=5), hs.sampled_from([PAPER_58, PAPER_80]))
def test_read_back_gives_the_text_and_the_qr_again(rows, profile):
    doc = Document()
    for key, value in rows:
        doc.add(KeyValue(key, value))
    doc.qr(rows[0][1] or "x").cut()
    printout = read_back(render(doc, profile))
    printed = "".join(printout.nonblank()).replace(" ", "")
    assert printed == "".join(k + "：" + v for k, v in rows).replace(" ", "")
    assert printout.qr_codes == [rows[0][1] or "x"] and printout.cuts == 1
