"""``drivers.scanner.text`` reads a code's raw bytes as the kiosk must: UTF-8 (BOM
dropped), else GB18030 — the GBK codes of older Chinese systems, rare name characters
and Chinese punctuation included — and refuses empty, over-long, undecodable and
control-laden codes with typed errors. Fuzzing proves any bytes give text or a typed
error, and that accepted text is exactly what the bytes say."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import CodecError
from drivers.scanner.text import (
    MAX_CODE_BYTES,
    CodeTooLong,
    ControlCharacter,
    EmptyCode,
    ScanTextError,
    UndecodableCode,
    decode_payload,
    decode_text,
)

RECEIPT = "ZZ-EQ-0001-20261122-000042"
URL = "https://zwfw.example.gov.cn/q?no=" + RECEIPT + "&t=1"

GOOD = [
    # (raw bytes, text, encoding)
    (RECEIPT.encode("ascii"), RECEIPT, "utf-8"),
    ("张三 受理编号".encode("utf-8"), "张三 受理编号", "utf-8"),
    (b"\xef\xbb\xbf" + "办事指南".encode("utf-8"), "办事指南", "utf-8"),
    ("张三".encode("gbk"), "张三", "gb18030"),
    ("受理编号：ZZ-EQ-0001".encode("gbk"), "受理编号：ZZ-EQ-0001", "gb18030"),
    ("《办事指南》，请取号。".encode("gbk"), "《办事指南》，请取号。", "gb18030"),
    ("阿依古丽·买买提".encode("gbk"), "阿依古丽·买买提", "gb18030"),
    ("王䶮".encode("gb18030"), "王䶮", "gb18030"),  # CJK extension A, two bytes
    ("李𪚥".encode("gb18030"), "李𪚥", "gb18030"),  # outside the BMP, four bytes
    (URL.encode("ascii"), URL, "utf-8"),
    ("李𪚥".encode("utf-8"), "李𪚥", "utf-8"),
    (b"line1\r\nline2\tend\n", "line1\r\nline2\tend\n", "utf-8"),
    (b"a" * MAX_CODE_BYTES, "a" * MAX_CODE_BYTES, "utf-8"),
]


@pytest.mark.parametrize("raw, text, encoding", GOOD)
def test_good_codes(raw, text, encoding):
    assert decode_payload(raw) == (text, encoding)
    assert decode_text(bytearray(raw)) == text


BAD = [
    (b"", EmptyCode),
    (b"\xef\xbb\xbf", EmptyCode),
    (b"a" * (MAX_CODE_BYTES + 1), CodeTooLong),
    (b"\xff\xfe\xfd", UndecodableCode),
    (b"\x80", UndecodableCode),
    ("张三".encode("gbk")[:3], UndecodableCode),  # cut inside a character
    (b"\x00abc", ControlCharacter),
    (b"abc\x1b[2J", ControlCharacter),  # a terminal escape
    (b"abc\x7f", ControlCharacter),  # DEL
    (b"abc\x08", ControlCharacter),  # backspace
    ("a\u0085b".encode("utf-8"), ControlCharacter),  # C1 NEL
    ("张\x07三".encode("gbk"), ControlCharacter),
]


@pytest.mark.parametrize("raw, error", BAD)
def test_bad_codes_raise_typed_errors(raw, error):
    with pytest.raises(error) as info:
        decode_payload(raw)
    assert isinstance(info.value, CodecError)
    assert info.value.code.startswith("scan_")


def test_error_messages_do_not_carry_the_code():
    with pytest.raises(UndecodableCode) as info:
        decode_payload(b"110105199001010022\xff")
    assert "110105" not in str(info.value)


def test_length_cap_is_configurable():
    assert decode_payload(b"abcd", max_bytes=4)[0] == "abcd"
    with pytest.raises(CodeTooLong):
        decode_payload(b"abcde", max_bytes=4)


def test_text_is_required_as_bytes():
    with pytest.raises(TypeError):
        decode_payload("not bytes")  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=4000))
def test_fuzz_any_bytes_give_text_or_typed_error(raw):
    try:
        text, encoding = decode_payload(raw)
    except ScanTextError:
        return
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    assert text and encoding in ("utf-8", "gb18030")
    assert text.encode(encoding) == body  # the text says what the bytes say


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=200))
def test_fuzz_any_clean_utf8_text_round_trips(text):
    assert decode_payload(text.encode("utf-8")) == (text, "utf-8")
