"""The keyboard-wedge codec: 24-byte ``struct input_event`` records (64-bit Linux
layout: timeval, u16 type, u16 code, s32 value) → key events → codes, typed on a US
layout with Shift and Caps Lock, Enter ending a code. Records cut across reads are
rebuilt; SYN_DROPPED spoils the code being typed; over-long codes are dropped. Fuzzed:
any bytes and any events give codes or nothing, never a crash."""

import struct

import pytest
from evdev import ecodes as ec
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import CodecError
from drivers.scanner.evcodec import (
    EVENT_SIZE,
    PRESS,
    RELEASE,
    REPEAT,
    EventDecoder,
    InputEvent,
    KeyboardDecoder,
    decode_events,
    key_event,
    type_text,
)

RECEIPT = "ZZ-EQ-0001-20261122-000042"


def test_record_layout_is_the_kernels():
    assert EVENT_SIZE == 24 == struct.calcsize("llHHi")
    record = struct.pack("=qqHHi", 1763800200, 123456, ec.EV_KEY, ec.KEY_A, 1)
    assert decode_events(record) == [InputEvent(1763800200, 123456, ec.EV_KEY, ec.KEY_A, 1)]
    assert InputEvent(1, 2, 3, 4, -5).pack() == struct.pack("=qqHHi", 1, 2, 3, 4, -5)


def test_partial_records_are_rebuilt_across_reads():
    data = type_text("AB")
    decoder = EventDecoder()
    events = decoder.feed(data[:30]) + decoder.feed(data[30:47]) + decoder.feed(data[47:])
    assert events == decode_events(data)
    with pytest.raises(CodecError):
        decode_events(data[:-1])


def keys(*pairs):
    """Key events from (key name, value) pairs, e.g. ("A", 1)."""
    return [key_event(getattr(ec, f"KEY_{name}"), value) for name, value in pairs]


def tap(name, shift=False):
    pressed = [("LEFTSHIFT", PRESS)] if shift else []
    released = [("LEFTSHIFT", RELEASE)] if shift else []
    return keys(*pressed, (name, PRESS), (name, RELEASE), *released)


# (events, codes)
TABLE = [
    (tap("A") + tap("ENTER"), ["a"]),
    (tap("A", shift=True) + tap("ENTER"), ["A"]),
    (tap("1", shift=True) + tap("2", shift=True) + tap("MINUS", shift=True) + tap("ENTER"),
     ["!@_"]),
    (keys(("RIGHTSHIFT", PRESS), ("Z", PRESS), ("Z", RELEASE), ("RIGHTSHIFT", RELEASE),
          ("Z", PRESS), ("KPENTER", PRESS)), ["Zz"]),
    # Caps Lock inverts letters only; Shift inverts them back
    (tap("CAPSLOCK") + tap("A") + tap("A", shift=True) + tap("1") + tap("ENTER"), ["Aa1"]),
    # keypad digits, as scanners send with NumLock on
    (tap("KP4") + tap("KP2") + tap("KPDOT") + tap("ENTER"), ["42."]),
    # auto-repeat types again; a release types nothing
    (keys(("B", PRESS), ("B", REPEAT), ("B", RELEASE), ("ENTER", PRESS)), ["bb"]),
    # keys off the layout are ignored; Enter with nothing typed is no code
    (tap("F1") + tap("LEFTCTRL") + tap("ENTER") + tap("X") + tap("ENTER"), ["x"]),
    (tap("A") + tap("TAB") + tap("B") + tap("ENTER"), ["a\tb"]),
    (tap("A") + tap("ENTER") + tap("B") + tap("ENTER"), ["a", "b"]),
    (tap("A"), []),  # no Enter yet
    # SYN_DROPPED spoils the code being typed; the next one is whole
    (tap("A") + [InputEvent(0, 0, ec.EV_SYN, ec.SYN_DROPPED, 0)] + tap("B") + tap("ENTER")
     + tap("C") + tap("ENTER"), ["c"]),
    # other event types (MSC_SCAN, LED) are ignored
    ([InputEvent(0, 0, ec.EV_MSC, ec.MSC_SCAN, 0x70004)] + tap("A")
     + [InputEvent(0, 0, ec.EV_LED, 0, 1)] + tap("ENTER"), ["a"]),
]


@pytest.mark.parametrize("events, codes", TABLE)
def test_keyboard_table(events, codes):
    assert KeyboardDecoder().feed(events) == codes


@pytest.mark.parametrize("text", [
    RECEIPT,
    "https://zwfw.example.gov.cn/q?no=ZZ-EQ-0001&t=1",
    "`~!@#$%^&*()_+-=[]{}\\|;:'\",<.>/? azAZ09",
])
def test_typed_text_round_trips(text):
    assert KeyboardDecoder().feed(decode_events(type_text(text))) == [text]


def test_type_text_refuses_what_a_us_keyboard_cannot_type():
    with pytest.raises(CodecError):
        type_text("张三")


def test_overlong_code_is_dropped_up_to_its_enter():
    decoder = KeyboardDecoder(max_chars=5)
    assert decoder.feed(decode_events(type_text("12345"))) == ["12345"]
    assert decoder.feed(decode_events(type_text("123456"))) == []
    assert decoder.overlong == 1
    assert decoder.feed(decode_events(type_text("ok"))) == ["ok"]


def test_shift_lost_with_syn_dropped_does_not_stick():
    decoder = KeyboardDecoder()
    events = keys(("LEFTSHIFT", PRESS)) + [InputEvent(0, 0, ec.EV_SYN, ec.SYN_DROPPED, 0)]
    assert decoder.feed(events + tap("ENTER") + tap("A") + tap("ENTER")) == ["a"]
    assert decoder.dropped == 1


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=24 * 40), st.integers(1, 50))
def test_fuzz_any_bytes_decode_without_crash(data, step):
    decoder, keyboard = EventDecoder(), KeyboardDecoder(max_chars=32)
    for start in range(0, len(data), step):
        for code in keyboard.feed(decoder.feed(data[start:start + step])):
            assert 0 < len(code) <= 32 and code.isascii()


key_codes = st.sampled_from(sorted({ec.KEY_A, ec.KEY_1, ec.KEY_ENTER, ec.KEY_LEFTSHIFT,
                                    ec.KEY_CAPSLOCK, ec.KEY_SPACE, ec.KEY_F1, 0, 255, 65535}))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.builds(InputEvent, st.integers(-2**63, 2**63 - 1), st.integers(-2**63, 2**63 - 1),
                          st.sampled_from([ec.EV_KEY, ec.EV_SYN, ec.EV_MSC, 0xFFFF]),
                          st.one_of(key_codes, st.integers(0, 65535)),
                          st.integers(-2**31, 2**31 - 1)), max_size=60))
def test_fuzz_any_events_give_codes_or_nothing(events):
    data = b"".join(e.pack() for e in events)
    assert decode_events(data) == events
    for code in KeyboardDecoder(max_chars=16).feed(events):
        assert 0 < len(code) <= 16
