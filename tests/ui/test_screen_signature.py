"""手写签名, and the whole of 房屋租赁登记备案 through 填写信息 → 拍摄材料 → 手写签名 to CONFIRM on
the emulated devices, tapping the real widgets; too little ink says 请在框内签名; 重写 clears;
上一步 and 取消 from each step; nothing personal on any of the three screens afterwards."""

from __future__ import annotations

import pytest

from drivers.idcard import samples
from kiosk.session import State
from tests.ui.test_screen_form import GOOD_PHONE, fill_lease_form, register, to_form
from tests.ui.test_screen_materials import FORM, scene, take_material, to_materials
from tests.ui.widget_harness import texture_rgb


def sign(kiosk, pad, points=None) -> None:
    """A finger writing a zigzag across the pad, through the window's touch dispatch."""
    kiosk.drag(pad, points or [(0.15 + 0.05 * i, 0.35 + 0.3 * (i % 2)) for i in range(14)])


@pytest.fixture
def kiosk(make_kiosk, monkeypatch):
    register(monkeypatch)
    kiosk = make_kiosk(simulate=True)
    kiosk.wait(lambda: kiosk.services.devices.available("camera"), timeout=10)
    return kiosk


def to_signature(kiosk):
    to_materials(kiosk)
    for code, req in ((m.code, m) for m in kiosk.session.item.materials if m.required):
        for _ in range(req.pages):
            kiosk.session.material_taken(code, _page())
    kiosk.session.materials_done()
    kiosk.idle(3)
    assert kiosk.session.state is State.SIGNATURE and kiosk.screen_name == "signature"
    return kiosk.screen


def _page():
    from kiosk.simulation.citizen import photo

    return photo("document", (320, 240))


def test_full_pass_form_materials_signature_reaches_confirm(kiosk):
    form = to_form(kiosk)
    fill_lease_form(kiosk, form)
    kiosk.tap(form.ids.next_button)
    assert kiosk.screen_name == "materials"
    materials = kiosk.screen
    scene(kiosk, "empty")  # a failed page first: refused, nothing kept
    kiosk.tap(materials.ids.take_button)
    kiosk.wait(lambda: not materials.busy, timeout=10)
    kiosk.idle(2)
    assert materials.warn and kiosk.session.pages_taken("lease") == 0
    scene(kiosk, "document")
    for code in ("lease", "property-cert", "other-id"):
        take_material(kiosk, materials, code)
    kiosk.tap(materials.ids.skip_button)  # 授权委托书 is optional
    kiosk.tap(materials.ids.done_button)
    assert kiosk.screen_name == "signature"
    screen = kiosk.screen
    assert "李*明" in screen.intro
    sign(kiosk, screen.ids.pad)
    kiosk.tap(screen.ids.confirm_button)
    assert kiosk.session.state is State.CONFIRM
    visit = kiosk.session._visit
    assert visit.signature.content_type == "image/png" and bytes(visit.signature.data[1:4]) == b"PNG"
    assert [kiosk.session.pages_taken(c) for c in ("lease", "property-cert", "other-id", "proxy")] \
        == [6, 2, 2, 0]
    assert visit.form["phone"] == GOOD_PHONE and visit.form["use"] == "居住"
    assert screen.ids.pad.strokes == [] and screen.intro == ""  # the pad is wiped on leaving
    # the screens behind hold nothing personal either
    manager = kiosk.app.manager
    assert manager.get_screen("form").rows == {}
    assert not manager.get_screen("materials").ids.preview.running
    thumbs = [i.texture for r in manager.get_screen("materials").rows.values() for i in r.thumbs]
    assert len(thumbs) == 10
    kiosk.session.cancel()  # the visit ends (from CONFIRM): the thumbnails go too
    kiosk.idle(2)
    assert manager.get_screen("materials").rows == {}
    assert all(not texture_rgb(t).any() for t in thumbs)


def test_too_little_ink_asks_to_sign_in_the_box(kiosk):
    screen = to_signature(kiosk)
    kiosk.tap(screen.ids.confirm_button)
    assert screen.message == "请在框内签名" and kiosk.session.state is State.SIGNATURE
    sign(kiosk, screen.ids.pad, [(0.5, 0.5), (0.51, 0.5)])  # a dot is not a signature
    kiosk.tap(screen.ids.confirm_button)
    assert screen.message == "请在框内签名" and kiosk.session.state is State.SIGNATURE
    assert "请在框内签名" in kiosk.texts()


def test_rewrite_clears_the_pad(kiosk):
    screen = to_signature(kiosk)
    pad = screen.ids.pad
    sign(kiosk, pad)
    assert pad.has_enough_ink
    kiosk.tap(screen.ids.clear_button)
    assert pad.is_empty and pad.strokes == [] and not pad.has_enough_ink
    kiosk.tap(screen.ids.confirm_button)
    assert screen.message == "请在框内签名"


def test_back_goes_to_materials_with_the_pages_kept(kiosk):
    screen = to_signature(kiosk)
    sign(kiosk, screen.ids.pad)
    kiosk.tap(screen.ids.back_button)
    assert kiosk.session.state is State.MATERIALS and kiosk.screen_name == "materials"
    assert screen.ids.pad.strokes == []
    assert kiosk.session.pages_taken("lease") == 6
    materials = kiosk.screen
    assert materials.ids.preview.running and materials.rows["lease"].status == "已拍6/6页"
    kiosk.tap(materials.ids.back_button)
    assert kiosk.session.state is State.FORM
    form = kiosk.screen
    assert form.rows["phone"].value() == FORM["phone"] and form.rows["rent"].value() == "2300"


def test_cancel_from_signature_wipes_the_pad(kiosk):
    screen = to_signature(kiosk)
    pad = screen.ids.pad
    sign(kiosk, pad)
    kiosk.tap(screen.ids.cancel_button)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    assert pad.strokes == [] and pad.is_empty and screen.intro == "" and screen.message == ""
    assert kiosk.session.applicant is None


def test_landscape_signature_pad_fits(make_kiosk, monkeypatch):
    from tests.ui.conftest import LANDSCAPE

    register(monkeypatch)
    kiosk = make_kiosk(simulate=True, size=LANDSCAPE)
    kiosk.wait(lambda: kiosk.services.devices.available("camera"), timeout=10)
    screen = to_signature(kiosk)
    kiosk.idle(3)
    pad, actions = screen.ids.pad, screen.ids.actions
    assert pad.width > 600 and pad.y >= actions.top - 1 and pad.top <= screen.ids.content.top + 1
    assert samples.LI_XIAOMING.name not in " ".join(kiosk.texts())
