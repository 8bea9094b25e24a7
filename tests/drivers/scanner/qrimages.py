"""Real QR images for the scanner tests, rendered with the ``qrcode`` package.

``qrcode``'s ``add_data(bytes)`` puts the bytes in byte mode untouched and without an
ECI, exactly as older Chinese systems make GBK codes.
"""

from __future__ import annotations

import cv2
import numpy as np
import qrcode

FRAME_W, FRAME_H = 1280, 720
RECEIPT_NO = "ZZ-EQ-0001-20261122-000042"


def render_qr(payload: bytes, box: int = 8, border: int = 4) -> np.ndarray:
    """A grey (H×W uint8) image of a QR code holding ``payload`` in byte mode."""
    code = qrcode.QRCode(box_size=box, border=border,
                         error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(bytes(payload), optimize=0)
    code.make(fit=True)
    return np.array(code.make_image().get_image().convert("L"), dtype=np.uint8)


def on_frame(qr: np.ndarray, *, angle: float = 0.0, scale: float = 1.0, centre=(640, 360),
             size=(FRAME_W, FRAME_H), background: int = 200) -> np.ndarray:
    """``qr`` rotated by ``angle`` degrees and scaled, placed on a BGR frame of ``size``."""
    width, height = size
    h, w = qr.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    matrix[0, 2] += centre[0] - w / 2
    matrix[1, 2] += centre[1] - h / 2
    gray = cv2.warpAffine(qr, matrix, (width, height), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=background)
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)


def blank_frame(size=(FRAME_W, FRAME_H)) -> np.ndarray:
    return np.full((size[1], size[0], 3), 255, np.uint8)


def noise_frame(seed: int = 7, size=(FRAME_W, FRAME_H)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)


def add_noise(frame: np.ndarray, sigma: float = 25.0, seed: int = 3) -> np.ndarray:
    """Gaussian sensor noise on a frame (a cheap camera in a dim hall)."""
    rng = np.random.default_rng(seed)
    noisy = frame.astype(np.float32) + rng.normal(0.0, sigma, frame.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def write_png(path, image: np.ndarray) -> str:
    ok, data = cv2.imencode(".png", image)
    assert ok
    with open(path, "wb") as out:
        out.write(data.tobytes())
    return str(path)
