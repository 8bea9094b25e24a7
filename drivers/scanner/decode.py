"""QR codes in an image → raw bytes → text.

zxing-cpp, restricted to QR, reads first: it is several times faster than zbar here and
hands over the symbol's raw bytes (``Barcode.bytes``), so the text is ours to decode
(:mod:`drivers.scanner.text`: UTF-8, else GB18030). pyzbar is the fallback when
zxing-cpp is missing or finds nothing; zbar is asked for binary output
(``ZBAR_CFG_BINARY``, zbar ≥ 0.23) so that it too yields raw bytes rather than its own
guess at the encoding, which garbles GBK. Frames are numpy arrays, grey (H×W) or BGR /
BGRA (H×W×3/4) of uint8, as OpenCV gives them; files are read with OpenCV.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from typing import Any

import numpy as np

from drivers.errors import CodecError, DriverError
from drivers.frames import BadFrame, check_frame, to_gray  # noqa: F401  (BadFrame re-exported)
from drivers.scanner.model import QR_CODE, mask_code
from drivers.scanner.text import decode_payload

log = logging.getLogger(__name__)

ZBAR_CFG_BINARY = 4  # zbar.h, enum zbar_config_e (zbar 0.23 and later)
ZBAR_QRCODE = 64


class UnreadableImage(DriverError):
    """A file that is missing or is not an image OpenCV can read."""

    code = "scan_unreadable_image"


@dataclass(frozen=True)
class Symbol:
    """One symbol found in a frame, before its bytes are read as text."""

    raw: bytes
    format: str
    backend: str  # "zxing-cpp" or "pyzbar"

    def __repr__(self) -> str:  # never the bytes: a code may carry an ID number
        return f"Symbol(raw=<{len(self.raw)} bytes>, format={self.format!r}, backend={self.backend!r})"

    __str__ = __repr__


@dataclass(frozen=True)
class DecodedCode:
    text: str
    raw: bytes
    format: str
    encoding: str
    backend: str

    def __repr__(self) -> str:
        return (f"DecodedCode(text={mask_code(self.text)!r}, raw=<{len(self.raw)} bytes>, "
                f"format={self.format!r}, encoding={self.encoding!r}, backend={self.backend!r})")

    __str__ = __repr__


# -- back-ends ------------------------------------------------------------------------
def _zxing_symbols(frame: np.ndarray) -> list[Symbol] | None:
    """Symbols found by zxing-cpp; None when zxing-cpp is not installed."""
    try:
        import zxingcpp
    except ImportError:
        return None
    results = zxingcpp.read_barcodes(frame, formats=zxingcpp.BarcodeFormat.QRCode)
    return [Symbol(bytes(r.bytes), QR_CODE, "zxing-cpp") for r in results if r.valid]


def _zbar_symbols(frame: np.ndarray) -> list[Symbol] | None:
    """Symbols found by zbar through pyzbar; None when pyzbar or libzbar is missing."""
    try:
        from pyzbar import pyzbar
    except (ImportError, OSError):  # OSError: libzbar0 not installed
        return None
    gray = to_gray(frame)
    try:
        decoded = _zbar_binary(pyzbar, gray)
    except Exception:  # pyzbar's internals moved: its public call still works
        log.debug("zbar binary mode unavailable", exc_info=True)
        decoded = pyzbar.decode(gray, symbols=[pyzbar.ZBarSymbol.QRCODE])
    return [Symbol(bytes(d.data), QR_CODE, "pyzbar") for d in decoded if d.type == "QRCODE"]


def _zbar_binary(pyzbar: Any, gray: np.ndarray) -> list[Any]:
    """pyzbar.decode, with zbar told to return the symbol's bytes untouched."""
    from ctypes import c_void_p, cast

    from pyzbar import wrapper as w

    pixels, width, height = pyzbar._pixel_data(gray)
    with pyzbar._image_scanner() as scanner:
        w.zbar_image_scanner_set_config(scanner, 0, w.ZBarConfig.CFG_ENABLE, 0)
        w.zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, w.ZBarConfig.CFG_ENABLE, 1)
        if w.zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1) != 0:
            raise RuntimeError("zbar without binary mode")
        with pyzbar._image() as img:
            w.zbar_image_set_format(img, pyzbar._FOURCC["L800"])
            w.zbar_image_set_size(img, width, height)
            w.zbar_image_set_data(img, cast(pixels, c_void_p), len(pixels), None)
            if w.zbar_scan_image(scanner, img) < 0:
                raise RuntimeError("zbar refused the image")
            return list(pyzbar._decode_symbols(pyzbar._symbols_for_image(img)))


