"""QR decoding from camera frames: the kiosk's decoder against pyzbar and OpenCV, same frames.

    .venv/bin/python bench/qr.py            # 8 rounds over every frame (~1 minute)
    .venv/bin/python bench/qr.py --quick    # 1 round (a check that it runs)
    .venv/bin/python bench/qr.py --rounds 20

Frames, at 640×480 and 1280×720, made once and given to every decoder alike:
three payloads (a receipt number, UTF-8 Chinese, GBK Chinese as older systems print it),
each as the emulator's flat scene (``drivers.camera.scenes.qr``), held in a hand
(perspective, a turn, slight blur, sensor noise) and held badly (more of each, dimmer);
and three frames with no code (the bare desk, a page, a face), the common case while
nobody holds a code up.

Decoders: "kiosk" is ``drivers.scanner.decode.read_symbols`` + ``decode_payload``, as
``CameraScanner.decode`` runs it (zxing-cpp for QR on every frame; pyzbar on one frame in
four when zxing finds nothing, so its times are a mix: compare means for the idle share);
"zxing-cpp alone" is its first back-end with zxing's own text; pyzbar with every symbology
and with QR only (the bytes read as UTF-8, as an application would); OpenCV's
``QRCodeDetector.detectAndDecode``. A payload is "right" when the text equals the one
encoded; a code reported on a frame without one is "false".

Times are wall seconds per frame (``time.perf_counter``); fps is 1 / median. Other work on
the machine inflates them: compare the rows of one run, not runs on different days.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from drivers.camera import scenes  # noqa: E402

SIZES = ((640, 480), (1280, 720))
PAYLOADS = {
    "receipt no.": "ZZ-EQ-0001-20261122-000042".encode("ascii"),
    "utf-8 zh": "二七区民政局 高龄津贴申领 受理编号：ZZ-EQ-0001-20261122-000042".encode("utf-8"),
    "gbk zh": "郑州市二七区五里堡街道便民服务中心 申请人：王*英".encode("gbk"),
}
TEXTS = {"receipt no.": "ZZ-EQ-0001-20261122-000042",
         "utf-8 zh": "二七区民政局 高龄津贴申领 受理编号：ZZ-EQ-0001-20261122-000042",
         "gbk zh": "郑州市二七区五里堡街道便民服务中心 申请人：王*英"}
#: (tilt of the top edge, turn in degrees, blur sigma, noise sigma, brightness)
HELD = {"held": (0.12, 8.0, 0.9, 5.0, 0.95), "held badly": (0.25, -22.0, 1.5, 9.0, 0.75)}
CAMERA_SCANNER_RATE = 8  # CameraScanner's default max_rate: frames decoded a second at most


def machine() -> str:
    return describe('zxing-cpp', 'pyzbar', 'opencv-python-headless', 'numpy', 'qrcode')


# -- frames -------------------------------------------------------------------------------
def held_code(payload: bytes, size: tuple[int, int], how: tuple, seed: int) -> np.ndarray:
    """The code on a slip held in front of the desk: warped, turned, blurred, noisy."""
    tilt, angle, blur, noise, light = how
    width, height = size
    frame = scenes.desk(size, seed)
    modules = scenes.qr_matrix(payload)
    n = modules.shape[0]
    side = max(n, int(0.55 * height) // n * n)
    code = cv2.resize(np.where(modules, 25, 235).astype(np.uint8), (side, side),
                      interpolation=cv2.INTER_NEAREST)
    code = cv2.cvtColor(code, cv2.COLOR_GRAY2BGR)
    half, top = side / 2, side / 2 * (1 - tilt)
    corners = np.array([[-top, -half], [top, -half], [half, half], [-half, half]])
    a = np.radians(angle)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    rng = np.random.default_rng(seed)
    centre = np.array([width * rng.uniform(0.45, 0.55), height * rng.uniform(0.47, 0.53)])
    dst = (corners @ rot.T + centre).astype(np.float32)
    src = np.array([[0, 0], [side - 1, 0], [side - 1, side - 1], [0, side - 1]], np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(code, m, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((side, side), 255, np.uint8), m, size)
    alpha = (mask.astype(np.float32) / 255.0)[:, :, None]
    out = warped * alpha + frame * (1.0 - alpha)
    out = cv2.GaussianBlur(out * light, (0, 0), blur)
    out += rng.normal(0.0, noise, out.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


def make_frames(size: tuple[int, int]) -> list[tuple[str, str | None, np.ndarray]]:
    """(label, expected text or None, BGR frame) for one resolution."""
    frames = []
    for seed, (name, payload) in enumerate(PAYLOADS.items()):
        frames.append((f"{name} flat", TEXTS[name], scenes.qr(payload, size, seed=seed)))
        for how_name, how in HELD.items():
            frames.append((f"{name} {how_name}", TEXTS[name], held_code(payload, size, how, seed)))
    frames.append(("desk", None, scenes.empty(size, seed=7)))
    frames.append(("page", None, scenes.document(size, scenes.PagePose(angle=6.0), seed=3)[0]))
    frames.append(("face", None, scenes.face(size)[0]))
    return frames


# -- decoders: frame → texts --------------------------------------------------------------
def kiosk_decoder() -> Callable[[np.ndarray], list[str]]:
    from drivers.errors import CodecError
    from drivers.scanner.camera_scanner import CameraScanner
    from drivers.scanner.decode import read_symbols
    from drivers.scanner.text import decode_payload

    scanner = CameraScanner(provider=None, on_code=lambda *_: None)  # for its back-end policy
    count = [0]

    def decode(frame: np.ndarray) -> list[str]:
        texts = []
        backends = scanner.backends_for(count[0])
        count[0] += 1
        for symbol in read_symbols(frame, backends):
            try:
                texts.append(decode_payload(symbol.raw)[0])
            except CodecError:
                texts.append("<refused>")
        return texts
    return decode


def zxing_decoder() -> Callable[[np.ndarray], list[str]]:
    import zxingcpp

    def decode(frame: np.ndarray) -> list[str]:
        found = zxingcpp.read_barcodes(frame, formats=zxingcpp.BarcodeFormat.QRCode)
        return [r.text for r in found if r.valid]
    return decode


def zbar_decoder(qr_only: bool) -> Callable[[np.ndarray], list[str]]:
    from pyzbar import pyzbar

    symbols = [pyzbar.ZBarSymbol.QRCODE] if qr_only else None

    def decode(frame: np.ndarray) -> list[str]:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)  # the conversion is counted: zbar needs it
        return [d.data.decode("utf-8", errors="replace") for d in pyzbar.decode(gray, symbols=symbols)]
    return decode


def opencv_decoder() -> Callable[[np.ndarray], list[str]]:
    detector = cv2.QRCodeDetector()

    def decode(frame: np.ndarray) -> list[str]:
        text, _points, _straight = detector.detectAndDecode(frame)
        return [text] if text else []
    return decode


def decoders() -> dict[str, Callable[[np.ndarray], list[str]]]:
    return {"kiosk (zxing→zbar)": kiosk_decoder(), "zxing-cpp alone": zxing_decoder(),
            "pyzbar all": zbar_decoder(qr_only=False), "pyzbar QR only": zbar_decoder(qr_only=True),
            "opencv QRCodeDetector": opencv_decoder()}


def zbar_every_frame() -> Callable[[np.ndarray], list[str]]:
    """The kiosk's decoder before the fallback was spaced out: zbar on every empty frame."""
    from drivers.scanner.decode import read_symbols

    return lambda frame: [s.raw.decode("utf-8", "replace") for s in read_symbols(frame)]


