"""What every image check of the camera shares: frames big enough, sharpness, rejections.

The checks (document, face) are pure functions on numpy frames. Frames are checked by
:mod:`drivers.frames` (the same rule as the QR decoder's), here with a 32-pixel minimum
side: anything that is not a usable 8-bit image raises :class:`BadFrame` at once, so a
check gives a value or a typed error and never crashes deep inside OpenCV.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from drivers import frames
from drivers.frames import BadFrame

__all__ = ["BadFrame", "MIN_SIDE", "Rejection", "sharpness", "to_bgr", "to_gray"]

#: Frames smaller than this on either side cannot be analysed.
MIN_SIDE = 32


@dataclass(frozen=True)
class Rejection:
    """A shot that is not good enough, with what the person should do about it.

    ``code`` is stable for the UI; ``text`` is the Chinese guidance from the module's
    table; ``reason`` is English for the log. It holds no image, so it is safe to log.
    """

    code: str
    text: str
    reason: str = ""

    @property
    def ok(self) -> bool:
        return False


def to_gray(frame: object) -> np.ndarray:
    """A 2-D uint8 grey frame big enough to analyse; :class:`BadFrame` else."""
    return frames.to_gray(frame, MIN_SIDE)


def to_bgr(frame: object) -> np.ndarray:
    """A 3-channel BGR frame big enough to analyse; :class:`BadFrame` else."""
    checked = frames.check_frame(frame, MIN_SIDE)
    if checked.ndim == 2:
        return cv2.cvtColor(checked, cv2.COLOR_GRAY2BGR)
    return checked


def sharpness(gray: np.ndarray, width: int = 0) -> float:
    """Variance of the Laplacian: high for crisp edges, low for a blurred shot.

    With ``width`` the image is first resized to that width, so that one threshold
    holds whatever the camera's resolution.
    """
    if width and gray.shape[1] != width:
        height = max(1, int(round(gray.shape[0] * width / gray.shape[1])))
        gray = cv2.resize(gray, (width, height), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())
