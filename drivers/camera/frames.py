"""What every image check of the camera shares: frame validation, sharpness, rejections.

The checks (document, face) are pure functions on numpy frames. Anything that is not a
usable 8-bit image (wrong dtype, wrong shape, too small) raises :class:`BadFrame` at once,
so a check gives a value or a typed error and never crashes deep inside OpenCV.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from drivers.errors import CodecError

#: Frames smaller than this on either side cannot be analysed.
MIN_SIDE = 32


class BadFrame(CodecError):
    """The array is not an image a check can work on."""

    code = "bad_frame"


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
    """A 2-D uint8 grey view of a BGR, BGRA or grey uint8 frame; :class:`BadFrame` else."""
    if not isinstance(frame, np.ndarray):
        raise BadFrame(f"frame is {type(frame).__name__}, not a numpy array")
    if frame.dtype != np.uint8:
        raise BadFrame(f"frame dtype {frame.dtype} is not uint8")
    if frame.ndim in (2, 3) and min(frame.shape[:2]) < MIN_SIDE:
        raise BadFrame(f"frame {frame.shape[1]}x{frame.shape[0]} is too small to analyse")
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    if frame.ndim == 2:
        gray = frame
    elif frame.ndim == 3 and frame.shape[2] == 3:
        gray = cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_BGR2GRAY)
    elif frame.ndim == 3 and frame.shape[2] == 4:
        gray = cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_BGRA2GRAY)
    else:
        raise BadFrame(f"frame shape {frame.shape} is not grey, BGR or BGRA")
    if min(gray.shape) < MIN_SIDE:
        raise BadFrame(f"frame {gray.shape[1]}x{gray.shape[0]} is too small to analyse")
    return np.ascontiguousarray(gray)


def to_bgr(frame: np.ndarray) -> np.ndarray:
    """A 3-channel BGR copy of a frame that :func:`to_gray` accepted."""
    if frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] == 1):
        return cv2.cvtColor(frame.reshape(frame.shape[:2]), cv2.COLOR_GRAY2BGR)
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    return np.ascontiguousarray(frame)


def sharpness(gray: np.ndarray, width: int = 0) -> float:
    """Variance of the Laplacian: high for crisp edges, low for a blurred shot.

    With ``width`` the image is first resized to that width, so that one threshold
    holds whatever the camera's resolution.
    """
    if width and gray.shape[1] != width:
        height = max(1, int(round(gray.shape[0] * width / gray.shape[1])))
        gray = cv2.resize(gray, (width, height), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())
