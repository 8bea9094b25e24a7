"""拍摄材料 (state MATERIALS): the item's papers photographed one at a time (the 高拍仪 role).

The current material's name, note and page number sit beside a live :class:`CameraPreview`
with a page frame. 拍照 takes ``camera.still()`` in a worker thread (with a timeout) and runs
``drivers.camera.capture_document``: a found, straightened, sharp page becomes a JPEG
``kiosk.draft.Blob`` for ``session.material_taken``; a refused shot shows the driver's
Chinese ``Rejection.text`` (照片模糊…, 请把材料平放…) and the button reads 重拍. The list
below shows every material with thumbnails of the pages taken and 重拍 (discard them:
``session.material_retake``); an optional material can be skipped (跳过此项). 完成 →
``session.materials_done()`` (what is still missing is said in Chinese).

A camera that goes away mid-way greys 拍照 out and says so; the preview comes back by itself.
The preview is stopped when the screen is left; every thumbnail texture is zeroed when the
visit ends (:meth:`clear_personal`); a shot that arrives after the visit ended is zeroed and dropped.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from drivers.camera import capture_document
from drivers.camera.frames import Rejection
from kiosk.draft import Blob
from kiosk.session import SessionError, State
from kiosk.ui.base import KioskScreen
from kiosk.ui.strings import explain, language, sentences, t
from kiosk.ui.widgets.buttons import BigButton
from kiosk.ui.widgets.camera_preview import CameraPreview  # noqa: F401  (materials.kv)

log = logging.getLogger(__name__)


STILL_TIMEOUT_S = 3.0
JPEG_QUALITY = 85
THUMB_WIDTH = 72



def shoot(camera: Any) -> tuple[Blob, np.ndarray] | Rejection:
    """In a worker thread: a still, the page found and straightened, as JPEG and thumbnail."""
    frame = camera.still(timeout=STILL_TIMEOUT_S)
    shot = capture_document(frame)
    if isinstance(shot, Rejection):
        return shot
    ok, data = cv2.imencode(".jpg", shot.image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError("jpeg encoding failed")
    height, width = shot.image.shape[:2]
    thumb = cv2.resize(shot.image, (THUMB_WIDTH, max(1, round(height * THUMB_WIDTH / width))),
                       interpolation=cv2.INTER_AREA)
    return Blob("image/jpeg", bytearray(data.tobytes())), cv2.cvtColor(thumb, cv2.COLOR_BGR2RGB)


def _texture(rgb: np.ndarray) -> Texture:
    height, width = rgb.shape[:2]
    texture = Texture.create(size=(width, height), colorfmt="rgb", bufferfmt="ubyte")
    texture.flip_vertical()
    texture.blit_buffer(np.ascontiguousarray(rgb).tobytes(), colorfmt="rgb", bufferfmt="ubyte")
    return texture


def _zero(texture: Texture | None) -> None:
    if texture is not None:
        width, height = texture.size
        texture.blit_buffer(bytes(width * height * 3), colorfmt="rgb", bufferfmt="ubyte")


class MaterialPagesRow(BoxLayout):
    """One material in the list: name, status, the thumbnails of its pages, 重拍."""

    name_text = StringProperty("")
    status = StringProperty("")
    current = BooleanProperty(False)
    taken = NumericProperty(0)
    requirement = ObjectProperty(None)

    def __init__(self, requirement, **kwargs):
        super().__init__(**kwargs)
        self.requirement = requirement
        self.name_text = requirement.name_for(language()) + ("" if requirement.required else t("mat_opt_tag"))
        self.thumbs: list[Image] = []

    def add_thumb(self, rgb: np.ndarray) -> None:
        image = Image(texture=_texture(rgb), size_hint=(None, None),
                      size=(rgb.shape[1], rgb.shape[0]), fit_mode="contain")
        self.thumbs.append(image)
        self.ids.thumbs.add_widget(image)

    def wipe(self) -> None:
        for image in self.thumbs:
            _zero(image.texture)
            image.texture = None
        self.thumbs = []
        self.ids.thumbs.clear_widgets()
        self.taken = 0


class MaterialsScreen(KioskScreen):
    heading = StringProperty("")
    page_text = StringProperty("")
    note = StringProperty("")
    message = StringProperty("")
    warn = BooleanProperty(False)
    busy = BooleanProperty(False)
    camera_ok = BooleanProperty(True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows: dict[str, MaterialPagesRow] = {}
        self.skipped: set[str] = set()
        self.current: str | None = None
        self._built_for: Any = None
        self._worker = None
        self._visit = 0  # bumped when the visit's pictures are wiped: late shots are dropped

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        self.back_button = self.keyed(BigButton(kind="secondary"), "back")
        self.back_button.bind(on_release=lambda *_: self.back())
        self.done_button = self.keyed(BigButton(kind="primary"), "mat_done")
        self.done_button.bind(on_release=lambda *_: self.done())
        self.add_action(self.back_button)
        self.add_action(self.done_button)
        self.ids["back_button"], self.ids["done_button"] = self.back_button, self.done_button

    # -- showing --------------------------------------------------------------------------
    def refresh(self) -> None:
        session = self.session
        item = session.item
        if session.state is not State.MATERIALS or item is None:
            return
        self.title = f"{t('mat_title')}·{item.name_for(language())}"
        steps = session.steps
        here = steps.index(State.MATERIALS)
        can_back = here > 0 and steps[here - 1] is not State.IDENTIFY
        self.back_button.disabled, self.back_button.opacity = not can_back, 1 if can_back else 0
        if self._built_for is not item:
            self.clear_personal()
            for req in item.materials:
                row = MaterialPagesRow(req)
                row.ids.retake_button.bind(on_release=lambda _b, code=req.code: self.retake(code))
                self.ids.material_list.add_widget(row)
                self.rows[req.code] = row
            self._built_for = item
        self._update()

    def _update(self, keep_message: bool = False) -> None:
        session = self.session
        if session.state not in (State.MATERIALS, State.IDLE_WARNING) or session.item is None:
            return
        self.camera_ok = self.services.devices.available("camera")
        self.current = None
        for code, row in self.rows.items():
            req = row.requirement
            row.taken = taken = session.pages_taken(code)
            if taken:
                row.status = t("mat_taken", n=taken, m=req.pages)
            else:
                row.status = t("mat_skipped") if code in self.skipped else t("mat_not_taken")
            if self.current is None and taken < req.pages and code not in self.skipped:
                self.current = code
        for code, row in self.rows.items():
            row.current = code == self.current
        row = self.rows.get(self.current) if self.current else None
        if row is None:
            self.heading, self.page_text, self.note = t("mat_all_done"), "", ""
        else:
            req = row.requirement
            self.heading = t("mat_now", name=req.name_for(language()))
            self.page_text = t("mat_page", n=row.taken + 1, m=req.pages)
            note = req.note_for(language())
            notes = [note] if note else []
            if not req.required and not row.taken:
                notes.append(t("mat_optional"))
            self.note = sentences(notes)
        if not self.camera_ok:
            self.message, self.warn = t("mat_camera_down"), True
        elif not keep_message and not self.busy:
            self.message, self.warn = ("" if row is None else t("mat_place")), False
        take = self.ids.take_button
        take.disabled = self.busy or row is None or not self.camera_ok
        skip = self.ids.skip_button
        can_skip = row is not None and not row.requirement.required and not self.busy
        skip.disabled, skip.opacity = not can_skip, 1 if can_skip else 0

    # -- the camera -----------------------------------------------------------------------
    def on_enter(self, *args):
        devices = self.services.devices
        devices.bind(health=self._health_changed)
        camera = devices.driver("camera")
        preview = self.ids.preview
        preview.source = camera if hasattr(camera, "latest_frame") else None
        preview.start()
        self._update()

    def on_leave(self, *args):
        self.services.devices.unbind(health=self._health_changed)
        self.ids.preview.stop()  # the thumbnails stay for 上一步 until the visit ends

    def _health_changed(self, *_args) -> None:
        self._update(keep_message=self.warn and self.camera_ok)

    def take(self) -> None:
        if self.busy or self.current is None or self.session.state is not State.MATERIALS:
            return
        camera = self.services.devices.driver("camera")
        if camera is None or not hasattr(camera, "still"):
            self.message, self.warn = t("mat_camera_down"), True
            return
        code, visit = self.current, self._visit
        self.busy = True
        self.message, self.warn = t("mat_taking"), False
        self._update(keep_message=True)
        self._worker = self.services.in_worker(
            lambda: shoot(camera), lambda ok, value: self._shot(code, visit, ok, value), "camera")

    def _shot(self, code: str, visit: int, ok: bool, value: Any) -> None:
        self.busy = False
        if visit != self._visit or self.session.state is not State.MATERIALS:
            if ok and not isinstance(value, Rejection):
                value[0].wipe()  # the visit ended while the shot was taken
                value[1].fill(0)
            return
        if not ok:  # camera gone, timed out, a bad frame: never the error itself
            self.message, self.warn = t("mat_camera_down"), True
            self.ids.take_button.text = t("mat_retake")
        elif isinstance(value, Rejection):
            self.message, self.warn = value.text, True
            self.ids.take_button.text = t("mat_retake")
        else:
            blob, thumb = value
            try:
                self.session.material_taken(code, blob)
            except SessionError as err:
                blob.wipe()
                self.message, self.warn = explain(err), True
            else:
                row = self.rows[code]
                row.add_thumb(thumb)
                self.message, self.warn = t("mat_page_ok", n=self.session.pages_taken(code)), False
                self.ids.take_button.text = t("mat_take")
            thumb.fill(0)
        self._update(keep_message=True)

    # -- the list -------------------------------------------------------------------------
    def retake(self, code: str) -> None:
        if self.busy or self.session.state is not State.MATERIALS:
            return
        self.session.material_retake(code)
        self.rows[code].wipe()
        self.skipped.discard(code)
        self._update()

    def skip(self) -> None:
        code = self.current
        if code is None or self.busy or self.rows[code].requirement.required:
            return
        if self.session.pages_taken(code):
            self.session.material_retake(code)
            self.rows[code].wipe()
        self.skipped.add(code)
        self._update()

    def done(self) -> None:
        if self.busy or self.session.state is not State.MATERIALS:
            return
        try:
            self.session.materials_done()
        except SessionError as err:
            self.message, self.warn = explain(err), True

    def back(self) -> None:
        if self.busy:
            return
        super().back()

    def clear_personal(self) -> None:
        self._visit += 1
        self.ids.preview.stop()
        for row in self.rows.values():
            row.wipe()
        self.ids.material_list.clear_widgets()
        self.rows = {}
        self.skipped = set()
        self.current = self._built_for = None
        self.busy = False
        self.message = self.heading = self.page_text = self.note = ""
        self.ids.take_button.text = t("mat_take")


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
