"""拍摄材料 on the emulated camera (``make_kiosk(simulate=True)``: the real driver, the real page
finder): one material at a time with a live preview; a page that is not there is refused with
the driver's Chinese reason and 重拍 works; 重拍 per material; optional ones skipped; the
camera unplugged mid-way; 取消; no thumbnail or preview left afterwards."""

from __future__ import annotations

import pytest

from drivers.idcard import samples
from kiosk.session import State
from tests.ui.test_screen_form import register, to_form
from tests.ui.widget_harness import texture_rgb

ITEM = "zz-fwzlba"
FORM = {"role": "承租人", "house_address": "河南省郑州市二七区大学路81号院2号楼1单元502室",
        "area": "85", "rent": "2300", "use": "居住", "start_date": "2026-12-01",
        "end_date": "2027-11-30", "other_name": "张建国", "phone": "13800138000"}


@pytest.fixture
def kiosk(make_kiosk, monkeypatch):
    register(monkeypatch)
    kiosk = make_kiosk(simulate=True)
    kiosk.wait(lambda: kiosk.services.devices.available("camera"), timeout=10)
    return kiosk


def to_materials(kiosk):
    """The form is another test's business: hand the session its values as the form does."""
    to_form(kiosk, ITEM, samples.LI_XIAOMING)
    kiosk.session.form_submitted(FORM)
    kiosk.idle(3)
    assert kiosk.session.state is State.MATERIALS and kiosk.screen_name == "materials"
    return kiosk.screen


def scene(kiosk, name: str) -> None:
    kiosk.devices["camera"].source.set_scene(name)


def take(kiosk, screen) -> None:
    kiosk.tap(screen.ids.take_button)
    assert screen.busy or screen.message  # the still is taken in a worker thread
    kiosk.wait(lambda: not screen.busy, timeout=10)
    kiosk.idle(2)


def take_material(kiosk, screen, code: str) -> None:
    assert screen.current == code
    pages = next(m.pages for m in kiosk.session.item.materials if m.code == code)
    for _ in range(pages):
        take(kiosk, screen)


def test_one_material_at_a_time_with_a_live_preview(kiosk):
    screen = to_materials(kiosk)
    assert screen.current == "lease"
    texts = kiosk.texts()
    assert "请拍摄：房屋租赁合同" in texts and "第1页，共6页" in texts
    assert any("须有双方签字" in t for t in texts)
    preview = screen.ids.preview
    assert preview.running and preview.guide == "page"
    kiosk.wait(lambda: preview.texture is not None)
    assert [row.name_text for row in screen.rows.values()] == [
        "房屋租赁合同", "不动产权证书或房屋所有权证", "对方身份证或营业执照", "授权委托书（选填）"]
    assert screen.ids.skip_button.disabled  # a required material cannot be skipped


def test_a_page_is_taken_straightened_and_thumbnailed(kiosk):
    screen = to_materials(kiosk)
    scene(kiosk, "document")
    take(kiosk, screen)
    assert kiosk.session.pages_taken("lease") == 1
    assert screen.message == "第1页已拍好。" and not screen.warn
    row = screen.rows["lease"]
    assert len(row.thumbs) == 1 and row.thumbs[0].texture is not None
    assert row.status == "已拍1/6页" and "第2页，共6页" in kiosk.texts()
    blob = kiosk.session._visit.pages["lease"][0]
    assert blob.content_type == "image/jpeg" and bytes(blob.data[:2]) == b"\xff\xd8"


def test_no_page_is_refused_with_the_reason_and_retake_works(kiosk):
    screen = to_materials(kiosk)
    scene(kiosk, "empty")
    take(kiosk, screen)
    assert kiosk.session.pages_taken("lease") == 0
    assert screen.warn and screen.message == "请把材料平放在拍摄区域内"
    assert screen.ids.take_button.text == "重拍"
    scene(kiosk, "document")
    take(kiosk, screen)
    assert kiosk.session.pages_taken("lease") == 1 and not screen.warn
    assert screen.ids.take_button.text == "拍照"