BACKENDS = {"zxing-cpp": _zxing_symbols, "pyzbar": _zbar_symbols}
DEFAULT_ORDER = ("zxing-cpp", "pyzbar")


def read_symbols(image: Any, backends: tuple[str, ...] = DEFAULT_ORDER) -> list[Symbol]:
    """The QR symbols in a frame, from the first back-end that finds any."""
    frame = check_frame(image)  # a small crop is fine to decode: only empty frames are refused
    for name in backends:
        found = BACKENDS[name](frame)
        if found:
            return _unique(found)
    return []


def decode_frame(image: Any, backends: tuple[str, ...] = DEFAULT_ORDER) -> list[DecodedCode]:
    """The readable codes in a frame; symbols whose bytes are not text are left out
    (use :func:`read_symbols` and :func:`~drivers.scanner.text.decode_payload` to see them)."""
    codes = []
    for symbol in read_symbols(image, backends):
        try:
            text, encoding = decode_payload(symbol.raw)
        except CodecError as err:
            log.info("QR code rejected: %s", err)
            continue
        codes.append(DecodedCode(text, symbol.raw, symbol.format, encoding, symbol.backend))
    return codes


#: Larger files are not images a kiosk camera or a staff member would hand in.
MAX_IMAGE_BYTES = 64 * 1024 * 1024


def load_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an image file as a BGR frame; :class:`UnreadableImage` when it cannot be.

    Only a regular file is read: a FIFO, a device or a directory is refused at once
    (reading a FIFO with no writer would block for ever). The file is opened without
    blocking and checked on the open descriptor, so it cannot be swapped in between.
    """
    import cv2

    name = os.fspath(path)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise UnreadableImage(f"cannot read {name}: {err.strerror or err}") from err
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableImage(f"not a regular file: {name}")
        if info.st_size > MAX_IMAGE_BYTES:
            raise UnreadableImage(f"too large for an image ({info.st_size} bytes): {name}")
        with os.fdopen(fd, "rb", closefd=False) as file:
            content = file.read(MAX_IMAGE_BYTES + 1)
    except OSError as err:
        raise UnreadableImage(f"cannot read {name}: {err.strerror or err}") from err
    finally:
        os.close(fd)
    data = np.frombuffer(content, dtype=np.uint8)
    frame = _quiet_imdecode(cv2, data) if data.size else None
    if frame is None:
        raise UnreadableImage(f"not an image: {name}")
    return frame


def _quiet_imdecode(cv2: Any, data: np.ndarray) -> np.ndarray | None:
    """cv2.imdecode without OpenCV's own error lines on stderr: a broken file is
    reported once, by :class:`UnreadableImage`."""
    logging_api = getattr(getattr(cv2, "utils", None), "logging", None)
    if logging_api is None:
        return cv2.imdecode(data, cv2.IMREAD_COLOR)
    level = logging_api.getLogLevel()
    logging_api.setLogLevel(logging_api.LOG_LEVEL_SILENT)
    try:
        return cv2.imdecode(data, cv2.IMREAD_COLOR)
    finally:
        logging_api.setLogLevel(level)


def decode_file(path: str | os.PathLike[str],
                backends: tuple[str, ...] = DEFAULT_ORDER) -> list[DecodedCode]:
    return decode_frame(load_image(path), backends)


def available_backends() -> tuple[str, ...]:
    """The back-ends that can run on this machine, in the order they are tried."""
    names = []
    for name in DEFAULT_ORDER:
        if BACKENDS[name](np.full((8, 8), 255, np.uint8)) is not None:
            names.append(name)
    return tuple(names)


def _unique(symbols: list[Symbol]) -> list[Symbol]:
    seen: set[bytes] = set()
    out = []
    for symbol in symbols:
        if symbol.raw not in seen:
            seen.add(symbol.raw)
            out.append(symbol)
    return out
