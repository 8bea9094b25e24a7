"""The QR code on screen decodes back to the receipt number."""

import numpy as np
import pytest
import zxingcpp

from tests.ui.widget_harness import frames, mounted, texture_rgb, window

window()

from kiosk.ui.widgets.qr_image import QrImage, qr_matrix, qr_pixels  # noqa: E402

RECEIPT = "SL-330106-20261122-000123"


def decoded(texture) -> list[str]:
    pixels = texture_rgb(texture)
    return [result.text for result in zxingcpp.read_barcodes(pixels)]


def test_the_texture_decodes_to_the_payload():
    qr = QrImage(data=RECEIPT)
    with mounted(qr, size=(420, 420)):
        assert qr.texture is not None
        assert decoded(qr.texture) == [RECEIPT]
        frames(1)


def test_sharp_whole_modules_with_a_quiet_zone_and_big_enough():
    qr = QrImage(data=RECEIPT, quiet_zone=4)
    with mounted(qr, size=(500, 400)):
        modules = qr_matrix(RECEIPT).shape[0]
        assert qr.qr_size == modules * qr.module_px <= 400  # whole pixels per module, fits
        assert qr.module_px >= 6 and qr.qr_size >= 250  # photographable from a phone
        assert qr.texture.mag_filter == "nearest"
        pixels = texture_rgb(qr.texture)[:, :, 0]
        assert set(np.unique(pixels)) <= {0, 255}  # no grey: nothing blurred
        zone = 4 * qr.module_px
        assert pixels[:zone].min() == 255 and pixels[:, :zone].min() == 255
        assert pixels[-zone:].min() == 255 and pixels[:, -zone:].min() == 255
        assert pixels[zone, zone] == 0  # the finder pattern's corner, at the top left
        # drawn centred, at exactly its size
        assert qr._rect.size == (qr.qr_size, qr.qr_size)
        assert abs(qr._rect.pos[0] + qr.qr_size / 2 - qr.center_x) <= 1


def test_a_small_widget_keeps_a_minimum_module_size():
    qr = QrImage(data=RECEIPT, min_module_px=6)
    with mounted(qr, size=(100, 100)):
        assert qr.module_px == 6
        assert decoded(qr.texture) == [RECEIPT]


def test_resize_and_new_data_redraw():
    qr = QrImage(data="A-1")
    with mounted(qr, size=(300, 300)):
        small = qr.module_px
        qr.size = (600, 600)
        frames(1)
        assert qr.module_px > small
        assert decoded(qr.texture) == ["A-1"]
        qr.data = RECEIPT
        assert decoded(qr.texture) == [RECEIPT]


def test_clear_shows_nothing():
    qr = QrImage(data=RECEIPT)
    with mounted(qr, size=(300, 300)):
        qr.clear()
        assert qr.texture is None and qr.qr_size == 0 and qr._color.a == 0


@pytest.mark.parametrize("module_px", [1, 3])
def test_qr_pixels_scales_by_whole_modules(module_px):
    matrix = qr_matrix("X", quiet_zone=2)
    image = qr_pixels(matrix, module_px)
    assert image.shape == (matrix.shape[0] * module_px,) * 2
    assert (image[::module_px, ::module_px] == np.where(matrix, 0, 255)).all()