def test_a_blurred_page_is_refused(kiosk):
    screen = to_materials(kiosk)
    kiosk.devices["camera"].source.set_scene("document", blur=6.0)
    take(kiosk, screen)
    assert kiosk.session.pages_taken("lease") == 0
    assert "模糊" in screen.message


def test_retake_a_material_discards_its_pages(kiosk):
    screen = to_materials(kiosk)
    scene(kiosk, "document")
    take(kiosk, screen)
    take(kiosk, screen)
    row = screen.rows["lease"]
    blobs = list(kiosk.session._visit.pages["lease"])
    textures = [image.texture for image in row.thumbs]
    kiosk.tap(row.ids.retake_button)
    assert kiosk.session.pages_taken("lease") == 0 and row.thumbs == []
    assert all(b.size == 0 for b in blobs)  # zeroed by the session
    assert all(not texture_rgb(t).any() for t in textures)  # zeroed by the screen
    assert "第1页，共6页" in kiosk.texts()


def test_all_materials_optional_skipped_then_done_goes_to_signature(kiosk):
    screen = to_materials(kiosk)
    scene(kiosk, "document")
    kiosk.tap(screen.ids.done_button)
    assert kiosk.session.state is State.MATERIALS and "还需要拍摄" in screen.message
    for code in ("lease", "property-cert", "other-id"):
        take_material(kiosk, screen, code)
    assert screen.current == "proxy" and not screen.ids.skip_button.disabled
    kiosk.tap(screen.ids.skip_button)
    assert screen.current is None and screen.rows["proxy"].status == "已跳过"
    assert screen.ids.take_button.disabled
    kiosk.tap(screen.ids.done_button)
    assert kiosk.session.state is State.SIGNATURE and kiosk.screen_name == "signature"
    assert not screen.ids.preview.running and screen.ids.preview.texture is None


def test_camera_unplugged_mid_materials(kiosk):
    screen = to_materials(kiosk)
    scene(kiosk, "document")
    take(kiosk, screen)
    source = kiosk.devices["camera"].source
    source.unplug()
    kiosk.wait(lambda: not kiosk.services.devices.available("camera"), timeout=10)
    kiosk.idle(3)
    assert screen.ids.take_button.disabled and "摄像头暂时无法使用" in screen.message
    kiosk.wait(lambda: screen.ids.preview.show_placeholder, timeout=5)
    assert "摄像头暂不可用" in kiosk.texts()
    assert kiosk.session.pages_taken("lease") == 1  # what was taken is kept
    source.plug()
    kiosk.wait(lambda: kiosk.services.devices.available("camera"), timeout=10)
    kiosk.idle(3)
    assert not screen.ids.take_button.disabled and "摄像头" not in screen.message
    take(kiosk, screen)
    assert kiosk.session.pages_taken("lease") == 2


def test_cancel_wipes_thumbnails_and_stops_the_preview(kiosk):
    screen = to_materials(kiosk)
    scene(kiosk, "document")
    take(kiosk, screen)
    row = screen.rows["lease"]
    texture = row.thumbs[0].texture
    blob = kiosk.session._visit.pages["lease"][0]
    kiosk.tap(screen.ids.cancel_button)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    assert blob.size == 0 and not texture_rgb(texture).any()
    assert screen.rows == {} and not screen.ids.material_list.children
    assert not screen.ids.preview.running and screen.ids.preview.texture is None
    assert screen.message == "" and screen.heading == ""


def test_a_shot_arriving_after_cancel_is_dropped(kiosk):
    screen = to_materials(kiosk)
    scene(kiosk, "document")
    kiosk.tap(screen.ids.take_button)
    kiosk.session.cancel()  # before the worker's answer reaches the main thread
    screen._worker.join(10)
    kiosk.idle(3)  # the answer arrives on the main thread and is dropped, zeroed
    assert kiosk.session.state is State.HOME and screen.rows == {} and not screen.busy
    assert kiosk.session.pages_taken("lease") == 0
