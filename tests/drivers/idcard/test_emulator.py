"""The emulator answers on a real pty with a reader's exact bytes: SAM commands, the
find/select/read life cycle of a card (halted after a read until lifted), the status
codes on demand, the reader's own checksum/length complaints, corrupted replies, and
line noise before the next replies."""

from __future__ import annotations

import time

import pytest
import serial

from drivers.idcard import protocol as p
from drivers.idcard.card import encode_read_payload
from drivers.idcard.emulator import IdCardEmulator
from drivers.idcard.samples import SAMPLES

H = bytes.fromhex


def ask(port: serial.Serial, frame: bytes, size: int | None = None, wait: float = 1.0) -> bytes:
    """Send ``frame``; what comes back: ``size`` bytes, or up to the end of one frame."""
    port.reset_input_buffer()
    port.write(frame)
    out = b""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        out += port.read(max(1, port.in_waiting))
        if size is not None and len(out) >= size:
            break
        start = out.find(p.PREAMBLE)
        if size is None and start >= 0 and len(out) >= start + 7 and \
                len(out) >= start + 7 + int.from_bytes(out[start + 5:start + 7], "big"):
            break
    return out


@pytest.fixture
def port(emulator: IdCardEmulator):
    with serial.Serial(emulator.path, 115200, timeout=0.05) as conn:
        yield conn


def test_sam_commands(emulator: IdCardEmulator, port: serial.Serial) -> None:
    assert ask(port, H("AAAAAA9669 0003 10FF EC")) == H("AAAAAA9669 0004 000090 94")
    assert ask(port, H("AAAAAA9669 0003 11FF ED")) == H("AAAAAA9669 0004 000090 94")
    reply = ask(port, H("AAAAAA9669 0003 12FF EE"))
    assert reply[:10] == H("AAAAAA9669 0014 000090") and len(reply) == 7 + 0x14
    assert p.format_sam_id(reply[10:26]) == emulator.sam_id


def test_card_life_cycle(emulator: IdCardEmulator, port: serial.Serial) -> None:
    find, select = p.encode_command(p.FIND_CARD), p.encode_command(p.SELECT_CARD)
    read = p.encode_command(p.READ_TEXT_PHOTO)
    assert ask(port, find) == H("AAAAAA9669 0004 000080 84")
    assert ask(port, select) == H("AAAAAA9669 0004 000081 85")
    card = SAMPLES["resident"]
    emulator.place(card)
    assert ask(port, read) == H("AAAAAA9669 0004 000041 45")  # not selected yet
    assert ask(port, find) == H("AAAAAA9669 0008 00009F 00000000 97")
    assert ask(port, select) == H("AAAAAA9669 000C 000090 0000000000000000 9C")
    reply = ask(port, read)
    assert len(reply) == 1295
    assert reply == p.encode_reply(p.SW3_OK, encode_read_payload(card))
    # left on the reader: find fails, select still works, a re-read works
    assert ask(port, find) == H("AAAAAA9669 0004 000080 84")
    assert ask(port, select)[9] == 0x90
    assert len(ask(port, read)) == 1295
    emulator.lift()
    assert ask(port, select) == H("AAAAAA9669 0004 000081 85")
    emulator.place(card)
    assert ask(port, find)[9] == 0x9F


def test_fingerprint_read_is_2321_bytes(emulator: IdCardEmulator, port: serial.Serial) -> None:
    emulator.place(SAMPLES["fingerprint"])
    ask(port, p.encode_command(p.FIND_CARD))
    ask(port, p.encode_command(p.SELECT_CARD))
    assert len(ask(port, p.encode_command(p.READ_TEXT_PHOTO_FINGERPRINT))) == 2321


def test_appended_address(emulator: IdCardEmulator, port: serial.Serial) -> None:
    emulator.place(SAMPLES["resident"])
    ask(port, p.encode_command(p.FIND_CARD))
    ask(port, p.encode_command(p.SELECT_CARD))
    assert ask(port, p.encode_command(p.READ_ADDRESS)) == H("AAAAAA9669 0004 000091 95")
    emulator.place(SAMPLES["resident"], appended_address="北京市海淀区中关村大街1号")
    ask(port, p.encode_command(p.FIND_CARD))
    ask(port, p.encode_command(p.SELECT_CARD))
    assert len(ask(port, p.encode_command(p.READ_ADDRESS))) == 7 + 3 + 70 + 1


@pytest.mark.parametrize("sw3", [0x41, 0x31, 0x32, 0x33, 0x40, 0x47, 0x23, 0x24])
def test_fail_next(emulator: IdCardEmulator, port: serial.Serial, sw3: int) -> None:
    emulator.fail_next(p.FIND_CARD, sw3)
    assert ask(port, p.encode_command(p.FIND_CARD)) == p.encode_reply(sw3)
    assert ask(port, p.encode_command(p.FIND_CARD)) == p.encode_reply(0x80)


@pytest.mark.parametrize("sw3", [0x60, 0x66])
def test_sam_fault_answers_every_command(emulator: IdCardEmulator, port: serial.Serial, sw3: int) -> None:
    emulator.sam_fault = sw3
    for command in (p.SAM_STATUS, p.SAM_ID, p.FIND_CARD):
        assert ask(port, p.encode_command(command)) == p.encode_reply(sw3)


def test_reader_complains_about_our_bad_frames(port: serial.Serial) -> None:
    assert ask(port, H("AAAAAA9669 0003 2001 23")) == H("AAAAAA9669 0004 000010 14")
    assert ask(port, H("AAAAAA9669 FFFF 2001 22")) == H("AAAAAA9669 0004 000011 15")
    assert ask(port, p.encode_command(0x55, 0x01)) == H("AAAAAA9669 0004 000021 25")


@pytest.mark.parametrize("kind", ["checksum", "length", "truncate"])
def test_corrupt_next(emulator: IdCardEmulator, port: serial.Serial, kind: str) -> None:
    emulator.corrupt_next(kind)
    bad = ask(port, p.encode_command(p.SAM_STATUS), size=11, wait=0.3)
    assert bad != H("AAAAAA9669 0004 000090 94") and bad[:5] == p.PREAMBLE
    assert ask(port, p.encode_command(p.SAM_STATUS)) == H("AAAAAA9669 0004 000090 94")


def test_noise_and_silence(emulator: IdCardEmulator, port: serial.Serial) -> None:
    emulator.inject_noise(b"\x13\x37\xaa")
    assert ask(port, p.encode_command(p.SAM_STATUS)) == b"\x13\x37\xaa" + H("AAAAAA9669 0004 000090 94")
    emulator.silent = True
    assert ask(port, p.encode_command(p.SAM_STATUS), size=1, wait=0.3) == b""


def test_noise_next_and_clear_faults(emulator: IdCardEmulator, port: serial.Serial) -> None:
    ok = H("AAAAAA9669 0004 000090 94")
    status = p.encode_command(p.SAM_STATUS)
    emulator.noise_next(b"\x13\xaa", times=2)
    assert ask(port, status, size=13) == b"\x13\xaa" + ok
    assert ask(port, status, size=13) == b"\x13\xaa" + ok
    assert ask(port, status) == ok  # two replies only
    emulator.noise_next(b"\x13", times=5)
    emulator.fail_next(p.SAM_STATUS, 0x41, times=5)
    emulator.corrupt_next("checksum", times=5)
    emulator.clear_faults()
    assert ask(port, status) == ok
