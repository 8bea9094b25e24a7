"""An item needing a device that is down is disabled and says why; the others stay usable.
When nothing can be served, the full 暂停服务 screen names the maintainer and phone."""

from drivers.health import DeviceState
from kiosk.catalog.model import Catalog
from kiosk.session import State
from tests.ui.conftest import _CATALOG


def test_camera_down_disables_the_items_that_need_it_and_says_why(kiosk):
    kiosk.tap(kiosk.screen.ids.tile_apply)
    catalog = kiosk.screen
    kiosk.devices["camera"].set(DeviceState.OFFLINE)
    kiosk.idle(3)  # the health change arrives on the main thread
    for item in kiosk.services.catalog.items:
        tile = catalog.item_tiles[item.code]
        if "camera" in item.needed_devices():
            assert tile.disabled and "暂不可办" in tile.note and "摄像头" in tile.note, item.code
        else:
            assert not tile.disabled and tile.note == "", item.code
    assert "摄像头" in kiosk.app.status_text and kiosk.app.status_warn
    kiosk.tap(catalog.item_tiles["zz-gljt"])  # a disabled tile does nothing
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "catalog"
    kiosk.tap(catalog.item_tiles["zz-yysmdb"])  # needs no camera: still served
    assert kiosk.session.state is State.GUIDE


def test_idcard_reader_down_disables_only_card_only_items(kiosk):
    kiosk.devices["idcard"].set(DeviceState.NO_DEVICE)
    kiosk.idle(3)
    kiosk.tap(kiosk.screen.ids.tile_apply)
    tiles = kiosk.screen.item_tiles
    disabled = {code for code, tile in tiles.items() if tile.disabled}
    assert disabled == {"zz-lhjytx", "zz-lszydl"}
    assert "身份证阅读器" in tiles["zz-lhjytx"].note


def test_device_recovery_enables_the_items_again(kiosk):
    kiosk.tap(kiosk.screen.ids.tile_apply)
    kiosk.devices["camera"].set(DeviceState.OFFLINE)
    kiosk.idle(3)
    assert kiosk.screen.item_tiles["zz-gljt"].disabled
    kiosk.devices["camera"].set(DeviceState.ONLINE)
    kiosk.idle(3)
    assert not kiosk.screen.item_tiles["zz-gljt"].disabled


def test_frequent_tiles_on_home_follow_device_health(kiosk):
    kiosk.devices["camera"].set(DeviceState.HARDWARE_ERROR)
    kiosk.idle(3)
    tiles = {w.title: w for w in kiosk.screen.ids.frequent_grid.children}
    assert tiles["高龄津贴申领"].disabled and "摄像头" in tiles["高龄津贴申领"].note


def test_nothing_servable_shows_out_of_service_with_the_maintainer(make_kiosk):
    camera_only = Catalog(version="t", items=[i for i in _CATALOG.items if "camera" in i.needed_devices()])
    kiosk = make_kiosk(catalog=camera_only)
    assert kiosk.screen_name == "home"
    kiosk.devices["camera"].set(DeviceState.OFFLINE)
    kiosk.idle(3)
    assert kiosk.screen_name == "out_of_service"
    screen = kiosk.screen
    assert screen.ids.maintainer_label.text == "二七区政务服务中心"
    assert screen.ids.phone_label.text == "0371-68665010"
    assert "暂停服务" in kiosk.texts() and "设备故障" in screen.ids.reason_label.text
    kiosk.services.write_heartbeat()
    assert kiosk.services.ui_state() == "out_of_service"
    kiosk.devices["camera"].set(DeviceState.ONLINE)
    kiosk.idle(3)
    assert kiosk.screen_name == "home"
