"""Face capture checks: exactly one face, big enough, centred, sharp.

Pure functions on numpy frames. :func:`check_face` returns a :class:`FaceShot` when the
photo may be taken, or a :class:`~drivers.camera.frames.Rejection` whose ``code`` tells
the person what to do (Chinese in :data:`GUIDANCE`).

The detector is OpenCV's frontal-face Haar cascade (``cv2.CascadeClassifier`` with the
file bundled in the wheel, ``cv2.data.haarcascades``). The project pins OpenCV 4 because
opencv-python-headless 5 ships neither the class nor the files. Nothing is downloaded.
Without a cascade, :func:`check_face` says ``no_detector``.

Directions are the person's own, for a camera that faces them and does not mirror:
a face on the right of the frame belongs to someone standing too far to their left, who
is told ``move_right`` (请向右移动). Pass ``mirrored=True`` for a mirroring camera.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from drivers.camera.frames import Rejection, sharpness, to_gray
from drivers.errors import CodecError

log = logging.getLogger(__name__)

GUIDANCE: dict[str, str] = {
    "ok": "很好，请保持不动",
    "no_face": "请正对摄像头，让脸出现在画面中间",
    "many_faces": "画面中只能有一个人，请其他人稍微离开",
    "closer": "请靠近一点",
    "farther": "请离远一点",
    "move_left": "请向左移动一点",
    "move_right": "请向右移动一点",
    "move_up": "请抬高一点",
    "move_down": "请放低一点",
    "hold_still": "照片模糊，请保持不动",
    "no_detector": "人脸检测暂不可用，请联系工作人员",
}

CASCADE_NAME = "haarcascade_frontalface_default.xml"
#: Where a plain cascade file may live: the wheel's data folder, Debian's opencv-data.
SYSTEM_CASCADE_DIRS = ("/usr/share/opencv4/haarcascades", "/usr/share/opencv/haarcascades")
#: Frames are shrunk to this width for detection; boxes are scaled back.
DETECT_WIDTH = 320
#: Face height over frame height: below ``MIN_HEIGHT`` come closer, above ``MAX_HEIGHT`` step back.
MIN_HEIGHT = 0.25
MAX_HEIGHT = 0.65
#: Where the face's centre belongs (fractions of the frame) and how far off it may be.
TARGET = (0.5, 0.45)
TOLERANCE = 0.12
#: Variance of the Laplacian of the face at 160 px wide; a sharp face scores well above.
MIN_SHARPNESS = 40.0
FACE_SHARPNESS_WIDTH = 160


#: A face's box in frame pixels: x, y, width, height.
Box = tuple[int, int, int, int]


class FaceDetector(Protocol):
    def detect(self, gray: np.ndarray) -> list[Box]: ...


class OpenCVCascade:
    """``cv2.CascadeClassifier`` where the OpenCV build has it."""

    def __init__(self, path: str) -> None:
        try:
            self._cascade = cv2.CascadeClassifier(path)
        except (cv2.error, SystemError) as err:  # SystemError: cv2.error raised in the constructor
            raise CodecError(f"cannot load cascade {path}") from err
        if self._cascade.empty():
            raise CodecError(f"cannot load cascade {path}")

    def detect(self, gray: np.ndarray) -> list[Box]:
        found = self._cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=3)
        return [tuple(int(v) for v in box) for box in found]  # type: ignore[misc]


def _cascade_files(explicit: str | None) -> list[Path]:
    paths = [Path(explicit)] if explicit else []
    env = os.environ.get("KIOSK_FACE_CASCADE")
    if env:
        paths.append(Path(env))
    data = getattr(getattr(cv2, "data", None), "haarcascades", "")
    if data:
        paths.append(Path(data) / CASCADE_NAME)
    paths += [Path(d) / CASCADE_NAME for d in SYSTEM_CASCADE_DIRS]
    return [p for p in paths if p.is_file()]


def load_detector(path: str | None = None) -> FaceDetector | None:
    """The best face detector this machine has, or None (logged once) when it has none."""
    for candidate in _cascade_files(path):
        try:
            return OpenCVCascade(str(candidate))
        except CodecError as err:
            log.warning("face cascade %s unusable: %s", candidate, err)
    log.warning("no face detector available: face checks will say no_detector")
    return None


@functools.lru_cache(maxsize=1)
def default_detector() -> FaceDetector | None:
    return load_detector()


@dataclass(frozen=True)
class FaceShot:
    """A frame fit to be the face photo, with where the face is in it."""

    image: np.ndarray = field(repr=False)
    box: Box
    sharpness: float

    @property
    def ok(self) -> bool:
        return True

    @property
    def text(self) -> str:
        return GUIDANCE["ok"]

    def portrait(self) -> np.ndarray:
        """A head-and-shoulders crop around the face, clipped to the frame."""
        x, y, w, h = self.box
        height, width = self.image.shape[:2]
        x0, x1 = max(0, int(x - 0.6 * w)), min(width, int(x + 1.6 * w))
        y0, y1 = max(0, int(y - 0.6 * h)), min(height, int(y + 1.9 * h))
        return self.image[y0:y1, x0:x1].copy()

    def __repr__(self) -> str:  # a face is personal data: no pixels in logs
        h, w = self.image.shape[:2]
        return f"FaceShot(image=<{w}x{h} photo>, box={self.box}, sharpness={self.sharpness:.0f})"


def reject(code: str, reason: str = "") -> Rejection:
    return Rejection(code, GUIDANCE[code], reason)


def find_faces(frame: np.ndarray, detector: FaceDetector | None = None) -> list[Box]:
    """Face boxes in frame pixels, largest first."""
    gray = to_gray(frame)
    detector = detector or default_detector()
    if detector is None:
        return []
    scale = min(1.0, DETECT_WIDTH / gray.shape[1])
    small = gray if scale == 1.0 else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    boxes = [tuple(int(round(v / scale)) for v in box) for box in detector.detect(small)]
    return sorted(boxes, key=lambda b: b[2] * b[3], reverse=True)  # type: ignore[arg-type,return-value]


def face_sharpness(gray: np.ndarray, box: Box) -> float:
    x, y, w, h = box
    crop = gray[max(0, y) : y + h, max(0, x) : x + w]
    return sharpness(crop, FACE_SHARPNESS_WIDTH) if crop.size else 0.0


def guide(
    box: Box,
    frame_size: tuple[int, int],
    *,
    min_height: float = MIN_HEIGHT,
    max_height: float = MAX_HEIGHT,
    target: tuple[float, float] = TARGET,
    tolerance: float = TOLERANCE,
    mirrored: bool = False,
) -> str:
    """The guidance code for one face box in a frame of (width, height): size, then place."""
    x, y, w, h = box
    width, height = frame_size
    if h < min_height * height:
        return "closer"
    if h > max_height * height:
        return "farther"
    dx = (x + w / 2) / width - target[0]
    dy = (y + h / 2) / height - target[1]
    if abs(dx) > tolerance and abs(dx) >= abs(dy):
        right = dx > 0
        return "move_right" if right != mirrored else "move_left"
    if abs(dy) > tolerance:
        return "move_up" if dy > 0 else "move_down"
    return "ok"


def check_face(
    frame: np.ndarray,
    detector: FaceDetector | None = None,
    *,
    min_sharpness: float = MIN_SHARPNESS,
    mirrored: bool = False,
    **limits: float,
) -> FaceShot | Rejection:
    """One face, big enough, centred and sharp; else what the person should do."""
    gray = to_gray(frame)
    detector = detector or default_detector()
    if detector is None:
        return reject("no_detector", "no face cascade on this machine")
    faces = find_faces(gray, detector)
    if not faces:
        return reject("no_face", "no face found")
    if len(faces) > 1:
        return reject("many_faces", f"{len(faces)} faces in the frame")
    box = faces[0]
    code = guide(box, (gray.shape[1], gray.shape[0]), mirrored=mirrored, **limits)  # type: ignore[arg-type]
    if code != "ok":
        return reject(code, f"face box {box[2]}x{box[3]} at ({box[0]},{box[1]})")
    score = face_sharpness(gray, box)
    if score < min_sharpness:
        return reject("hold_still", f"face sharpness {score:.0f} is below {min_sharpness:.0f}")
    return FaceShot(image=frame, box=box, sharpness=score)
