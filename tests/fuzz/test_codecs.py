"""Every byte-level entry point of the device codecs, fed anything: a value or its typed error.

Beside the fuzz tests next to each module (tests/drivers/*/test_*.py), which check the happy
round trips under noise, these call every public decoding function with arbitrary bytes (or
text, or offsets), each call under :func:`typed_only`'s time limit, and allow only the
module's own errors: :class:`~drivers.errors.CodecError` and its subclasses. A bare
``ValueError``, ``IndexError``, ``UnicodeError``, ``KeyError`` or ``struct.error`` fails, and
so does a call that never returns. Streams are fed in arbitrary pieces, and the parsers'
buffers must stay bounded whatever comes.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.errors import CodecError
from drivers.idcard import card as idcard
from drivers.idcard import protocol as p
from drivers.idcard.samples import SAMPLES
from drivers.printer import readback, status
from drivers.printer.errors import StatusError
from drivers.scanner import evcodec, framing, text
from drivers.scanner.serial_scanner import SerialScanner
from drivers.scanner.wedge import WedgeScanner
from tests.fuzz.bounded import typed_only

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BYTES = st.binary(max_size=600)
CHUNKS = st.lists(st.binary(max_size=300), max_size=12)


def _spoil(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for at, value in edits:
        if out:
            out[at % len(out)] = value
    return bytes(out)


# -- the ID card codec ----------------------------------------------------------------------
@FUZZ
@given(BYTES)
def test_idcard_bodies_and_fields(data: bytes) -> None:
    for call in (lambda: p.decode_reply(data), lambda: p.decode_command(data), lambda: p.format_sam_id(data),
                 lambda: idcard.decode_appended_address(data), lambda: idcard.card_type_of(data),
                 lambda: idcard.decode_text(data.ljust(256, b"\x00")),
                 lambda: idcard.split_read_payload(data), lambda: idcard.split_read_payload(data, True)):
        typed_only(call, CodecError)


@FUZZ
@given(st.text(max_size=80))
def test_idcard_sam_id_text(value: str) -> None:
    raw = typed_only(lambda: p.encode_sam_id(value), CodecError)
    if isinstance(raw, bytes):
        assert len(raw) == 16


@FUZZ
@given(st.sampled_from(sorted(SAMPLES)), st.booleans(),
       st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)), min_size=1, max_size=6))
def test_idcard_read_payload_with_spoilt_bytes(key: str, fingerprint: bool, edits) -> None:
    """A real card's payload with a few bytes changed (lengths, text, marks): a card or a CodecError."""
    payload = _spoil(idcard.encode_read_payload(SAMPLES[key], fingerprint), edits)
    got = typed_only(lambda: idcard.decode_read_payload(payload, fingerprint), CodecError)
    assert isinstance(got, (idcard.IdCard, CodecError))


@FUZZ
@given(CHUNKS)
def test_idcard_reply_stream_stays_bounded(chunks: list[bytes]) -> None:
    parser = p.ReplyParser()
    for chunk in chunks:
        items = typed_only(lambda: parser.feed(chunk))
        assert all(isinstance(item, (p.Reply, p.FrameError)) for item in items)
        assert parser.pending <= len(p.PREAMBLE) + 2 + p.MAX_LENGTH


# -- the scanner ----------------------------------------------------------------------------
@FUZZ
@given(BYTES, st.integers(1, 4000))
def test_scanner_text(data: bytes, max_bytes: int) -> None:
    got = typed_only(lambda: text.decode_payload(data, max_bytes=max_bytes), text.ScanTextError)
    if isinstance(got, tuple):
        assert got[1] in ("utf-8", "gb18030") and got[0]


@FUZZ
@given(CHUNKS, st.integers(1, 200))
def test_scanner_lines_and_aim(chunks: list[bytes], max_line: int) -> None:
    framer = framing.LineFramer(max_line=max_line)
    for chunk in chunks:
        for line in typed_only(lambda: framer.feed(chunk)):
            assert 0 < len(line) <= max_line and not set(line) & {0, 10, 13}
            fmt, payload = typed_only(lambda: framing.split_aim(line))
            assert fmt is None or payload == line[3:]
            typed_only(lambda: text.decode_payload(payload), text.ScanTextError)
        assert framer.pending <= max_line


@FUZZ
@given(CHUNKS, st.integers(1, 100))
def test_scanner_key_events(chunks: list[bytes], max_chars: int) -> None:
    events, keys = evcodec.EventDecoder(), evcodec.KeyboardDecoder(max_chars=max_chars)
    for chunk in chunks:
        typed_only(lambda: evcodec.decode_events(chunk), CodecError)
        decoded = typed_only(lambda: events.feed(chunk))
        for code in typed_only(lambda: keys.feed(decoded)):
            assert 0 < len(code) <= max_chars


# -- the printer's answers and its read-back -----------------------------------------------
@FUZZ
@given(st.dictionaries(st.integers(-1, 6), st.one_of(st.none(), st.binary(max_size=4)), max_size=6))
def test_printer_status_replies(replies: dict) -> None:
    got = typed_only(lambda: status.combine(replies), StatusError)
    if isinstance(got, status.PrinterStatus):
        state, reason = typed_only(lambda: status.classify(got))
        assert isinstance(reason, str)
    for n in status.QUERIES:
        for parse in (status.parse_printer_status, status.parse_offline_cause, status.parse_error_cause,
                      status.parse_paper_sensor):
            typed_only(lambda: parse(replies.get(n) or b""), StatusError)


@FUZZ
@given(st.binary(max_size=2000), st.integers(0, 2100))
def test_printer_read_back(data: bytes, pos: int) -> None:
    typed_only(lambda: readback.read_back(data), CodecError)
    step = typed_only(lambda: readback.next_token(data, pos), CodecError)
    if isinstance(step, tuple):
        token, end = step
        assert pos < end <= len(data) and data[pos:end] == token.raw


@FUZZ
@given(CHUNKS, st.booleans())
def test_scanner_drivers_take_any_bytes(chunks: list[bytes], aim_ids: bool) -> None:
    """What the serial scanner and the wedge read goes through ``feed``: it never raises; every
    code handed on is text, and every line refused is counted."""
    codes: list = []
    serial_scanner = SerialScanner("/nonexistent", codes.append, aim_ids=aim_ids, debounce=0)
    wedge = WedgeScanner("/nonexistent", codes.append, debounce=0)
    for chunk in chunks:
        typed_only(lambda: serial_scanner.feed(chunk))
        typed_only(lambda: wedge.feed(chunk))
    assert all(isinstance(code.text, str) and code.text for code in codes)
