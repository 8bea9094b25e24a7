"""A QR code on screen (the receipt number), sharp and big enough to photograph with a phone.

The code is made with the ``qrcode`` package, its module matrix turned into a numpy image with
the quiet zone around it, scaled up by a whole number of pixels per module (nearest neighbour,
so the edges stay sharp) and uploaded to a texture drawn at exactly its size, centred.
"""

from __future__ import annotations

import numpy as np
import qrcode
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.metrics import dp
from kivy.properties import NumericProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.widget import Widget

_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


def qr_matrix(data: str, error_correction: str = "M", quiet_zone: int = 4) -> np.ndarray:
    """The code's modules as a bool array (True: dark), with ``quiet_zone`` light modules
    around it."""
    code = qrcode.QRCode(error_correction=_LEVELS[error_correction], border=0)
    code.add_data(data)
    code.make(fit=True)
    modules = np.array(code.get_matrix(), dtype=bool)
    return np.pad(modules, quiet_zone, constant_values=False)


def qr_pixels(matrix: np.ndarray, module_px: int) -> np.ndarray:
    """The matrix as a grey image (dark 0, light 255), ``module_px`` pixels per module,
    top row first."""
    grey = np.where(matrix, 0, 255).astype(np.uint8)
    return np.kron(grey, np.ones((module_px, module_px), np.uint8)).astype(np.uint8)


class QrImage(Widget):
    """Shows ``data`` as a QR code as large as the widget allows, at least ``min_module_px``
    pixels per module (at 8 px a 33-module code with its quiet zone is 328 px wide)."""

    data = StringProperty("")
    error_correction = OptionProperty("M", options=list(_LEVELS))
    quiet_zone = NumericProperty(4)
    min_module_px = NumericProperty(max(6, int(dp(6))))
    #: pixels per module now shown, and the side of the drawn code in pixels (0: nothing)
    module_px = NumericProperty(0)
    qr_size = NumericProperty(0)
    texture = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs):
        self._matrix: np.ndarray | None = None
        self._stale = True
        super().__init__(**kwargs)
        with self.canvas:
            self._color = Color(1, 1, 1, 0)
            self._rect = Rectangle()
        self.bind(data=self._remake, error_correction=self._remake, quiet_zone=self._remake,
                  min_module_px=self._render, size=self._render, pos=self._place)
        self._remake()

    def clear(self) -> None:
        """Show nothing (the session is over)."""
        self.data = ""

    def _remake(self, *_args) -> None:
        if self.data:
            self._matrix = qr_matrix(self.data, self.error_correction, int(self.quiet_zone))
        else:
            self._matrix = None
        self._stale = True
        self._render()

    def _render(self, *_args) -> None:
        matrix = self._matrix
        if matrix is None:
            self.texture = None
            self.module_px = self.qr_size = 0
            self._color.a = 0
            self._rect.texture = None
            return
        modules = matrix.shape[0]
        fits = int(min(self.width, self.height) // modules)
        module_px = max(int(self.min_module_px), fits)
        if module_px != self.module_px or self.texture is None or self._stale:
            image = qr_pixels(matrix, module_px)
            side = image.shape[0]
            texture = Texture.create(size=(side, side), colorfmt="luminance")
            texture.mag_filter = texture.min_filter = "nearest"
            # GL rows run bottom up: upload the image upside down so it shows the right way
            texture.blit_buffer(np.ascontiguousarray(image[::-1]).tobytes(),
                                colorfmt="luminance", bufferfmt="ubyte")
            self.texture = texture
            self.module_px = module_px
            self.qr_size = side
            self._stale = False
        self._color.a = 1
        self._rect.texture = self.texture
        self._place()

    def _place(self, *_args) -> None:
        side = self.qr_size
        self._rect.size = (side, side)
        self._rect.pos = (int(self.center_x - side / 2), int(self.center_y - side / 2))
