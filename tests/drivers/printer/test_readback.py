"""Reading ESC/POS back into paper: commands are cut at their true lengths (a stream cut
mid-command waits for more), Chinese mode switches the decoding, styles follow the lines,
QR payloads and cuts are found, and any byte string gives a printout or a CodecError."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from drivers.errors import CodecError
from drivers.printer.readback import next_token, read_back, tokens


@pytest.mark.parametrize("data, kind, name, size", [
    (b"\x1b@", "cmd", "ESC @", 2),
    (b"\x1ba\x01rest", "cmd", "ESC a", 3),
    (b"\x1d!\x11", "cmd", "GS !", 3),
    (b"\x1c&", "cmd", "FS &", 2),
    (b"\x1c.", "cmd", "FS .", 2),
    (b"\x1dV\x00", "cut", "GS V", 3),
    (b"\x1dVB\x00", "cut", "GS V", 4),  # feed and cut: one more byte
    (b"\x10\x04\x04", "status", "DLE EOT", 3),
    (b"\x1d(k\x03\x001Q0", "2d", "GS ( k", 8),
    (b"abc\x0a", "text", "", 3),
    (b"\x0a", "ctl", "LF", 1),
])
def test_tokens_have_their_true_length(data, kind, name, size):
    token, end = next_token(data)
    assert (token.kind, token.name, end) == (kind, name, size)


@pytest.mark.parametrize("partial", [b"\x1b", b"\x1ba", b"\x1dV", b"\x1dVB", b"\x10\x04",
                                     b"\x1d(k\x03\x001Q", b"\x1d(k\x03"])
def test_a_command_cut_short_waits_for_more(partial):
    assert next_token(partial) is None
    with pytest.raises(CodecError):
        tokens(partial)


@pytest.mark.parametrize("data", [b"\x1bZ", b"\x10\x05\x01", b"\x10\x04\x09", b"\x01", b"\x1dV\x07"])
def test_unknown_commands_are_codec_errors(data):
    with pytest.raises(CodecError):
        next_token(data)


def test_chinese_mode_and_styles_follow_the_lines():
    data = (b"\x1b@\x1ba\x01\x1bE\x01\x1d!\x11\x1c&" + "回执".encode("gb18030") + b"\x1c.\n"
            + b"\x1ba\x00\x1bE\x00\x1d!\x00\xb0\xb1\n"  # outside Chinese mode: code page 437
            + b"\x1c&" + "𠮷".encode("gb18030") + b"\x1c.\n")
    lines = read_back(data).lines
    assert [(ln.text, ln.align, ln.bold, ln.width) for ln in lines] == [
        ("回执", "center", True, 2), ("░▒", "left", False, 1), ("𠮷", "left", False, 1)]


def test_qr_payload_cut_and_status_queries():
    data = (b"\x10\x04\x01" + b"\x1d(k\x04\x001A2\x00" + b"\x1d(k\x07\x001P0abcd"
            + b"\x1d(k\x03\x001Q0\n\x1bd\x02\x1dV\x00")
    out = read_back(data)
    assert out.qr_codes == ["abcd"] and out.cuts == 1 and out.status_queries == [1]
    assert [ln.text for ln in out.lines] == ["", "", ""]


def test_gbk_qr_payload_is_read_as_such():
    payload = "受理".encode("gb18030")
    n = len(payload) + 3
    out = read_back(b"\x1d(k" + bytes([n, 0]) + b"1P0" + payload + b"\x1d(k\x03\x001Q0")
    assert out.qr_codes == ["受理"]


@settings(max_examples=500, deadline=None)
@given(hs.binary(max_size=64))
def test_fuzz_any_bytes_give_a_printout_or_a_codec_error(data):
    try:
        out = read_back(data)
    except CodecError:
        return
    assert out.cuts >= 0 and isinstance(out.text, str)


@settings(max_examples=300, deadline=None)
@given(hs.lists(hs.sampled_from([b"\x1b@", b"\x1ba\x01", b"\x1c&", b"\xd6\xd0", b"\x1c.", b"ab",
                                 b"\n", b"\x1dV\x00", b"\x10\x04\x02", b"\x1d(k\x04\x001P0z"]),
                max_size=20))
def test_fuzz_valid_streams_tokenize_without_losing_a_byte(parts):
    data = b"".join(parts)
    whole = tokens(data)
    assert b"".join(t.raw for t in whole) == data
