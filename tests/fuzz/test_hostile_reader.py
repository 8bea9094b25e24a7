"""The ID card driver against a hostile reader on a pty: a card or a typed error, in time.

A real ``IdCardReader`` opens a pty (as it opens /dev/kiosk/idcard) whose other end answers
each command with what hypothesis draws for that command: the right reply, another status,
a reply with noise before it, a frame cut short or spoilt, bytes of garbage, or nothing; a
read answers with a real card's payload with a few bytes spoilt. ``read_once`` must give an
:class:`IdCard` or raise a :class:`~drivers.errors.DriverError` (never a bare ValueError or
IndexError), and return within its timeout (give or take a busy machine).
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.emulator import SerialEmulator
from drivers.errors import DriverError
from drivers.idcard import protocol as p
from drivers.idcard.card import IdCard, encode_read_payload
from drivers.idcard.emulator import DEFAULT_SAM_ID
from drivers.idcard.reader import IdCardReader
from drivers.idcard.samples import SAMPLES
from tests.fuzz.bounded import typed_only

TIMEOUTS = {"sam": 0.2, "find": 0.2, "select": 0.2, "read": 0.4}
READ_ONCE_S = 0.8


class HostileReader(SerialEmulator):
    """Answers each command frame with the next of the replies drawn for that command."""

    name = "hostile-idcard"

    def __init__(self, answers: dict[bytes, list[bytes]]) -> None:
        super().__init__()
        self.answers = answers
        self.turn: dict[bytes, int] = {}
        self._parser = p.FrameParser()

    def on_bytes(self, data: bytes) -> None:
        for item in self._parser.feed(data):
            if isinstance(item, bytes) and len(item) >= 2:
                key = item[:2]
                options = self.answers.get(key) or [b""]
                turn = self.turn.get(key, 0)
                self.turn[key] = turn + 1
                answer = options[turn % len(options)]
                if answer:
                    self.reply(answer)


def _right(command: p.Command, card: IdCard) -> bytes:
    if command == p.SAM_ID:
        return p.encode_reply(p.SW3_OK, p.encode_sam_id(DEFAULT_SAM_ID))
    if command == p.FIND_CARD:
        return p.encode_reply(p.SW3_FOUND, bytes(4))
    if command == p.READ_TEXT_PHOTO:
        return p.encode_reply(p.SW3_OK, encode_read_payload(card))
    return p.encode_reply(p.SW3_OK, bytes(8) if command == p.SELECT_CARD else b"")


@st.composite
def answer(draw, command: p.Command, card: IdCard) -> bytes:
    right = _right(command, card)
    # right half the time, so that many conversations get as far as the card's payload; the
    # card's payload itself mostly spoilt
    wrong = ["status", "noise", "cut", "spoilt", "spoilt", "garbage", "silent"]
    kind = draw(st.sampled_from(wrong + (["spoilt"] * 5 + ["right"] if command == p.READ_TEXT_PHOTO
                                         else ["right"] * 9)))
    if kind == "right":
        return right
    if kind == "status":
        return p.encode_reply(draw(st.sampled_from(sorted(p.SW3_TABLE) + [0x00, 0xFF])),
                              draw(st.binary(max_size=40)))
    if kind == "noise":
        return draw(st.binary(min_size=1, max_size=40)) + right
    if kind == "cut":
        return right[:draw(st.integers(0, len(right) - 1))]
    if kind == "spoilt":  # bytes changed among the status, the lengths and the card's text
        body = bytearray(right[len(p.PREAMBLE) + 2:-1])
        for _ in range(draw(st.integers(1, 4))):
            body[draw(st.integers(0, min(len(body), 3 + 4 + 256) - 1))] = draw(st.integers(0, 255))
        frame = p.encode_frame(bytes(body))  # a good frame: only the codec can tell
        return frame if draw(st.booleans()) else frame[:-1] + bytes([frame[-1] ^ 0x5A])
    if kind == "garbage":
        return draw(st.binary(min_size=1, max_size=80))
    return b""


@st.composite
def hostile(draw) -> dict[bytes, list[bytes]]:
    card = SAMPLES[draw(st.sampled_from(sorted(SAMPLES)))]
    commands = (p.SAM_STATUS, p.SAM_ID, p.FIND_CARD, p.SELECT_CARD, p.READ_TEXT_PHOTO)
    return {c.key: draw(st.lists(answer(c, card), min_size=1, max_size=3)) for c in commands}


@pytest.mark.slow
@pytest.mark.timeout(600)  # a busy machine is slow; the checks do not depend on it
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile())
def test_read_once_against_a_hostile_reader_gives_a_card_or_a_typed_error(answers) -> None:
    with HostileReader(answers) as device:
        reader = IdCardReader(device.path, timeouts=TIMEOUTS, retries=1)
        started = time.monotonic()
        got = typed_only(lambda: reader.read_once(timeout=READ_ONCE_S), DriverError)
        took = time.monotonic() - started
    assert isinstance(got, (IdCard, DriverError))
    # bounded by its own timeout, not by the garbage: the margin is for a busy machine
    assert took < READ_ONCE_S + 10, "read_once overran its timeout"
