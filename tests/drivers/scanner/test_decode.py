"""Image decoding on real rendered QR codes: zxing-cpp hands over the raw bytes, so a
GBK code without ECI (which zbar garbles by default) comes back as the right Chinese;
UTF-8 Chinese, a receipt number, a rotated and scaled code on a 1280×720 frame, a noisy
frame, grey/BGR/BGRA input all decode; a blank or pure-noise frame gives nothing; a
corrupt or missing file, a directory and a FIFO are typed errors (the FIFO at once, not a
read that blocks for ever); frames are checked by the shared ``drivers.frames`` rule (a
small crop decodes, an empty frame is ``bad_frame``); the decoder's values mask the code
in their repr; fuzzed files and frames never crash. pyzbar,
asked for binary output, is a working fallback on its own and when zxing-cpp is not
installed."""

import os
import sys
import tempfile
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import CodecError, DriverError
from drivers.scanner import decode
from drivers.frames import BadFrame
from drivers.scanner.decode import (
    DecodedCode,
    Symbol,
    UnreadableImage,
    available_backends,
    decode_file,
    decode_frame,
    load_image,
    read_symbols,
)
from drivers.scanner.model import ScannedCode
from tests.drivers.scanner.qrimages import (
    RECEIPT_NO,
    add_noise,
    blank_frame,
    noise_frame,
    on_frame,
    render_qr,
    write_png,
)

PAYLOADS = [
    # (raw bytes in the code, text, encoding)
    (RECEIPT_NO.encode(), RECEIPT_NO, "utf-8"),
    ("张三 受理编号".encode("utf-8"), "张三 受理编号", "utf-8"),
    ("张三 受理编号".encode("gbk"), "张三 受理编号", "gb18030"),
    ("《营业执照》办理，请到三号窗口。".encode("gbk"), "《营业执照》办理，请到三号窗口。", "gb18030"),
    ("李𪚥".encode("gb18030"), "李𪚥", "gb18030"),
]

BACKEND_SETS = [("zxing-cpp",), ("pyzbar",), decode.DEFAULT_ORDER]


def test_both_backends_are_installed_here():
    assert available_backends() == ("zxing-cpp", "pyzbar")


@pytest.mark.parametrize("backends", BACKEND_SETS, ids="+".join)
@pytest.mark.parametrize("raw, text, encoding", PAYLOADS)
def test_rendered_codes_decode_from_raw_bytes(raw, text, encoding, backends):
    codes = decode_frame(render_qr(raw), backends)
    assert [(c.text, c.raw, c.format, c.encoding) for c in codes] == [(text, raw, "QRCode", encoding)]
    assert codes[0].backend == backends[0]


def test_gbk_without_eci_is_what_zxing_returns_as_raw_bytes():
    import zxingcpp

    raw = "张三 受理编号".encode("gbk")
    (result,) = zxingcpp.read_barcodes(render_qr(raw), formats=zxingcpp.BarcodeFormat.QRCode)
    assert bytes(result.bytes) == raw  # zxing's own .text would be Latin-1 mojibake
    assert result.text != "张三 受理编号"


def test_zbar_default_mode_garbles_gbk_and_binary_mode_does_not():
    from pyzbar import pyzbar

    raw = "张三 受理编号".encode("gbk")
    (plain,) = pyzbar.decode(render_qr(raw))
    assert plain.data != raw  # why the fallback asks zbar for binary output
    (symbol,) = read_symbols(render_qr(raw), ("pyzbar",))
    assert symbol.raw == raw


FRAMES = [
    ("straight", dict()),
    ("rotated 30° small", dict(angle=30, scale=0.6)),
    ("rotated 90° large", dict(angle=90, scale=1.6)),
    ("rotated 200° off-centre", dict(angle=200, scale=0.9, centre=(300, 250))),
]


@pytest.mark.parametrize("name, placement", FRAMES, ids=[f[0] for f in FRAMES])
def test_rotated_scaled_code_on_a_720p_frame(name, placement):
    frame = on_frame(render_qr(RECEIPT_NO.encode(), box=6), **placement)
    assert frame.shape == (720, 1280, 3)
    assert [c.text for c in decode_frame(frame)] == [RECEIPT_NO]
    assert [c.text for c in decode_frame(add_noise(frame, sigma=30))] == [RECEIPT_NO]


def test_two_codes_in_one_frame_both_come_back():
    frame = on_frame(render_qr(b"FIRST", box=6), centre=(300, 360))
    second = on_frame(render_qr("第二".encode("gbk"), box=6), centre=(980, 360))
    frame = np.minimum(frame, second)
    assert sorted(c.text for c in decode_frame(frame)) == sorted(["FIRST", "第二"])


@pytest.mark.parametrize("frame", [blank_frame(), noise_frame(), np.zeros((720, 1280), np.uint8)],
                         ids=["blank", "noise", "black"])