IDLE = {"kiosk (zbar on 1 empty frame in 4)": kiosk_decoder, "zxing-cpp alone": zxing_decoder,
        "zbar on every empty frame (before)": zbar_every_frame}


# -- measuring ----------------------------------------------------------------------------
def idle_mean(decode: Callable, empty: list, rounds: int) -> float:
    """Mean seconds per frame over a stream of empty frames, as the scanner sees them idle."""
    stream = [empty[i % len(empty)] for i in range(max(8, 4 * rounds * len(empty)))]
    t0 = time.perf_counter()
    for frame in stream:
        decode(frame)
    return (time.perf_counter() - t0) / len(stream)


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def measure(decode: Callable, frames: list, rounds: int) -> dict:
    code_t, empty_t, right, false, garbled, missed = [], [], 0, 0, [], []
    for _label, expected, frame in frames:
        decode(frame)  # a first call outside the timing: lazy set-up
    for r in range(rounds):
        for label, expected, frame in frames:
            t0 = time.perf_counter()
            texts = decode(frame)
            (code_t if expected else empty_t).append(time.perf_counter() - t0)
            if r:
                continue
            if expected is None:
                false += bool(texts)
            elif expected in texts:
                right += 1
            else:
                (garbled if texts else missed).append(label)
    return {"code": code_t, "empty": empty_t, "right": right, "false": false, "garbled": garbled,
            "missed": missed}


def note(res: dict) -> str:
    """The frames a decoder got wrong: garbled text first, then codes not found."""
    parts = [f"garbled: {', '.join(res['garbled'])}"] if res["garbled"] else []
    parts += [f"missed: {', '.join(res['missed'])}"] if res["missed"] else []
    return "; ".join(parts) or "-"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=8, help="times each frame is decoded")
    parser.add_argument("--quick", action="store_true", help="one round: does it run")
    args = parser.parse_args(argv)
    rounds = 1 if args.quick else max(1, args.rounds)
    cv2.setNumThreads(1)  # one core each, as the kiosk's scanner thread has
    print(machine())
    print(f"rounds: {rounds}; wall ms per frame; fps = 1000 / median; OpenCV on 1 thread")
    table = decoders()
    idle: dict[tuple[str, str], float] = {}  # (decoder, size) → median ms of a frame without a code
    for size in SIZES:
        frames = make_frames(size)
        n_code = sum(1 for _l, e, _f in frames if e)
        n_empty = len(frames) - n_code
        print(f"\n{size[0]}x{size[1]}: {n_code} frames with a code, {n_empty} without")
        print(f"{'decoder':24} {'code fps':>8} {'med ms':>7} {'p95 ms':>7} "
              f"{'empty fps':>9} {'med ms':>7} {'p95 ms':>7} {'right':>6} {'false':>5}  not right")
        empty = [frame for _l, expected, frame in frames if expected is None]
        for name, factory in IDLE.items():  # nobody there: a fresh stream of empty frames only
            idle[name, f"{size[0]}x{size[1]}"] = idle_mean(factory(), empty, rounds)
        for name, decode in table.items():
            res = measure(decode, frames, rounds)
            code_med, empty_med = statistics.median(res["code"]), statistics.median(res["empty"])
            print(f"{name:24} {1 / code_med:8.1f} {ms(code_med)} {ms(p95(res['code']))} "
                  f"{1 / empty_med:9.1f} {ms(empty_med)} {ms(p95(res['empty']))} "
                  f"{res['right']:>3}/{n_code:<2} {res['false']:>5}  "
                  f"{note(res)}")
    print(f"\nNobody at the kiosk: the camera scanner decodes up to {CAMERA_SCANNER_RATE} frames a "
          "second without a code; the share of one core that takes (mean ms per frame):")
    for (name, size), seconds in idle.items():
        print(f"  {name:34} {size:>9}  {seconds * CAMERA_SCANNER_RATE:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
