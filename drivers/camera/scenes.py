"""What the emulated camera sees: a document on a desk, a face, a QR code, nothing.

Every scene renders at any resolution and is deterministic for a given seed, and the
renderers return the ground truth with the frame (the page's corners, the face boxes), so
tests can check the detectors against where things really are. The face is a real
photograph (``assets/scenes/face.jpg``, NASA public domain, see its README): a Haar
cascade does not find drawn faces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

Size = tuple[int, int]  # width, height
Scene = Callable[[Size], np.ndarray]

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "scenes"
FACE_PHOTO = ASSETS / "face.jpg"
#: Where the face is in ``face.jpg`` (x, y, w, h), measured once on the photo.
FACE_BOX_IN_PHOTO = (82, 67, 95, 95)
A4_RATIO = math.sqrt(2.0)


def desk(size: Size, seed: int = 0) -> np.ndarray:
    """A dark wooden desk: brown with soft grain, so edge finders meet texture."""
    width, height = size
    rng = np.random.default_rng(seed)
    grain = rng.normal(0.0, 1.0, (max(2, height // 6), max(2, width // 40))).astype(np.float32)
    grain = cv2.resize(grain, (width, height), interpolation=cv2.INTER_CUBIC)
    fine = rng.normal(0.0, 4.0, (height, width)).astype(np.float32)
    base = np.array([48, 70, 98], dtype=np.float32)  # BGR brown
    img = base[None, None, :] + (grain * 10 + fine)[:, :, None]
    return np.clip(img, 0, 255).astype(np.uint8)


def page(width: int = 420, seed: int = 0) -> np.ndarray:
    """An A4 page with a title, lines of text-like words and a red seal."""
    height = int(round(width * A4_RATIO))
    rng = np.random.default_rng(seed + 1)
    img = np.full((height, width, 3), 246, dtype=np.uint8)
    margin = width // 10
    cv2.rectangle(img, (width // 3, margin), (2 * width // 3, margin + width // 28), (40, 40, 40), -1)
    line_h = max(2, width // 110)
    y = margin + width // 10
    while y < height - 2 * margin:
        x = margin
        end = width - margin if rng.random() > 0.15 else int(width * rng.uniform(0.3, 0.8))
        while x < end:
            w = int(rng.integers(width // 40, width // 10))
            cv2.rectangle(img, (x, y), (min(x + w, end), y + line_h), (55, 55, 55), -1)
            x += w + max(2, width // 70)
        y += line_h * 3
    seal = (int(width * 0.72), int(height * 0.82))
    cv2.circle(img, seal, width // 9, (40, 40, 200), max(2, width // 120))
    return img


@dataclass(frozen=True)
class PagePose:
    """Where the page lies, in fractions of the frame.

    ``height`` is the page's height over the frame's height; ``angle`` turns it (degrees);
    ``tilt`` shrinks its top edge (0 = seen square on, 0.2 = camera looks from below).
    """

    cx: float = 0.5
    cy: float = 0.5
    height: float = 0.8
    angle: float = 0.0
    tilt: float = 0.0


def page_corners(size: Size, pose: PagePose) -> np.ndarray:
    """The page's corners in the frame, tl, tr, br, bl, as float32 (4, 2)."""
    width, height = size
    h = pose.height * height
    w = h / A4_RATIO
    top = w * (1.0 - pose.tilt)
    pts = np.array([[-top / 2, -h / 2], [top / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    a = math.radians(pose.angle)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    pts = pts @ rot.T + np.array([pose.cx * width, pose.cy * height])
    return pts.astype(np.float32)


def _paste(frame: np.ndarray, sheet: np.ndarray, corners: np.ndarray) -> None:
    """Warp ``sheet`` onto ``frame`` so that its corners land on ``corners``."""
    sh, sw = sheet.shape[:2]
    src = np.array([[0, 0], [sw - 1, 0], [sw - 1, sh - 1], [0, sh - 1]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
    size = (frame.shape[1], frame.shape[0])
    warped = cv2.warpPerspective(sheet, m, size, flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((sh, sw), 255, np.uint8), m, size, flags=cv2.INTER_LINEAR)
    alpha = (mask.astype(np.float32) / 255.0)[:, :, None]
    frame[:] = (warped * alpha + frame * (1.0 - alpha)).astype(np.uint8)


def _blur(frame: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(frame, (0, 0), sigma) if sigma > 0 else frame


def document(
    size: Size = (640, 480), pose: PagePose = PagePose(), blur: float = 0.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A page on the desk, optionally out of focus; returns (frame, true corners)."""
    frame = desk(size, seed)
    corners = page_corners(size, pose)
    span = float(np.linalg.norm(corners[3] - corners[0]))
    sheet = page(int(np.clip(span / A4_RATIO, 120, 1200)), seed)
    _paste(frame, sheet, corners)
    return _blur(frame, blur), corners


def _photo() -> np.ndarray:
    img = cv2.imread(str(FACE_PHOTO), cv2.IMREAD_COLOR)
    if img is None:
        raise FileNotFoundError(f"face photo missing: {FACE_PHOTO}")
    return img


def face(
    size: Size = (640, 480),
    placements: tuple[tuple[float, float, float], ...] = ((0.5, 0.45, 0.4),),
    blur: float = 0.0,
) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """A wall with the portrait pasted at each (cx, cy, face height) placement.

    The placement is where the face's centre lands (fractions of the frame) and how tall
    the face is (fraction of the frame height). Returns (frame, true face boxes).
    """
    width, height = size
    wall = np.linspace(215, 185, height, dtype=np.float32)[:, None, None]
    frame = np.repeat(np.repeat(wall, width, axis=1), 3, axis=2).astype(np.uint8)
    photo = _photo()
    fx, fy, fw, fh = FACE_BOX_IN_PHOTO
    boxes = []
    for cx, cy, fraction in placements:
        scale = fraction * height / fh
        pw, ph = max(1, int(round(photo.shape[1] * scale))), max(1, int(round(photo.shape[0] * scale)))
        scaled = cv2.resize(photo, (pw, ph), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
        x0 = int(round(cx * width - (fx + fw / 2) * scale))
        y0 = int(round(cy * height - (fy + fh / 2) * scale))
        # clip the paste to the frame
        ax, ay = max(0, x0), max(0, y0)
        bx, by = min(width, x0 + pw), min(height, y0 + ph)
        if ax < bx and ay < by:
            frame[ay:by, ax:bx] = scaled[ay - y0 : by - y0, ax - x0 : bx - x0]
        boxes.append((int(round(x0 + fx * scale)), int(round(y0 + fy * scale)), int(round(fw * scale)), int(round(fh * scale))))
    return _blur(frame, blur), boxes


def qr_matrix(payload: str | bytes) -> np.ndarray:
    """The QR code's modules (True = dark) with its 4-module quiet zone."""
    import qrcode  # kept local: only the emulator needs it

    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    return np.array(code.get_matrix(), dtype=bool)


def qr(payload: str | bytes, size: Size = (640, 480), height: float = 0.6, seed: int = 0) -> np.ndarray:
    """A QR code (e.g. on a phone screen or a slip) held in front of the desk."""
    frame = desk(size, seed)
    modules = qr_matrix(payload)
    side = max(modules.shape[0], int(height * size[1]) // modules.shape[0] * modules.shape[0])
    code = np.where(modules, 0, 255).astype(np.uint8)
    code = cv2.resize(code, (side, side), interpolation=cv2.INTER_NEAREST)
    x0, y0 = (size[0] - side) // 2, (size[1] - side) // 2
    if x0 < 0 or y0 < 0:
        raise ValueError("QR code does not fit the frame")
    frame[y0 : y0 + side, x0 : x0 + side] = code[:, :, None]
    return frame


def empty(size: Size = (640, 480), seed: int = 0) -> np.ndarray:
    """Nothing in front of the camera: the bare desk."""
    return desk(size, seed)


SCENES: dict[str, Callable[..., Scene]] = {
    "document": lambda **kw: lambda size: document(size, **kw)[0],
    "face": lambda **kw: lambda size: face(size, **kw)[0],
    "qr": lambda payload="https://example.gov.cn/case/0001", **kw: lambda size: qr(payload, size, **kw),
    "empty": lambda **kw: lambda size: empty(size, **kw),
}


def make_scene(kind: str, **options: object) -> Scene:
    """A scene by name (``document``, ``face``, ``qr``, ``empty``) for the emulated camera."""
    try:
        return SCENES[kind](**options)
    except KeyError:
        raise ValueError(f"unknown scene {kind!r}; known: {', '.join(SCENES)}") from None
