"""人像采集 (state FACE): a live preview with a face oval, guidance, and 拍照.

The preview (:class:`CameraPreview`) shows the camera's frames, mirrored as a citizen
expects. A few times a second the newest frame is checked with
``drivers.camera.check_face`` in a worker thread (one check at a time; the UI never waits
on it) and its ``Rejection.text`` (请靠近一点, 请保持不动 …) is shown over the picture. 拍照
is enabled while the check passes; holding still for :data:`HOLD_S` takes the photo by
itself. The photo is a fresh still from the camera, checked again, cropped to head and
shoulders and encoded as JPEG (``cv2.imencode``) into a ``kiosk.draft.Blob`` for
``session.face_taken``; the frames used are zeroed at once.

Camera down (unplugged, stalled): said calmly; this item cannot go on without the photo,
so 取消 is offered with the window's address; the picture comes back by itself if the
camera does. Leaving the screen stops the preview (its texture is blanked) and drops
whatever check or capture is still running.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import cv2
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from drivers.camera import check_face
from drivers.errors import DeviceUnavailable
from drivers.privacy import mask_name
from kiosk.draft import Blob
from kiosk.session import SessionError, State
from kiosk.ui.base import KioskScreen
from kiosk.ui.strings import explain, language, t
from kiosk.ui.widgets import camera_preview  # noqa: F401  (used by face.kv)
from kiosk.ui.widgets.buttons import BigButton

log = logging.getLogger(__name__)




#: Face checks per second, and how long the check must pass before the photo is taken.
CHECK_HZ = 4.0
HOLD_S = 1.0
STILL_TIMEOUT_S = 3.0
JPEG_QUALITY = 90


def encode_jpeg(image) -> Blob:
    """The image as a JPEG ``Blob``; the encoder's buffer is zeroed once copied."""
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError("jpeg encoding failed")
    blob = Blob("image/jpeg", bytearray(data))
    data.fill(0)
    return blob


def take_photo(camera) -> Blob | Any:
    """In a worker: a fresh still, checked; a ``Blob`` of head and shoulders, or the
    ``Rejection`` saying what to do. The frames are zeroed before returning."""
    still = camera.still(timeout=STILL_TIMEOUT_S)
    try:
        shot = check_face(still)
        if not shot.ok:
            return shot
        portrait = shot.portrait()
        try:
            return encode_jpeg(portrait)
        finally:
            portrait.fill(0)
    finally:
        still.fill(0)


