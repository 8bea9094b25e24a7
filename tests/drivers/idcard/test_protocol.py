"""The SAM_V frame codec: exact command and reply bytes from the protocol facts, framing
that resynchronises after noise and reports bad checksums and lengths as typed errors,
the SW3 table, and fuzzes proving any byte stream gives frames or typed errors and that a
good frame still comes out after any noise — even noise spelling a whole preamble and a
plausible length — without a reset in between."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import CodecError
from drivers.idcard import protocol as p

H = bytes.fromhex


@pytest.mark.parametrize(
    ("command", "frame"),
    [
        (p.RESET_SAM, "AAAAAA9669 0003 10FF EC"),
        (p.SAM_STATUS, "AAAAAA9669 0003 11FF ED"),
        (p.SAM_ID, "AAAAAA9669 0003 12FF EE"),
        (p.FIND_CARD, "AAAAAA9669 0003 2001 22"),
        (p.SELECT_CARD, "AAAAAA9669 0003 2002 21"),
        (p.READ_TEXT_PHOTO, "AAAAAA9669 0003 3001 32"),
        (p.READ_ADDRESS, "AAAAAA9669 0003 3003 30"),
        (p.READ_TEXT_PHOTO_FINGERPRINT, "AAAAAA9669 0003 3010 23"),
    ],
)
def test_command_frames(command: p.Command, frame: str) -> None:
    assert p.encode_command(command) == H(frame)
    assert p.encode_command(command.code, command.para) == H(frame)
    parsed = p.FrameParser().feed(H(frame))
    assert [p.decode_command(b).key for b in parsed] == [command.key]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("frame", "sw3", "payload"),
    [
        ("AAAAAA9669 0004 000090 94", 0x90, b""),
        ("AAAAAA9669 0008 00009F 00000000 97", 0x9F, bytes(4)),
        ("AAAAAA9669 0004 000080 84", 0x80, b""),
        ("AAAAAA9669 000C 000090 0000000000000000 9C", 0x90, bytes(8)),
        ("AAAAAA9669 0004 000081 85", 0x81, b""),
        ("AAAAAA9669 0004 000041 45", 0x41, b""),
        ("AAAAAA9669 0004 000060 64", 0x60, b""),
        ("AAAAAA9669 0004 000010 14", 0x10, b""),
    ],
)
def test_reply_frames(frame: str, sw3: int, payload: bytes) -> None:
    assert p.encode_reply(sw3, payload) == H(frame)
    (reply,) = p.ReplyParser().feed(H(frame))
    assert reply == p.Reply(0, 0, sw3, payload)


def test_read_reply_is_1295_bytes_with_lengths_in_front() -> None:
    payload = (256).to_bytes(2, "big") + (1024).to_bytes(2, "big") + bytes(1280)
    frame = p.encode_reply(p.SW3_OK, payload)
    assert len(frame) == 1295
    assert frame[5:7] == H("0508") and frame[7:14] == H("000090 0100 0400")
    payload_fp = payload[:4] + (1024).to_bytes(2, "big") + bytes(2304)
    assert len(p.encode_reply(p.SW3_OK, payload_fp)) == 2321


def test_checksum_is_xor_of_length_and_body() -> None:
    frame = p.encode_reply(0x90, b"\x01\x02\x03", sw1=0x12, sw2=0x34)
    assert frame[-1] == 0x00 ^ 0x07 ^ 0x12 ^ 0x34 ^ 0x90 ^ 0x01 ^ 0x02 ^ 0x03


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_checksum_is_the_xor_of_every_byte(data: bytes) -> None:
    value = 0
    for byte in data:
        value ^= byte
    assert p.checksum(data) == value


def test_frame_split_at_every_byte_still_parses() -> None:
    frame = p.encode_reply(p.SW3_FOUND, bytes(4))
    for cut in range(len(frame) + 1):
        parser = p.ReplyParser()
        out = parser.feed(frame[:cut]) + parser.feed(frame[cut:])
        assert out == [p.Reply(0, 0, 0x9F, bytes(4))]
        assert parser.pending == 0


@pytest.mark.parametrize(
    "noise",
    [b"\x00\xff\x13", b"\xaa\xaa", b"\xaa\xaa\xaa\x96", b"\xaa\xaa\xaa\x96\x69\xff\xff", bytes(range(256))],
)
def test_resync_after_noise(noise: bytes) -> None:
    good = p.encode_reply(p.SW3_OK)
    out = p.ReplyParser().feed(noise + good)
    assert out[-1] == p.Reply(0, 0, 0x90)
    assert all(isinstance(x, p.FrameError) for x in out[:-1])


@pytest.mark.parametrize(
    ("damage", "error"),
    [
        (lambda f: f[:-1] + bytes((f[-1] ^ 0x01,)), p.ChecksumError),
        (lambda f: f[:7] + bytes((f[7] ^ 0x40,)) + f[8:], p.ChecksumError),
        (lambda f: f[:5] + b"\xff\xff" + f[7:], p.LengthError),
        (lambda f: f[:5] + b"\x00\x02" + f[7:], p.LengthError),
        (lambda f: f[:5] + b"\x00\x00" + f[7:], p.LengthError),
    ],
)
def test_broken_frame_is_reported_and_the_next_one_still_parses(damage, error) -> None:
    bad = damage(p.encode_reply(p.SW3_FOUND, bytes(4)))
    good = p.encode_reply(p.SW3_OK, b"\x01")
    out = p.ReplyParser().feed(bad + good)
    assert isinstance(out[0], error) and isinstance(out[0], CodecError)
    assert out[-1] == p.Reply(0, 0, 0x90, b"\x01")


def test_short_reply_body_is_a_length_error() -> None:
    # length 3: two body bytes and the checksum: framed fine, but no SW3
    frame = p.PREAMBLE + b"\x00\x03\x00\x00" + bytes((0x03,))
    (item,) = p.ReplyParser().feed(frame)
    assert isinstance(item, p.LengthError)


def test_incomplete_frame_is_held_and_in_frame() -> None:
    parser = p.ReplyParser()
    assert parser.feed(p.encode_reply(p.SW3_OK, bytes(10))[:9]) == []
    assert parser.in_frame and parser.pending == 9
    parser.reset()
    assert not parser.in_frame and parser.pending == 0


def test_noise_does_not_grow_the_buffer() -> None:
    parser = p.FrameParser()
    for _ in range(100):
        parser.feed(b"\x01\x02\x03" * 1000)
    assert parser.pending < len(p.PREAMBLE)


def test_body_too_long_cannot_be_framed() -> None:
    with pytest.raises(p.LengthError):
        p.encode_frame(bytes(p.MAX_LENGTH))


@pytest.mark.parametrize(
    ("sw3", "code", "zh"),
    [
        (0x90, "ok", "操作成功"), (0x9F, "card_found", "找卡成功"), (0x91, "no_content", "证/卡中此项无内容"),
        (0x10, "checksum_error", "接收业务终端数据的校验和错"), (0x11, "length_error", "接收业务终端数据的长度错"),
        (0x21, "bad_command", None), (0x23, "unauthorised_operation", "越权操作"),
        (0x24, "unknown_error", "无法识别的错误"), (0x31, "card_auth_reader_failed", "卡认证机具失败"),
        (0x32, "reader_auth_card_failed", "机具认证卡失败"), (0x33, "info_verify_error", "信息验证错误"),
        (0x40, "unknown_card_type", "无法识别的卡类型"), (0x41, "read_failed", "读卡操作失败"),
        (0x47, "random_failed", "取随机数失败"), (0x60, "sam_self_test_failed", None),
        (0x66, "sam_unauthorised", None), (0x80, "find_failed", "找卡不成功"), (0x81, "select_failed", "选卡不成功"),
    ],
)
def test_sw3_table(sw3: int, code: str, zh: str | None) -> None:
    status = p.describe_sw3(sw3)
    assert status.code == code and status.en
    if zh:
        assert status.zh == zh


def test_unknown_sw3_is_described_not_raised() -> None:
    assert p.describe_sw3(0x5A).code == "unknown_status"
    assert "5A" in p.describe_sw3(0x5A).en


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("05.01-20101010-0000001234-0123456789", "0500 0100 92b73201 d2040000 15cd5b07"),
        ("00.00-00000000-0000000000-0000000000", "00" * 16),
    ],
)
def test_sam_id_format(text: str, raw: str) -> None:
    assert p.format_sam_id(H(raw)) == text
    assert p.encode_sam_id(text) == H(raw)


def test_sam_id_too_short() -> None:
    with pytest.raises(p.LengthError):
        p.format_sam_id(bytes(15))
    with pytest.raises(CodecError):
        p.encode_sam_id("nonsense")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=20))
def test_fuzz_any_stream_gives_replies_or_typed_errors(chunks: list[bytes]) -> None:
    parser = p.ReplyParser()
    for chunk in chunks:
        for item in parser.feed(chunk):
            assert isinstance(item, (p.Reply, p.FrameError))
        assert parser.pending <= p.MAX_LENGTH + 7


#: Line noise as it hurts most: random bytes mixed with preambles, preamble fragments and
#: preambles with any length after them (which a parser may take for the start of a frame).
noise_pieces = st.one_of(
    st.binary(max_size=24),
    st.just(p.PREAMBLE),
    st.sampled_from([b"\xaa", b"\xaa\xaa", b"\xaa\xaa\xaa", b"\xaa\xaa\xaa\x96"]),
    st.integers(0, 0xFFFF).map(lambda n: p.PREAMBLE + n.to_bytes(2, "big")),
    st.integers(0, 0xFF).map(lambda n: p.PREAMBLE + bytes((n,))),
)
line_noise = st.lists(noise_pieces, max_size=8).map(b"".join)


@settings(max_examples=400, deadline=None)
@given(line_noise, st.integers(0, 255), st.binary(max_size=300), st.integers(0, 10_000))
def test_fuzz_a_good_frame_survives_any_noise_before_it(noise: bytes, sw3: int, payload: bytes,
                                                        cut: int) -> None:
    good = p.Reply(0, 0, sw3, payload)
    stream = noise + p.encode_reply(sw3, payload)
    cut %= len(stream) + 1
    parser = p.ReplyParser()  # no reset: the noise is still in the parser when the frame comes
    out = parser.feed(stream[:cut]) + parser.feed(stream[cut:])
    replies = [x for x in out if isinstance(x, p.Reply)]
    # The frame comes out, unless noise that itself forms a valid frame took some of its bytes.
    assert good in replies or any(r != good for r in replies), out
    assert all(isinstance(x, (p.Reply, p.FrameError)) for x in out)


@pytest.mark.parametrize(
    "noise",
    [
        p.PREAMBLE + b"\x0f\xff",                      # a plausible length: 4095 bytes to come
        p.PREAMBLE + b"\x05\x08" + bytes(40),          # the length of a read reply, and some of it
        b"\x00\x13" + p.PREAMBLE + b"\x00\x06\xaa",  # the bogus frame would end inside the real one
        p.PREAMBLE + b"\x00",                          # one length byte: the next is the real preamble
        p.PREAMBLE + b"\x0f\xff" + p.PREAMBLE + b"\x01\x00",  # two bogus frames
    ],
)
def test_a_bogus_preamble_in_noise_does_not_hold_the_next_frame(noise: bytes) -> None:
    parser = p.ReplyParser()
    out = parser.feed(noise + p.encode_reply(p.SW3_OK, b"\x01\x02"))
    assert out[-1] == p.Reply(0, 0, p.SW3_OK, b"\x01\x02")
    assert all(isinstance(x, p.FrameError) for x in out[:-1])
    assert parser.pending == 0


def test_a_frame_holding_a_preamble_in_its_body_still_parses_when_split() -> None:
    payload = bytes(20) + p.PREAMBLE + b"\x00\x04" + bytes(30)  # e.g. photo bytes that spell one
    frame = p.encode_reply(p.SW3_OK, payload)
    for cut in range(len(frame) + 1):
        parser = p.ReplyParser()
        out = parser.feed(frame[:cut]) + parser.feed(frame[cut:])
        assert out == [p.Reply(0, 0, p.SW3_OK, payload)], cut
