"""Checking camera frames, once for the whole driver layer: one rule, one error.

A frame is a numpy ``uint8`` array as OpenCV gives it: grey (H×W, or H×W×1), BGR
(H×W×3) or BGRA (H×W×4). Anything else raises :class:`BadFrame` (code ``bad_frame``) at
once, so a check or a decoder gives a value or a typed error and never crashes deep
inside OpenCV or a barcode library. ``min_side`` says how small a frame may be: a QR
decoder reads a small crop fine (the default, 1: only empty frames are refused), while
analysing a page or a face needs a real picture (the camera checks ask for 32).
"""

from __future__ import annotations

import numpy as np

from drivers.errors import CodecError


class BadFrame(CodecError):
    """The array is not an image a decoder or a check can work on."""

    code = "bad_frame"


def check_frame(frame: object, min_side: int = 1) -> np.ndarray:
    """The frame as a C-contiguous uint8 grey (H×W) or BGR (H×W×3) array.

    Grey H×W×1 loses its last axis and BGRA its alpha; :class:`BadFrame` for anything
    that is not a uint8 image at least ``min_side`` pixels on each side.
    """
    if not isinstance(frame, np.ndarray):
        raise BadFrame(f"frame is {type(frame).__name__}, not a numpy array")
    if frame.dtype != np.uint8:
        raise BadFrame(f"frame dtype {frame.dtype} is not uint8")
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    elif frame.ndim == 3 and frame.shape[2] == 4:
        frame = frame[:, :, :3]
    if not (frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] == 3)):
        raise BadFrame(f"frame shape {frame.shape} is not grey, BGR or BGRA")
    height, width = frame.shape[:2]
    if min(height, width) < max(1, min_side):
        what = "empty" if min(height, width) == 0 else "too small"
        raise BadFrame(f"frame {width}x{height} is {what} (at least {max(1, min_side)} px a side)")
    return np.ascontiguousarray(frame)


def to_gray(frame: object, min_side: int = 1) -> np.ndarray:
    """A C-contiguous 2-D uint8 grey copy or view of a frame :func:`check_frame` accepts."""
    checked = check_frame(frame, min_side)
    if checked.ndim == 2:
        return checked
    import cv2  # here, so that importing a serial scanner does not load OpenCV

    return cv2.cvtColor(checked, cv2.COLOR_BGR2GRAY)