def test_frames_without_a_code_give_nothing(frame):
    assert decode_frame(frame) == []


def test_grey_bgr_and_bgra_frames_are_accepted():
    import cv2

    grey = render_qr(RECEIPT_NO.encode())
    for frame in (grey, grey[:, :, None], cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR),
                  cv2.cvtColor(grey, cv2.COLOR_GRAY2BGRA)):
        assert [c.text for c in decode_frame(frame)] == [RECEIPT_NO]


@pytest.mark.parametrize("frame", [
    None, "picture.png", np.zeros((10, 10), np.float32), np.zeros((10,), np.uint8),
    np.zeros((10, 10, 2), np.uint8), np.zeros((0, 10), np.uint8),
], ids=["none", "str", "float", "1d", "2ch", "empty"])
def test_malformed_frames_are_typed_errors(frame):
    with pytest.raises(BadFrame) as info:
        decode_frame(frame)
    assert isinstance(info.value, CodecError) and info.value.code == "bad_frame"


def test_a_small_crop_is_decoded_not_refused():
    """The decoder accepts any non-empty frame; the camera's 32-pixel floor is for analysis."""
    assert decode_frame(np.full((1, 1), 255, np.uint8)) == []
    crop = render_qr(b"A", box=1, border=1)  # a 23x23 code, smaller than the camera's minimum
    assert min(crop.shape) < 32
    assert [c.text for c in decode_frame(crop)] == ["A"]


def test_undecodable_symbol_is_left_out_of_decode_frame_but_readable_as_symbol():
    frame = render_qr(b"\xff\xfe\x00bad")
    assert decode_frame(frame) == []
    assert [s.raw for s in read_symbols(frame)] == [b"\xff\xfe\x00bad"]


def test_pyzbar_is_the_fallback_when_zxing_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "zxingcpp", None)  # import now raises ImportError
    assert available_backends() == ("pyzbar",)
    (code,) = decode_frame(render_qr("张三".encode("gbk")))
    assert (code.text, code.backend) == ("张三", "pyzbar")


def test_pyzbar_is_the_fallback_when_zxing_finds_nothing(monkeypatch):
    monkeypatch.setitem(decode.BACKENDS, "zxing-cpp", lambda frame: [])
    (code,) = decode_frame(render_qr(RECEIPT_NO.encode()))
    assert code.backend == "pyzbar"


def test_files(tmp_path):
    good = write_png(tmp_path / "receipt.png", on_frame(render_qr(RECEIPT_NO.encode()), angle=15))
    assert [c.text for c in decode_file(good)] == [RECEIPT_NO]
    assert load_image(good).shape == (720, 1280, 3)
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(open(good, "rb").read()[:40])  # a PNG cut short
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    device = "/dev/null"  # a character device: not a file to read an image from
    for path in (corrupt, empty, text, tmp_path / "missing.png", tmp_path, device):
        with pytest.raises(UnreadableImage) as info:
            decode_file(path)
        assert isinstance(info.value, DriverError) and info.value.code == "scan_unreadable_image"


def test_a_fifo_is_refused_at_once_not_read(tmp_path):
    """A FIFO without a writer: reading it would block for ever; it must be refused."""
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    outcome = []

    def load():
        try:
            load_image(fifo)
        except UnreadableImage as err:
            outcome.append(err)

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(2.0)
    if worker.is_alive():  # unblock the stuck reader so the test run can end
        with open(fifo, "wb"):
            pass
        pytest.fail("load_image blocked on a FIFO")
    (err,) = outcome
    assert err.code == "scan_unreadable_image" and "not a regular file" in str(err)


ID_NUMBER = "110105194912310021"


def test_decoder_values_never_show_the_code():
    raw = f"身份证号{ID_NUMBER}".encode()
    values = [Symbol(raw, "QRCode", "zxing-cpp"),
              DecodedCode(raw.decode(), raw, "QRCode", "utf-8", "zxing-cpp"),
              ScannedCode(raw.decode(), raw, "QRCode", "camera")]
    for value in values:
        shown = repr(value) + str(value) + f"{value}" + repr([value])
        assert ID_NUMBER not in shown and "1949" not in shown
        assert f"<{len(raw)} bytes>" in shown


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_fuzz_any_file_bytes_give_codes_or_a_typed_error(data):
    with tempfile.NamedTemporaryFile(suffix=".png") as handle:
        handle.write(data)
        handle.flush()
        try:
            codes = decode_file(handle.name)
        except UnreadableImage:
            return
    assert isinstance(codes, list)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 64), st.integers(1, 64), st.sampled_from([None, 1, 3, 4]), st.integers(0, 2**32 - 1))
def test_fuzz_any_small_frame_gives_codes_or_nothing(height, width, channels, seed):
    shape = (height, width) if channels is None else (height, width, channels)
    frame = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    assert decode_frame(frame) == []
