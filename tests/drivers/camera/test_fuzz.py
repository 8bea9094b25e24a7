"""Any array into the pure image functions gives a value or a typed error, never a crash.

Hypothesis feeds random shapes (0-4 dimensions, sides 0-80), dtypes and contents into
capture_document, find_page, check_face, the cascade and the corner helpers; the answer
is a DocumentShot/FaceShot, a Rejection with a known code, or BadFrame (a CodecError).
Random bytes as a cascade file give a cascade or CodecError.
"""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from drivers.camera import document, face
from drivers.camera.document import DocumentShot, capture_document, find_page, order_corners
from drivers.camera.face import FaceShot, check_face, load_detector
from drivers.camera.frames import BadFrame, Rejection, to_gray
from drivers.camera.face import OpenCVCascade
from drivers.errors import CodecError

DTYPES = st.sampled_from([np.uint8, np.uint8, np.uint8, np.int8, np.uint16, np.float32, np.float64, np.bool_, np.int64])
ARRAYS = DTYPES.flatmap(
    lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=80))
)
# uint8 images of valid layouts, so the checks themselves (not just validation) are fuzzed
IMAGES = st.tuples(st.integers(32, 96), st.integers(32, 96), st.sampled_from([None, 1, 3, 4])).flatmap(
    lambda s: hnp.arrays(np.uint8, (s[0], s[1]) if s[2] is None else (s[0], s[1], s[2]), elements=st.integers(0, 255))
)
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

DETECTOR = load_detector()


def check_document_result(result):
    if isinstance(result, Rejection):
        assert result.code in document.GUIDANCE
    else:
        assert isinstance(result, DocumentShot)
        assert result.image.ndim == 3 and result.corners.shape == (4, 2)


def check_face_result(result):
    if isinstance(result, Rejection):
        assert result.code in face.GUIDANCE
    else:
        assert isinstance(result, FaceShot)


@FUZZ
@given(ARRAYS)
def test_any_array_into_document_capture(arr):
    try:
        check_document_result(capture_document(arr))
    except BadFrame as err:
        assert isinstance(err, CodecError) and err.code == "bad_frame"


@FUZZ
@given(IMAGES)
def test_any_image_into_document_capture(img):
    check_document_result(capture_document(img))
    found = find_page(img)
    assert isinstance(found, Rejection) or found.shape == (4, 2)


@FUZZ
@given(ARRAYS)
def test_any_array_into_face_check(arr):
    try:
        check_face_result(check_face(arr, DETECTOR))
    except BadFrame:
        pass


@FUZZ
@given(IMAGES)
def test_any_image_into_face_check(img):
    check_face_result(check_face(img, DETECTOR))


@FUZZ
@given(ARRAYS)
def test_to_gray_gives_2d_uint8_or_bad_frame(arr):
    try:
        gray = to_gray(arr)
    except BadFrame:
        return
    assert gray.ndim == 2 and gray.dtype == np.uint8 and min(gray.shape) >= 32


@FUZZ
@given(hnp.arrays(np.float64, (4, 2), elements=st.floats(-1e4, 1e4, allow_nan=False)))
def test_order_corners_is_a_permutation(points):
    ordered = order_corners(points)
    assert ordered.shape == (4, 2)
    assert sorted(map(tuple, ordered.astype(np.float32).tolist())) == sorted(
        map(tuple, points.astype(np.float32).tolist())
    )


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_as_cascade(tmp_path_factory, data):
    """A corrupt cascade file is a typed error or a usable (empty-handed) detector."""
    path = tmp_path_factory.mktemp("casc") / "c.xml"
    path.write_bytes(data)
    try:
        cascade = OpenCVCascade(str(path))
    except CodecError:
        return
    assert isinstance(cascade.detect(np.zeros((40, 40), np.uint8)), list)
