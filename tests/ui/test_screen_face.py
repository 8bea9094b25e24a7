"""人像采集: the live preview with guidance from ``check_face``, 拍照 enabled when the check
passes, auto-capture after holding still, the JPEG reaching the session; the emulated
camera's face scene; the camera unplugged on the screen; cancel; nothing left after."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from drivers.camera import scenes
from drivers.errors import DeviceUnavailable
from drivers.health import DeviceState
from drivers.idcard import samples
from kiosk.session import State
from kiosk.ui.screens import SCREENS
from tests.ui.conftest import StubDriver, stub_devices


class FakeCamera(StubDriver):
    """A camera without threads: ``latest_frame``/``still`` from a scene; ``unplug()``."""

    def __init__(self, scene: str = "face", **options) -> None:
        super().__init__("camera")
        self._lock = threading.Lock()
        self.seq = 0
        self.present = True
        self.stills = 0
        self.show(scene, **options)

    def show(self, scene: str, **options) -> None:
        with self._lock:
            self.frame = scenes.make_scene(scene, **options)((640, 480))

    def latest_frame(self):
        with self._lock:
            if not self.present:
                raise DeviceUnavailable("camera: not connected")
            self.seq += 1
            return self.frame, self.seq

    def still(self, timeout: float = 3.0):
        with self._lock:
            if not self.present:
                raise DeviceUnavailable("camera: not connected")
            self.stills += 1
            return self.frame.copy()

    def unplug(self) -> None:
        self.present = False
        self.set(DeviceState.NO_DEVICE, "unplugged")

    def plug(self) -> None:
        self.present = True
        self.set(DeviceState.ONLINE, "plugged")


def face_devices(camera: FakeCamera | None = None) -> dict:
    devices = stub_devices()
    devices["camera"] = camera or FakeCamera()
    return devices


@pytest.fixture(autouse=True)
def screens(monkeypatch):
    for name, cls in (("identify", "IdentifyScreen"), ("ineligible", "IneligibleScreen"),
                      ("face", "FaceScreen")):
        monkeypatch.setitem(SCREENS, name, f"kiosk.ui.screens.{name}:{cls}")


def to_face(kiosk, code="zz-cjrlxbt"):
    item = next(i for i in kiosk.services.catalog.items if i.code == code)
    kiosk.app.choose_item(item)  # the catalog's tiles are tested in test_flow
    kiosk.idle(2)
    kiosk.tap(kiosk.screen.ids.start_button)
    kiosk.services.devices.dispatch("on_card", samples.LI_XIAOMING)
    kiosk.idle(2)
    assert kiosk.session.state is State.FACE and kiosk.screen_name == "face"
    return kiosk.screen


def face_blob(kiosk):
    return kiosk.session._visit.face  # the session's own copy (no public reader before confirm)


def left_nothing(kiosk, screen) -> None:
    kiosk.idle(3)  # the screen manager finishes the switch on the next frame
    assert screen.ids.preview.texture is None and not screen.ids.preview.running
    assert screen.applicant_text == "" and screen.ids.preview.guidance == ""
    assert not any("李" in w.text for w in screen.walk() if isinstance(getattr(w, "text", None), str))


def test_guidance_follows_the_check_and_the_button_takes_the_photo(make_kiosk, monkeypatch):
    from kiosk.ui.screens import face

    monkeypatch.setattr(face, "HOLD_S", 60)  # no auto-capture: the button does it
    camera = FakeCamera("face", placements=((0.5, 0.45, 0.15),))  # too far away
    kiosk = make_kiosk(devices=face_devices(camera))
    screen = to_face(kiosk)
    assert "申请人：李*明" in kiosk.texts()
    kiosk.wait(lambda: screen.ids.preview.guidance == "请靠近一点", timeout=15)
    assert screen.ids.take_button.disabled
    assert screen.ids.preview.texture is not None and screen.ids.preview.guide == "face"
    camera.show("empty")
    kiosk.wait(lambda: screen.ids.preview.guidance.startswith("请正对摄像头"), timeout=15)
    camera.show("face", placements=((0.8, 0.45, 0.4),))
    kiosk.wait(lambda: "移动" in screen.ids.preview.guidance, timeout=15)
    camera.show("face")
    kiosk.wait(lambda: not screen.ids.take_button.disabled, timeout=15)
    assert "保持不动" in screen.ids.preview.guidance
    kiosk.tap(screen.ids.take_button)
    kiosk.wait(lambda: kiosk.session.state is State.FORM, timeout=15)
    blob = face_blob(kiosk)
    assert blob.content_type == "image/jpeg" and bytes(blob.data[:2]) == b"\xff\xd8"
    assert camera.stills == 1
    left_nothing(kiosk, screen)


def test_holding_still_takes_the_photo_by_itself(make_kiosk):
    kiosk = make_kiosk(devices=face_devices())
    to_face(kiosk)
    kiosk.wait(lambda: kiosk.session.state is State.FORM, timeout=15)
    assert face_blob(kiosk).size > 1000


def test_a_photo_that_moved_is_not_taken(make_kiosk, monkeypatch):
    from kiosk.ui.screens import face

    monkeypatch.setattr(face, "HOLD_S", 60)
    camera = FakeCamera()
    kiosk = make_kiosk(devices=face_devices(camera))
    screen = to_face(kiosk)
    kiosk.wait(lambda: not screen.ids.take_button.disabled, timeout=15)
    still = camera.still
    camera.still = lambda timeout=3.0: np.full((480, 640, 3), 200, np.uint8)  # moved away
    kiosk.tap(screen.ids.take_button)
    kiosk.wait(lambda: screen.message == "照片没有拍好，请保持不动，再试一次。", timeout=15)
    assert kiosk.session.state is State.FACE and face_blob(kiosk) is None
    camera.still = still
    kiosk.wait(lambda: not screen.ids.take_button.disabled, timeout=15)


def test_emulated_camera_face_scene_reaches_the_next_state(make_kiosk):
    kiosk = make_kiosk(simulate=True)
    hub = kiosk.services.devices
    kiosk.wait(lambda: hub.available("camera") and hub.available("idcard"), timeout=15)
    hub.rig.camera_source.set_scene("empty")
    screen = to_face(kiosk)
    kiosk.wait(lambda: screen.ids.preview.guidance.startswith("请正对摄像头"), timeout=15)
    assert screen.ids.take_button.disabled
    hub.rig.camera_source.set_scene("face")
    kiosk.wait(lambda: kiosk.session.state is State.FORM, timeout=15)
    assert bytes(face_blob(kiosk).data[:2]) == b"\xff\xd8"
    left_nothing(kiosk, screen)


def test_camera_unplugged_on_the_face_screen(make_kiosk, monkeypatch):
    from kiosk.ui.screens import face

    monkeypatch.setattr(face, "HOLD_S", 60)
    camera = FakeCamera()
    kiosk = make_kiosk(devices=face_devices(camera))
    screen = to_face(kiosk)
    kiosk.wait(lambda: not screen.ids.take_button.disabled, timeout=15)
    camera.unplug()
    kiosk.wait(lambda: "摄像头暂时无法使用" in screen.message, timeout=15)
    assert screen.ids.take_button.disabled and not screen.camera_ok
    assert "取消" in screen.message and "0371-" in screen.message
    assert screen.ids.preview.guidance == ""
    kiosk.wait(lambda: screen.ids.preview.show_placeholder, timeout=15)
    assert screen.ids.preview.texture is None
    assert not screen.ids.cancel_button.disabled
    kiosk.tap(screen.ids.cancel_button)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    left_nothing(kiosk, screen)


def test_camera_comes_back_and_the_photo_can_be_taken(make_kiosk):
    camera = FakeCamera()
    camera.unplug()
    kiosk = make_kiosk(devices=face_devices(camera))
    kiosk.tap(kiosk.screen.ids.tile_apply)
    assert kiosk.screen.item_tiles["zz-cjrlxbt"].disabled  # home already says so
    camera.plug()
    kiosk.idle(3)
    screen = to_face(kiosk)
    camera.unplug()
    kiosk.wait(lambda: "摄像头暂时无法使用" in screen.message, timeout=15)
    camera.plug()
    kiosk.wait(lambda: screen.message == "" or kiosk.session.state is State.FORM, timeout=15)
    kiosk.wait(lambda: kiosk.session.state is State.FORM, timeout=15)


def test_emulated_camera_unplugged(make_kiosk):
    kiosk = make_kiosk(simulate=True)
    hub = kiosk.services.devices
    kiosk.wait(lambda: hub.available("camera") and hub.available("idcard"), timeout=15)
    hub.rig.camera_source.set_scene("empty")
    screen = to_face(kiosk)
    kiosk.wait(lambda: screen.ids.preview.texture is not None, timeout=15)
    hub.rig.camera_source.unplug()
    kiosk.wait(lambda: "摄像头暂时无法使用" in screen.message, timeout=15)
    kiosk.tap(screen.ids.cancel_button)
    assert kiosk.session.state is State.HOME
    left_nothing(kiosk, screen)


def test_cancel_while_the_photo_is_being_taken_drops_it(make_kiosk, monkeypatch):
    from kiosk.ui.screens import face

    monkeypatch.setattr(face, "HOLD_S", 60)
    gate = threading.Event()
    camera = FakeCamera()
    kiosk = make_kiosk(devices=face_devices(camera))
    screen = to_face(kiosk)
    kiosk.wait(lambda: not screen.ids.take_button.disabled, timeout=15)
    still = camera.still
    taken = []

    def slow_still(timeout=3.0):
        gate.wait(5)
        frame = still(timeout)
        taken.append(frame)
        return frame

    camera.still = slow_still
    kiosk.tap(screen.ids.take_button)
    assert screen.taking and screen.ids.take_button.disabled
    kiosk.tap(screen.ids.cancel_button)
    assert kiosk.session.state is State.HOME
    gate.set()
    kiosk.wait(lambda: taken, timeout=15)
    kiosk.idle(5)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    assert not taken[0].any()  # the still was zeroed in the worker
    left_nothing(kiosk, screen)


def test_idle_timeout_on_the_face_screen_wipes_it(make_kiosk, monkeypatch):
    from kiosk.ui.screens import face

    monkeypatch.setattr(face, "HOLD_S", 60)
    kiosk = make_kiosk(devices=face_devices())
    screen = to_face(kiosk)
    kiosk.wait(lambda: screen.ids.preview.texture is not None, timeout=15)
    kiosk.clock.advance(kiosk.session.idle_timeout_s)
    kiosk.app.tick()
    assert kiosk.session.state is State.IDLE_WARNING
    kiosk.idle(3)
    assert screen.ids.take_button.disabled or screen.session.state is not State.FACE
    kiosk.clock.advance(kiosk.session.settings.idle_countdown_s)
    kiosk.app.tick()
    kiosk.idle(2)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    left_nothing(kiosk, screen)
