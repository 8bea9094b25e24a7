"""The SAM_V serial protocol of China's second-generation ID card readers, as a pure codec.

A frame is ``AA AA AA 96 69`` (three sync bytes and a two-byte start mark), two length
bytes (big-endian, counting the body and the checksum), the body, and one checksum byte:
the XOR of the length bytes and the body. A command's body is ``CMD PARA [data]``; a
reply's body is ``SW1 SW2 SW3 [data]``, SW3 being the reader's own status.

Nothing here does I/O: bytes in, values out. :class:`FrameParser` is fed bytes as they
arrive, finds the preamble again after line noise, and hands out each frame's body or a
typed error for a frame with a bad checksum or length, so a stream never stalls on one
broken frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from drivers.errors import CodecError

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
#: A length below this cannot hold a body and a checksum (command: CMD PARA CHK).
MIN_LENGTH = 3
#: Longest frame a reader sends: text, photo and fingerprint (2,321 bytes) with room to spare.
MAX_LENGTH = 4096


class Command(NamedTuple):
    code: int
    para: int
    name: str

    @property
    def key(self) -> bytes:
        return bytes((self.code, self.para))


RESET_SAM = Command(0x10, 0xFF, "reset_sam")
SAM_STATUS = Command(0x11, 0xFF, "sam_status")
SAM_ID = Command(0x12, 0xFF, "sam_id")
FIND_CARD = Command(0x20, 0x01, "find_card")
SELECT_CARD = Command(0x20, 0x02, "select_card")
READ_TEXT_PHOTO = Command(0x30, 0x01, "read_text_photo")
READ_ADDRESS = Command(0x30, 0x03, "read_appended_address")
READ_TEXT_PHOTO_FINGERPRINT = Command(0x30, 0x10, "read_text_photo_fingerprint")

COMMANDS: dict[bytes, Command] = {
    c.key: c
    for c in (RESET_SAM, SAM_STATUS, SAM_ID, FIND_CARD, SELECT_CARD, READ_TEXT_PHOTO, READ_ADDRESS,
              READ_TEXT_PHOTO_FINGERPRINT)
}

# -- SW3 ------------------------------------------------------------------------------
SW3_OK = 0x90
SW3_FOUND = 0x9F
SW3_NO_CONTENT = 0x91
SW3_CHECKSUM_ERROR = 0x10
SW3_LENGTH_ERROR = 0x11
SW3_BAD_COMMAND = 0x21
SW3_UNAUTHORISED_OPERATION = 0x23
SW3_UNKNOWN_ERROR = 0x24
SW3_CARD_AUTH_READER_FAILED = 0x31
SW3_READER_AUTH_CARD_FAILED = 0x32
SW3_INFO_VERIFY_ERROR = 0x33
SW3_UNKNOWN_CARD_TYPE = 0x40
SW3_READ_FAILED = 0x41
SW3_RANDOM_FAILED = 0x47
SW3_SAM_SELF_TEST_FAILED = 0x60
SW3_SAM_UNAUTHORISED = 0x66
SW3_FIND_FAILED = 0x80
SW3_SELECT_FAILED = 0x81


class Status(NamedTuple):
    code: str  # stable, for the UI to translate
    zh: str
    en: str


#: SW3 meanings, as the readers' SDK documents (公安部 SAM_V 通信协议) name them.
SW3_TABLE: dict[int, Status] = {
    0x90: Status("ok", "操作成功", "operation succeeded"),
    0x9F: Status("card_found", "找卡成功", "card found"),
    0x91: Status("no_content", "证/卡中此项无内容", "the card holds no such item"),
    0x10: Status("checksum_error", "接收业务终端数据的校验和错", "reader got a frame with a bad checksum"),
    0x11: Status("length_error", "接收业务终端数据的长度错", "reader got a frame with a bad length"),
    0x21: Status("bad_command", "接收业务终端的命令错误，包括命令中的各种数值或逻辑搭配错误",
                 "reader got a bad command (value or combination)"),
    0x23: Status("unauthorised_operation", "越权操作", "operation not permitted"),
    0x24: Status("unknown_error", "无法识别的错误", "unrecognised error"),
    0x31: Status("card_auth_reader_failed", "卡认证机具失败", "card failed to authenticate the reader"),
    0x32: Status("reader_auth_card_failed", "机具认证卡失败", "reader failed to authenticate the card"),
    0x33: Status("info_verify_error", "信息验证错误", "card data failed verification"),
    0x40: Status("unknown_card_type", "无法识别的卡类型", "unrecognised card type"),
    0x41: Status("read_failed", "读卡操作失败", "reading the card failed"),
    0x47: Status("random_failed", "取随机数失败", "getting a random number from the card failed"),
    0x60: Status("sam_self_test_failed", "SAM自检失败，不能接收命令", "SAM self-test failed"),
    0x66: Status("sam_unauthorised", "SAM未经授权，无法使用", "SAM is not authorised"),
    0x80: Status("find_failed", "找卡不成功", "no card found"),
    0x81: Status("select_failed", "选卡不成功", "selecting the card failed"),
}


def describe_sw3(sw3: int) -> Status:
    """The meaning of an SW3 byte; an unknown byte gets a generic entry, never a KeyError."""
    return SW3_TABLE.get(sw3, Status("unknown_status", f"未知状态 {sw3:02X}", f"unknown status {sw3:02X}"))


# -- errors ---------------------------------------------------------------------------
class FrameError(CodecError):
    """A frame that cannot be trusted."""

    code = "frame_error"


class ChecksumError(FrameError):
    code = "frame_checksum"


class LengthError(FrameError):
    code = "frame_length"


# -- encoding -------------------------------------------------------------------------
def checksum(data: bytes) -> int:
    """XOR of every byte (the length bytes and the body).

    Folded as one big integer (halves XORed together) so that checking a 2 KB frame, or
    many candidate frames in noise, costs no Python loop over the bytes.
    """
    value, width = int.from_bytes(data, "little"), len(data)
    while width > 1:
        half = (width + 1) // 2
        value = (value & ((1 << (8 * half)) - 1)) ^ (value >> (8 * half))
        width = half
    return value


def encode_frame(body: bytes) -> bytes:
    """Wrap a body: preamble, length (body + checksum, big-endian), body, checksum."""
    length = len(body) + 1
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise LengthError(f"body of {len(body)} bytes cannot be framed")
    head = length.to_bytes(2, "big")
    return PREAMBLE + head + body + bytes((checksum(head + body),))


def encode_command(cmd: int | Command, param: int | None = None, data: bytes = b"") -> bytes:
    """A command frame: ``encode_command(0x20, 0x01)`` or ``encode_command(FIND_CARD)``."""
    if isinstance(cmd, Command):
        cmd, param = cmd.code, cmd.para
    if param is None:
        raise ValueError("a command needs its parameter byte")
    return encode_frame(bytes((cmd & 0xFF, param & 0xFF)) + data)


def encode_reply(sw3: int, payload: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    """A reply frame, as a reader sends it (used by the emulator and the tests)."""
    return encode_frame(bytes((sw1, sw2, sw3)) + payload)


# -- decoding -------------------------------------------------------------------------
@dataclass(frozen=True)
class Reply:
    sw1: int
    sw2: int
    sw3: int
    payload: bytes = b""

    @property
    def status(self) -> Status:
        return describe_sw3(self.sw3)

    @property
    def ok(self) -> bool:
        return self.sw3 in (SW3_OK, SW3_FOUND)

    def __repr__(self) -> str:  # the payload may be a citizen's card: never print it
        return f"Reply(sw={self.sw1:02X} {self.sw2:02X} {self.sw3:02X}, {len(self.payload)} bytes)"


@dataclass(frozen=True)
class CommandFrame:
    code: int
    para: int
    data: bytes = b""

    @property
    def key(self) -> bytes:
        return bytes((self.code, self.para))


def decode_reply(body: bytes) -> Reply:
    if len(body) < 3:
        raise LengthError(f"reply body of {len(body)} bytes has no SW1 SW2 SW3")
    return Reply(body[0], body[1], body[2], bytes(body[3:]))


def decode_command(body: bytes) -> CommandFrame:
    if len(body) < 2:
        raise LengthError(f"command body of {len(body)} bytes has no CMD PARA")
    return CommandFrame(body[0], body[1], bytes(body[2:]))


class FrameParser:
    """Incremental framing: feed bytes, get frame bodies (or typed errors) out.

    Bytes before a preamble are line noise and dropped. A frame whose length is out of
    range, or whose checksum is wrong, is reported as an error *value* and the parser
    searches again from the byte after that frame's preamble, so one broken frame never
    hides the good frame behind it. The buffer is bounded by ``MAX_LENGTH``.

    Noise may spell a whole preamble and a plausible length; the bogus frame would then
    hold the real one back until the reply timeout. So while a frame is incomplete, a
    later preamble in its pending bytes that starts a *whole, valid* frame shows the
    pending one was noise: it is reported (:class:`LengthError`) and parsing goes on from
    the later preamble at once. A real frame whose body happens to spell a preamble is
    not cut: the frame after that false preamble has to be whole and valid first.
    """

    def __init__(self) -> None:
        self._buf = bytearray()

    def reset(self) -> None:
        self._buf.clear()

    @property
    def pending(self) -> int:
        """Bytes held back waiting for the rest of a frame."""
        return len(self._buf)

    @property
    def in_frame(self) -> bool:
        """A preamble has arrived and the rest of its frame has not (yet)."""
        return self._buf.startswith(PREAMBLE)

    def feed(self, data: bytes) -> list[bytes | FrameError]:
        self._buf += data
        out: list[bytes | FrameError] = []
        while True:
            item = self._next()
            if item is None:
                return out
            out.append(item)

    def _next(self) -> bytes | FrameError | None:
        buf = self._buf
        start = buf.find(PREAMBLE)
        if start < 0:
            # Keep a tail that may be the beginning of a preamble split across reads.
            keep = len(PREAMBLE) - 1
            if len(buf) > keep:
                del buf[: len(buf) - keep]
            return None
        if start:
            del buf[:start]
        header = len(PREAMBLE) + 2
        if len(buf) < header:
            return None
        length = int.from_bytes(buf[len(PREAMBLE):header], "big")
        if not MIN_LENGTH <= length <= MAX_LENGTH:
            del buf[:1]  # give up on this preamble, look for the next one
            return LengthError(f"frame length {length} out of range {MIN_LENGTH}..{MAX_LENGTH}")
        end = header + length
        if len(buf) < end:
            later = self._whole_frame_after(1)
            if later is None:
                return None
            del buf[:later]  # the pending frame was noise: the real one came meanwhile
            return LengthError(f"frame of length {length} cut short by the next frame")
        length_and_body = bytes(buf[len(PREAMBLE):end - 1])
        got, want = buf[end - 1], checksum(length_and_body)
        if got != want:
            del buf[:1]
            return ChecksumError(f"frame checksum {got:02X}, expected {want:02X}")
        del buf[:end]
        return length_and_body[2:]

    def _whole_frame_after(self, offset: int) -> int | None:
        """Where the first whole frame with a good checksum starts, at or after ``offset``."""
        buf = self._buf
        header = len(PREAMBLE) + 2
        at = buf.find(PREAMBLE, offset)
        while at >= 0:
            if at + header <= len(buf):
                length = int.from_bytes(buf[at + len(PREAMBLE):at + header], "big")
                end = at + header + length
                if MIN_LENGTH <= length <= MAX_LENGTH and end <= len(buf) \
                        and checksum(buf[at + len(PREAMBLE):end - 1]) == buf[end - 1]:
                    return at
            at = buf.find(PREAMBLE, at + 1)
        return None


class ReplyParser(FrameParser):
    """A :class:`FrameParser` for the host side: yields :class:`Reply` values."""

    def feed(self, data: bytes) -> list[Reply | FrameError]:  # type: ignore[override]
        out: list[Reply | FrameError] = []
        for item in super().feed(data):
            if isinstance(item, FrameError):
                out.append(item)
            else:
                try:
                    out.append(decode_reply(item))
                except FrameError as err:
                    out.append(err)
        return out


def format_sam_id(payload: bytes) -> str:
    """The SAM id as readers print it: ``05.01-20101010-0000001234-0123456789``.

    The 16 data bytes are two little-endian 16-bit fields and three little-endian
    32-bit fields.
    """
    if len(payload) < 16:
        raise LengthError(f"SAM id of {len(payload)} bytes, expected 16")
    a = int.from_bytes(payload[0:2], "little")
    b = int.from_bytes(payload[2:4], "little")
    c = int.from_bytes(payload[4:8], "little")
    d = int.from_bytes(payload[8:12], "little")
    e = int.from_bytes(payload[12:16], "little")
    return f"{a:02d}.{b:02d}-{c:08d}-{d:010d}-{e:010d}"


def encode_sam_id(text: str) -> bytes:
    """The inverse of :func:`format_sam_id` (for the emulator)."""
    try:
        ab, c, d, e = text.split("-")
        a, b = ab.split(".")
        return (int(a).to_bytes(2, "little") + int(b).to_bytes(2, "little") + int(c).to_bytes(4, "little")
                + int(d).to_bytes(4, "little") + int(e).to_bytes(4, "little"))
    except (ValueError, OverflowError) as err:
        raise CodecError(f"not a SAM id: {text!r}") from err