class FaceScreen(KioskScreen):
    applicant_text = StringProperty("")
    message = StringProperty("")
    camera_ok = BooleanProperty(True)
    passing = BooleanProperty(False)
    taking = BooleanProperty(False)

    def __init__(self, **kwargs):
        self._bound = False
        self._event = None
        self._checking = False
        self._generation = 0  # bumped on leave: late worker results are dropped
        self._ok_since: float | None = None
        self._last_seq = -1
        self._down_text = ""
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        self.take_button = self.keyed(BigButton(kind="primary"), "face_take")
        self.take_button.bind(on_release=lambda *_: self.take())
        self.bind(passing=self._update_button, taking=self._update_button,
                  camera_ok=self._update_button)
        self.add_action(self.take_button)
        self.ids["take_button"] = self.take_button
        self._update_button()

    def _update_button(self, *_args) -> None:
        self.take_button.disabled = not (self.passing and self.camera_ok) or self.taking

    @property
    def camera(self):
        return self.services.devices.driver("camera")

    # -- life ------------------------------------------------------------------------------
    def on_enter(self, *args):
        if not self._bound:
            self.services.devices.bind(health=self._on_health)
            self._bound = True
        preview = self.ids.preview
        preview.source = self.camera
        preview.start()
        if self._event is None:
            self._event = Clock.schedule_interval(self._check, 1.0 / CHECK_HZ)
        self._on_health()

    def on_leave(self, *args):
        if self._bound:
            self.services.devices.unbind(health=self._on_health)
            self._bound = False
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self.clear_personal()

    def clear_personal(self) -> None:
        self._generation += 1
        self._checking = self.taking = self.passing = False
        self._ok_since, self._last_seq = None, -1
        self.ids.preview.stop()
        self.ids.preview.guidance = ""
        self.applicant_text = self.message = ""

    def refresh(self) -> None:
        item, applicant = self.session.item, self.session.applicant
        self.title = item.name_for(language()) if item is not None else t("face_title")
        self.applicant_text = (t("face_applicant", name=mask_name(applicant.name))
                               if applicant is not None else "")
        if not self.taking:
            self.message = ""

    def _on_health(self, *_args) -> None:
        self.camera_ok = self.camera is not None and self.services.devices.available("camera")
        self._show_camera_state()

    def _show_camera_state(self) -> None:
        preview = self.ids.preview
        if self.camera_ok:
            if self.message and self.message == self._down_text:
                self.message = ""
            preview.placeholder_text = t("face_starting")
            return
        self.passing, self._ok_since = False, None
        preview.guidance = ""
        preview.placeholder_text = ""  # 摄像头暂不可用
        item = self.session.item
        venue = item.guide.venues[0] if item is not None and item.guide.venues else None
        self.message = self._down_text = (
            t("face_camera_down", venue=venue.name, phone=venue.phone or "12345")
            if venue is not None else t("face_camera_down_short"))

    # -- the live check --------------------------------------------------------------------
    def _check(self, _dt: float = 0) -> None:
        if self._checking or self.taking or self.session.state is not State.FACE:
            return
        camera = self.camera
        try:
            if camera is None:
                raise DeviceUnavailable("no camera configured")
            frame, seq = camera.latest_frame()
        except DeviceUnavailable:
            if self.camera_ok:
                self.camera_ok = False
                self._show_camera_state()
            return
        except Exception as err:
            log.error("face: latest_frame failed: %s", type(err).__name__)
            return
        if not self.camera_ok:
            self._on_health()
            if not self.camera_ok:
                return
        if seq == self._last_seq:
            return
        self._last_seq, self._checking = seq, True
        generation = self._generation
        self.services.in_worker(lambda: check_face(frame),
                                lambda ok, value: self._checked(generation, ok, value), "face-check")

    def _checked(self, generation: int, ok: bool, result: Any) -> None:
        if generation != self._generation:
            return
        self._checking = False
        if self.taking or self.session.state is not State.FACE:
            return
        preview = self.ids.preview
        if not ok:
            self.passing, self._ok_since = False, None
            preview.guidance = ""
            return
        self.passing = bool(result.ok)
        if not result.ok:
            self._ok_since = None
            preview.guidance = result.text
            return
        now = time.monotonic()
        if self._ok_since is None:
            self._ok_since = now
        preview.guidance = t("face_auto")
        if now - self._ok_since >= HOLD_S:
            self.take()

    # -- the photo -------------------------------------------------------------------------
    def take(self) -> None:
        """拍照: a fresh still in a worker; ``face_taken`` with its JPEG on the main thread."""
        camera = self.camera
        if self.taking or camera is None or self.session.state is not State.FACE:
            return
        self.taking, self.message = True, t("face_taking")
        self.ids.preview.guidance = t("face_taking")
        generation = self._generation
        self.services.in_worker(lambda: take_photo(camera),
                                lambda ok, value: self._taken(generation, ok, value), "face-photo")

    def _taken(self, generation: int, ok: bool, value: Any) -> None:
        if generation != self._generation or self.session.state is not State.FACE:
            if ok and isinstance(value, Blob):
                value.wipe()  # the visit it was for is over
            return
        self.taking, self.passing, self._ok_since = False, False, None
        self.message = ""
        if not ok:
            if isinstance(value, DeviceUnavailable):
                self.camera_ok = False
                self._show_camera_state()
            else:
                self.message = t("face_failed")
            return
        if not isinstance(value, Blob):  # a Rejection: the citizen moved
            self.ids.preview.guidance = value.text
            self.message = t("face_failed")
            return
        try:
            self.session.face_taken(value)
        except SessionError as err:
            value.wipe()
            self.message = explain(err)
        except Exception as err:  # never into Kivy
            value.wipe()
            log.error("face: photo not taken: %s", type(err).__name__)
            self.message = t("face_failed")


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
