"""One frame check for the whole driver layer (``drivers.frames``): a table of arrays
and what each gives — a grey or BGR uint8 frame, or ``BadFrame`` (code ``bad_frame``) —
with the minimum side as the only difference between the QR decoder (a small crop is
fine) and the camera's analyses (a page or a face needs 32 pixels a side). Both the
decoder and the camera checks raise that same error class."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from hypothesis.extra import numpy as hnp

from drivers.camera import BadFrame as CameraBadFrame
from drivers.camera import capture_document, check_face
from drivers.camera.frames import MIN_SIDE, to_bgr
from drivers.camera.frames import to_gray as camera_gray
from drivers.errors import CodecError
from drivers.frames import BadFrame, check_frame, to_gray
from drivers.scanner.decode import BadFrame as ScannerBadFrame
from drivers.scanner.decode import read_symbols


@pytest.mark.parametrize("frame, shape", [
    (np.zeros((1, 1), np.uint8), (1, 1)),
    (np.zeros((5, 7, 1), np.uint8), (5, 7)),
    (np.zeros((5, 7, 3), np.uint8), (5, 7, 3)),
    (np.zeros((5, 7, 4), np.uint8), (5, 7, 3)),
    (np.zeros((7, 5, 3), np.uint8)[::2], (4, 5, 3)),  # a strided view comes back contiguous
])
def test_accepted_frames(frame, shape):
    checked = check_frame(frame)
    assert checked.shape == shape and checked.dtype == np.uint8 and checked.flags["C_CONTIGUOUS"]
    gray = to_gray(frame)
    assert gray.shape == shape[:2] and gray.flags["C_CONTIGUOUS"]


@pytest.mark.parametrize("frame, words", [
    (None, "not a numpy array"),
    ([[0, 0]], "not a numpy array"),
    (np.zeros((4, 4), np.float32), "not uint8"),
    (np.zeros((4, 4), np.uint16), "not uint8"),
    (np.zeros((4,), np.uint8), "not grey, BGR or BGRA"),
    (np.zeros((4, 4, 2), np.uint8), "not grey, BGR or BGRA"),
    (np.zeros((4, 4, 3, 1), np.uint8), "not grey, BGR or BGRA"),
    (np.zeros((0, 4), np.uint8), "empty"),
    (np.zeros((4, 0, 3), np.uint8), "empty"),
])
def test_refused_frames(frame, words):
    with pytest.raises(BadFrame) as info:
        check_frame(frame)
    assert words in str(info.value) and info.value.code == "bad_frame"
    assert isinstance(info.value, CodecError)


def test_min_side_is_the_only_difference_between_decoding_and_analysing():
    small = np.full((MIN_SIDE - 1, 200, 3), 128, np.uint8)
    assert read_symbols(small) == []  # a crop: decoded (nothing in it), not refused
    assert to_gray(small).shape == (MIN_SIDE - 1, 200)
    for analyse in (camera_gray, to_bgr, capture_document, check_face):
        with pytest.raises(BadFrame) as info:
            analyse(small)
        assert "too small" in str(info.value) and info.value.code == "bad_frame"
    assert camera_gray(np.zeros((MIN_SIDE, MIN_SIDE, 4), np.uint8)).shape == (MIN_SIDE, MIN_SIDE)


def test_one_error_class_everywhere():
    assert CameraBadFrame is BadFrame and ScannerBadFrame is BadFrame
    with pytest.raises(BadFrame):
        read_symbols(np.zeros((4, 4), np.float64))
    with pytest.raises(BadFrame):
        check_face(np.zeros((64, 64), np.float64))


@settings(max_examples=200, deadline=None)
@given(hnp.arrays(hs.sampled_from([np.uint8, np.int16, np.float32]),
                  hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=6)),
       hs.integers(0, 8))
def test_fuzz_any_array_gives_a_frame_or_bad_frame(arr, min_side):
    try:
        gray = to_gray(arr, min_side)
    except BadFrame:
        return
    assert gray.ndim == 2 and gray.dtype == np.uint8 and min(gray.shape) >= max(1, min_side)
