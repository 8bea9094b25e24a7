"""Document capture finds the page where it really is, straightens it, and refuses bad shots.

Scenes are rendered with their true corners (drivers.camera.scenes), so every found
corner is checked against the truth: within a few pixels at 640x480 and 1280x720, at
angles up to 40° and with perspective. Blurred pages, missing pages, small pages and pages
cut off by the frame's edge each get their own rejection code and Chinese guidance.
"""

import math

import cv2
import numpy as np
import pytest

from drivers.camera import scenes
from drivers.camera.document import (
    GUIDANCE,
    DocumentShot,
    capture_document,
    find_page,
    order_corners,
    page_size,
    straighten,
)
from drivers.camera.frames import Rejection
from drivers.camera.scenes import PagePose

SIZES = [(640, 480), (1280, 720)]
POSES = [
    PagePose(),
    PagePose(angle=8),
    PagePose(angle=-15, height=0.7),
    PagePose(angle=12, tilt=0.1),
    PagePose(angle=-30, height=0.5, cx=0.4),
    PagePose(angle=40, height=0.6),
    PagePose(cx=0.6, cy=0.55, height=0.55, tilt=0.15),
    PagePose(angle=90, height=0.55),  # landscape on the desk
]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("pose", POSES)
def test_corners_found_within_a_few_pixels(size, pose):
    frame, truth = scenes.document(size, pose)
    shot = capture_document(frame)
    assert isinstance(shot, DocumentShot), shot
    # compare as sets of points: the finder orders them its own way for a turned page
    truth_ordered = order_corners(truth)
    err = np.abs(shot.corners - truth_ordered).max()
    tolerance = 2.0 * size[0] / 640 + 1.5
    assert err <= tolerance, (err, shot.corners, truth_ordered)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("pose", [PagePose(), PagePose(angle=20, tilt=0.1)])
def test_straightened_page_is_upright_a4(size, pose):
    frame, _ = scenes.document(size, pose)
    shot = capture_document(frame)
    assert isinstance(shot, DocumentShot)
    h, w = shot.image.shape[:2]
    assert h > w
    assert abs(h / w - math.sqrt(2)) < 0.01
    # upright: the dark title bar is in the top tenth, centred
    gray = cv2.cvtColor(shot.image, cv2.COLOR_BGR2GRAY)
    top = gray[: h // 8, w // 3 : 2 * w // 3]
    assert top.min() < 90
    assert gray[-h // 12 :, w // 10 : w // 4].mean() > 200  # the bottom margin is blank paper


def test_page_aspect_keeps_its_own_proportions():
    frame, truth = scenes.document((640, 480), PagePose(height=0.7))
    image = straighten(frame, truth, aspect="page")
    tl, tr, br, bl = truth
    assert abs(image.shape[1] - np.linalg.norm(tr - tl)) <= 2
    assert abs(image.shape[0] - np.linalg.norm(bl - tl)) <= 2
    with pytest.raises(ValueError):
        page_size(truth, aspect="letter")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("pose", [PagePose(), PagePose(angle=25, height=0.6)])
def test_sharp_page_passes_and_blurred_is_rejected(size, pose):
    sharp, _ = scenes.document(size, pose, blur=0)
    blurred, _ = scenes.document(size, pose, blur=3.0)
    good = capture_document(sharp)
    bad = capture_document(blurred)
    assert isinstance(good, DocumentShot)
    assert isinstance(bad, Rejection) and bad.code == "blurred"
    assert bad.text == "照片模糊，请保持材料不动"
    assert "sharpness" in bad.reason


@pytest.mark.parametrize(
    "frame_maker, code",
    [
        (lambda size: scenes.empty(size), "no_page"),
        (lambda size: scenes.document(size, PagePose(cx=0.1))[0], "cut_off"),
        (lambda size: scenes.document(size, PagePose(cy=0.05, height=0.6))[0], "cut_off"),
        (lambda size: scenes.document(size, PagePose(height=1.1))[0], "cut_off"),
        (lambda size: scenes.document(size, PagePose(cx=0.95, angle=30, height=0.6))[0], "cut_off"),
        (lambda size: scenes.document(size, PagePose(height=0.3))[0], "too_small"),
    ],
)
@pytest.mark.parametrize("size", SIZES)
def test_rejections_have_codes_and_chinese_text(frame_maker, code, size):
    result = capture_document(frame_maker(size))
    assert isinstance(result, Rejection), result
    assert result.code == code
    assert result.text == GUIDANCE[code]
    assert not result.ok


def test_order_corners_table():
    square = np.array([[10, 10], [110, 10], [110, 110], [10, 110]], dtype=np.float32)
    rng = np.random.default_rng(3)
    for _ in range(10):
        shuffled = square[rng.permutation(4)]
        assert np.array_equal(order_corners(shuffled), square)
    # a page turned by 30°: tl is the point nearest the frame's top-left
    frame, truth = scenes.document((640, 480), PagePose(angle=30, height=0.6))
    assert np.allclose(order_corners(truth[::-1]), order_corners(truth))


def test_shot_repr_holds_no_pixels():
    frame, _ = scenes.document((640, 480), PagePose())
    shot = capture_document(frame)
    text = repr(shot)
    assert "page>" in text and "[" not in text and len(text) < 100


def test_find_page_accepts_grey_and_bgra():
    frame, truth = scenes.document((640, 480), PagePose(angle=10))
    for variant in (cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), cv2.cvtColor(frame, cv2.COLOR_BGR2BGRA)):
        corners = find_page(variant)
        assert not isinstance(corners, Rejection)
        assert np.abs(corners - order_corners(truth)).max() < 3.5


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("angle", [0, 10, -25])
def test_dog_eared_corner_is_still_found_where_the_page_would_be(size, angle):
    frame, truth = scenes.document(size, PagePose(angle=angle, height=0.7))
    tl, tr, _, bl = truth
    ear = np.array([tl, tl + (tr - tl) * 0.12, tl + (bl - tl) * 0.09]).astype(np.int32)
    cv2.fillPoly(frame, [ear], (48, 70, 98))  # the corner folded under: desk shows
    shot = capture_document(frame)
    assert isinstance(shot, DocumentShot), shot
    assert np.abs(shot.corners - order_corners(truth)).max() <= 2.0 * size[0] / 640 + 1.5
