"""The emulated camera's scenes render at any size, deterministically, with true geometry.

A QR scene decodes (zxing-cpp) to its payload, including Chinese text; the document
scene's page lies where its returned corners say; scenes are the same for the same seed.
"""

import numpy as np
import pytest

from drivers.camera import scenes

SIZES = [(320, 240), (640, 480), (1280, 720)]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", ["document", "face", "qr", "empty"])
def test_scene_renders_at_size(kind, size):
    frame = scenes.make_scene(kind)(size)
    assert frame.shape == (size[1], size[0], 3) and frame.dtype == np.uint8
    assert np.array_equal(frame, scenes.make_scene(kind)(size))  # deterministic


@pytest.mark.parametrize("payload", ["https://example.gov.cn/case/2026-000123", "受理编号 QX20260001", "A"])
@pytest.mark.parametrize("size", [(640, 480), (1280, 720)])
def test_qr_scene_decodes_to_its_payload(payload, size):
    import zxingcpp

    frame = scenes.qr(payload, size)
    results = zxingcpp.read_barcodes(frame)
    assert [r.text for r in results] == [payload]


def test_document_page_is_where_the_corners_say():
    frame, corners = scenes.document((640, 480), scenes.PagePose(angle=20, height=0.6))
    centre = corners.mean(axis=0).astype(int)
    assert frame[centre[1], centre[0]].mean() > 150 or frame[centre[1] - 5 : centre[1] + 5, centre[0] - 5 : centre[0] + 5].max() > 200
    outside = (corners[0] - (corners[2] - corners[0]) * 0.1).astype(int)
    assert frame[max(0, outside[1]), max(0, outside[0])].mean() < 140  # desk just beyond a corner


def test_face_scene_boxes_scale_with_size():
    _, small = scenes.face((640, 480), ((0.5, 0.5, 0.4),))
    _, big = scenes.face((1280, 960), ((0.5, 0.5, 0.4),))
    assert abs(big[0][3] - 2 * small[0][3]) <= 2


def test_unknown_scene_is_an_error():
    with pytest.raises(ValueError):
        scenes.make_scene("cat")
