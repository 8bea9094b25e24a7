"""The serial scanner's line framer cuts any sequence of reads into codes whatever the
suffix (CR, LF, CRLF — a CRLF split across reads is one terminator), drops empty lines
and NULs, discards over-long lines up to their terminator, and gives the same lines
however the bytes are cut. AIM identifiers are read when present. Fuzzed: any bytes,
any cutting, no crash, bounded memory."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.scanner.framing import LineFramer, split_aim

RECEIPT = b"ZZ-EQ-0001-20261122-000042"
GBK = "受理编号".encode("gbk")

# (reads, lines) — every read is a separate feed()
TABLE = [
    ([RECEIPT + b"\r\n"], [RECEIPT]),
    ([RECEIPT + b"\r"], [RECEIPT]),
    ([RECEIPT + b"\n"], [RECEIPT]),
    ([RECEIPT + b"\r", b"\n"], [RECEIPT]),  # CRLF split across two reads
    ([RECEIPT + b"\r", b"\nNEXT\r\n"], [RECEIPT, b"NEXT"]),
    ([b"ZZ-EQ", b"-0001", b"-20261122-000042\r\n"], [RECEIPT]),
    ([b"A\r\nB\rC\nD\r\n"], [b"A", b"B", b"C", b"D"]),  # suffixes mixed
    ([b"A\n\rB\r\n"], [b"A", b"B"]),  # LF CR is two terminators: an empty line between
    ([b"\r\n\r\n\n\r"], []),  # empty lines carry no code
    ([b"\x00\x00A\x00B\r\n"], [b"AB"]),  # NULs from a break are dropped
    ([GBK + b"\r\n"], [GBK]),
    ([b"partial"], []),  # no terminator yet
    ([b"A\r", b"\r", b"\nB\n"], [b"A", b"B"]),
]


@pytest.mark.parametrize("reads, lines", TABLE)
def test_framer_table(reads, lines):
    framer = LineFramer()
    got = []
    for data in reads:
        got += framer.feed(data)
    assert got == lines


def test_overlong_line_is_discarded_up_to_its_terminator():
    framer = LineFramer(max_line=8)
    assert framer.feed(b"12345678\r\n") == [b"12345678"]  # exactly the limit is fine
    assert framer.feed(b"123456789") == []
    assert framer.pending == 0 and framer.overlong == 1
    assert framer.feed(b"more garbage without end" * 10) == []
    assert framer.pending == 0
    assert framer.feed(b"\r\nOK\r\n") == [b"OK"]
    assert framer.overlong == 1


def test_reset_forgets_a_partial_line():
    framer = LineFramer()
    framer.feed(b"half a co")
    framer.reset()
    assert framer.feed(b"de\r\n") == [b"de"]
    with pytest.raises(ValueError):
        LineFramer(0)


AIM = [
    (b"]Q1" + RECEIPT, "QRCode", RECEIPT),
    (b"]d2abc", "DataMatrix", b"abc"),
    (b"]C0123", "Code128", b"123"),
    (b"]X9abc", "AIM:X", b"abc"),
    (RECEIPT, None, RECEIPT),
    (b"]Q", None, b"]Q"),
    (b"Q1abc", None, b"Q1abc"),
]


@pytest.mark.parametrize("line, fmt, payload", AIM)
def test_split_aim(line, fmt, payload):
    assert split_aim(line) == (fmt, payload)


def _split(data, cuts):
    edges = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    return [data[a:b] for a, b in zip(edges, edges[1:])]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.lists(st.integers(0, 600), max_size=20))
def test_fuzz_any_cutting_gives_the_same_lines(data, cuts):
    whole = LineFramer(max_line=64)
    expected = whole.feed(data)
    pieces = LineFramer(max_line=64)
    got = []
    for piece in _split(data, cuts):
        got += pieces.feed(piece)
    assert got == expected
    assert all(line and len(line) <= 64 and not set(line) & {0, 10, 13} for line in got)
    assert pieces.pending <= 64


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=40).filter(lambda b: not set(b) & {0, 10, 13}),
                max_size=10),
       st.sampled_from([b"\r", b"\n", b"\r\n"]))
def test_fuzz_codes_with_any_suffix_come_back(codes, suffix):
    framer = LineFramer()
    assert framer.feed(b"".join(code + suffix for code in codes)) == codes
