"""Face checks: one real face, big enough, centred and sharp, with guidance for each fault.

The scenes paste a real photograph (assets/scenes/face.jpg) at known places, so the
detector is checked against true boxes, and each rejection (no face, two faces, too
small, too big, off centre, blurred) gets its code and Chinese text. The pure guidance
rule and the box grouping are checked on tables; the detector in use on this machine is
whichever load_detector() picks (the numpy cascade under opencv-python-headless 5).
"""

import gzip

import numpy as np
import pytest

from drivers.camera import face as face_mod
from drivers.camera import scenes
from drivers.camera.face import GUIDANCE, FaceShot, check_face, find_faces, guide, load_detector
from drivers.camera.frames import Rejection
from drivers.errors import CodecError

SIZES = [(640, 480), (1280, 720)]


def iou(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    return inter / (aw * ah + bw * bh - inter)


@pytest.fixture(scope="module")
def detector():
    found = load_detector()
    assert found is not None, "the shipped cascade must always give a detector"
    return found


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "placements",
    [((0.5, 0.45, 0.4),), ((0.3, 0.5, 0.3),), ((0.7, 0.4, 0.5),), ((0.5, 0.45, 0.15),), ((0.3, 0.45, 0.35), (0.72, 0.5, 0.3))],
)
def test_detector_finds_faces_where_they_are(detector, size, placements):
    frame, truth = scenes.face(size, placements)
    found = find_faces(frame, detector)
    assert len(found) == len(truth)
    for box in truth:
        assert max(iou(box, f) for f in found) > 0.75, (box, found)


@pytest.mark.parametrize("size", SIZES)
def test_centred_face_of_right_size_is_accepted(detector, size):
    frame, truth = scenes.face(size, ((0.5, 0.45, 0.4),))
    shot = check_face(frame, detector)
    assert isinstance(shot, FaceShot), shot
    assert iou(shot.box, truth[0]) > 0.75
    assert shot.text == GUIDANCE["ok"]
    crop = shot.portrait()
    assert crop.shape[0] > truth[0][3] and crop.shape[1] > truth[0][2]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "placements, blur, code",
    [
        ((), 0, "no_face"),
        (((0.3, 0.45, 0.35), (0.72, 0.5, 0.3)), 0, "many_faces"),
        (((0.5, 0.45, 0.15),), 0, "closer"),
        (((0.5, 0.5, 0.75),), 0, "farther"),
        (((0.28, 0.45, 0.4),), 0, "move_left"),  # the person stands too far to their right
        (((0.72, 0.45, 0.4),), 0, "move_right"),
        (((0.5, 0.7, 0.35),), 0, "move_up"),
        (((0.5, 0.45, 0.4),), 3.0, "hold_still"),
    ],
)
def test_rejections(detector, size, placements, blur, code):
    frame, _ = scenes.face(size, placements, blur=blur)
    result = check_face(frame, detector)
    assert isinstance(result, Rejection), result
    assert result.code == code
    assert result.text == GUIDANCE[code]


@pytest.mark.parametrize("scene", ["empty", "document", "qr"])
def test_no_face_in_other_scenes(detector, scene):
    frame = scenes.make_scene(scene)((640, 480))
    result = check_face(frame, detector)
    assert isinstance(result, Rejection) and result.code == "no_face"


@pytest.mark.parametrize(
    "box, code, mirrored",
    [
        ((270, 140, 100, 100), "closer", False),  # 100/480 < 0.25
        ((170, 40, 320, 320), "farther", False),  # 320/480 > 0.65
        ((260, 116, 120, 120), "ok", False),  # centre (320, 176) is the target
        ((400, 116, 120, 120), "move_right", False),
        ((400, 116, 120, 120), "move_left", True),
        ((100, 116, 120, 120), "move_left", False),
        ((100, 116, 120, 120), "move_right", True),
        ((260, 250, 120, 120), "move_up", False),
        ((260, 10, 120, 120), "move_down", False),
        ((290, 146, 120, 120), "ok", False),  # within the tolerance
    ],
)
def test_guide_table(box, code, mirrored):
    assert guide(box, (640, 480), mirrored=mirrored) == code


def test_without_any_cascade_the_check_says_so(monkeypatch):
    monkeypatch.setattr(face_mod, "_cascade_files", lambda explicit: [])
    assert load_detector() is None
    monkeypatch.setattr(face_mod, "default_detector", lambda: None)
    frame, _ = scenes.face((640, 480))
    result = check_face(frame)
    assert isinstance(result, Rejection) and result.code == "no_detector"


def test_broken_cascade_file_is_a_codec_error_and_skipped(tmp_path, monkeypatch):
    junk = tmp_path / "junk.xml"
    junk.write_bytes(b"\x00\xff not xml")
    with pytest.raises(CodecError):
        face_mod.OpenCVCascade(str(junk))
    good = face_mod._cascade_files(None)[0]
    monkeypatch.setattr(face_mod, "_cascade_files", lambda explicit: [junk, good])
    assert load_detector() is not None  # falls through to the good one


def test_faceshot_repr_holds_no_pixels(detector):
    frame, _ = scenes.face((640, 480))
    shot = check_face(frame, detector)
    assert isinstance(shot, FaceShot)
    assert "photo>" in repr(shot) and "array" not in repr(shot)

