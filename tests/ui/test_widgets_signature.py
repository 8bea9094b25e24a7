"""The signature pad: strokes by touch, the ink check, the PNG export, wiping."""

import cv2
import numpy as np
import pytest

from tests.ui.widget_harness import drag, frames, mounted, tap, window

window()

from kiosk.ui.widgets.signature_pad import NotEnoughInk, SignaturePad  # noqa: E402

SIZE = (600, 300)


def zigzag(pad, steps=12):
    """A stroke across the pad, in window coordinates: a Z from top left to bottom right."""
    x0, y0 = pad.x + 60, pad.y + 220
    x1, y1 = pad.x + 540, pad.y + 80
    top = [(x0 + (x1 - x0) * i / steps, y0) for i in range(steps + 1)]
    diag = [(x1 - (x1 - x0) * i / steps, y0 - (y0 - y1) * i / steps) for i in range(1, steps + 1)]
    bottom = [(x0 + (x1 - x0) * i / steps, y1) for i in range(1, steps + 1)]
    return top + diag + bottom


def in_image(pad, point):
    """A window point as (row, column) of the exported image (top row first)."""
    x, y = point[0] - pad.x, point[1] - pad.y
    return int(round(pad.height - y)), int(round(x))


def decode(png: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None, "not a PNG"
    return image


def test_a_stroke_drawn_by_touch_exports_as_dark_pixels_where_it_went():
    pad = SignaturePad()
    with mounted(pad, size=SIZE):
        assert pad.is_empty and pad.ids.hint.opacity == 1
        path = zigzag(pad)
        drag(path)
        frames(1)
        assert not pad.is_empty and pad.has_enough_ink
        assert pad.ids.hint.opacity == 0
        assert len(pad.strokes) == 1 and len(pad.strokes[0]) == len(path)
        png = pad.export_png()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        image = decode(png)
        assert image.shape == (SIZE[1], SIZE[0])
        for point in path:
            row, col = in_image(pad, point)
            assert image[max(0, row - 2):row + 3, max(0, col - 2):col + 3].min() < 80, point
        assert image[:20, :].min() > 200 and image[-20:, :].min() > 200  # white margins
        assert image[150, 20] > 200  # left of the Z, away from the ink


def test_several_strokes_and_crop():
    pad = SignaturePad()
    with mounted(pad, size=SIZE):
        drag([(pad.x + 100, pad.y + 200), (pad.x + 300, pad.y + 100)])
        drag([(pad.x + 350, pad.y + 200), (pad.x + 500, pad.y + 220)])
        assert len(pad.strokes) == 2 and pad.has_enough_ink
        cropped = decode(pad.export_png(crop=True))
        assert cropped.shape[0] < SIZE[1] and cropped.shape[1] < SIZE[0]
        assert cropped.min() < 80


def test_an_empty_pad_or_a_dot_is_refused():
    pad = SignaturePad()
    with mounted(pad, size=SIZE):
        with pytest.raises(NotEnoughInk):
            pad.export_png()
        tap(pad)  # a dot
        assert not pad.is_empty and not pad.has_enough_ink
        with pytest.raises(NotEnoughInk):
            pad.export_png()
        drag([(pad.x + 100, pad.y + 150), (pad.x + 120, pad.y + 150)])  # a short scratch
        assert not pad.has_enough_ink
        with pytest.raises(NotEnoughInk):
            pad.export_png()


def test_touches_outside_the_pad_do_not_draw_and_strokes_stay_inside():
    pad = SignaturePad()
    with mounted(pad, size=SIZE):
        drag([(pad.x - 30, pad.y - 30), (pad.x + 300, pad.y + 150)])
        assert pad.is_empty
        drag([(pad.x + 300, pad.y + 150), (pad.right + 80, pad.top + 80)])
        assert pad.strokes[0][-1] == (pad.width, pad.height)  # clamped to the edge


def test_clear_then_sign_again():
    pad = SignaturePad()
    with mounted(pad, size=SIZE):
        drag(zigzag(pad))
        pad.clear()
        frames(1)
        assert pad.is_empty and not pad.has_enough_ink and pad.strokes == []
        assert pad.ink_length == 0 and pad.ids.hint.opacity == 1
        with pytest.raises(NotEnoughInk):
            pad.export_png()
        drag(zigzag(pad))
        assert pad.has_enough_ink


def test_wipe_forgets_points_and_lines():
    pad = SignaturePad()
    with mounted(pad, size=SIZE):
        drag(zigzag(pad))
        stroke = pad.strokes[0]
        line = pad._lines[0]
        pad.wipe()
        frames(1)
        assert pad.is_empty and pad.strokes == [] and pad._lines == []
        assert set(stroke) == {(0.0, 0.0)}  # the list a caller may still hold is zeroed
        assert line.points == []
        assert pad._ink.children == []
