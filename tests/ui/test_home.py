"""The home screen: the six function tiles, 常办事项 and 事项分类 from the catalog, 长辈模式,
the clock, the status line and the identity card; large touch targets in both
orientations."""

import pytest

from kiosk.session import State
from kiosk.ui import router
from kiosk.ui.screens import SCREENS
from kiosk.ui.theme import ELDER_SCALE, TOUCH
from tests.ui.conftest import LANDSCAPE, PORTRAIT

TILES = {"tile_apply": "办事", "tile_guide": "办事指南", "tile_progress": "进度查询",
         "tile_certificate": "证明打印", "tile_rating": "好差评", "tile_appointment": "预约代办"}


def test_home_shows_the_tiles_the_frequent_items_and_the_identity_card(kiosk):
    home = kiosk.screen
    assert kiosk.screen_name == "home"
    for tile_id, title in TILES.items():
        assert home.ids[tile_id].title == title
    texts = kiosk.texts()
    assert "24小时自助服务" in texts and "常办事项" in texts and "事项分类" in texts
    frequent = [w.title for w in home.ids.frequent_grid.children]
    assert len(frequent) == 6 and "高龄津贴申领" in frequent  # the most asked-for first (portrait)
    assert set(home.category_buttons) == set(kiosk.services.categories())
    footer = home.ids.footer.ids.lbl.text
    for part in ("设备名称：政务服务自助一体机", "类别：24小时自助服务终端", "维护单位：二七区政务服务中心",
                 "联系电话：0371-68665010"):
        assert part in footer
    assert "月" in kiosk.app.clock_text and "周" in kiosk.app.clock_text
    assert "设备正常" in kiosk.app.status_text
    assert not home.ids.cancel_button.opacity  # nothing to cancel on home


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_tiles_are_large_and_inside_the_window_without_overlap(make_kiosk, size):
    kiosk = make_kiosk(size=size)
    home = kiosk.screen
    boxes = []
    for tile_id in TILES:
        tile = home.ids[tile_id]
        assert tile.height >= TOUCH and tile.width >= TOUCH
        x, y = tile.to_window(*tile.pos)
        assert 0 <= x and x + tile.width <= size[0] and 0 <= y and y + tile.height <= size[1]
        boxes.append((x, y, x + tile.width, y + tile.height))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    assert home.ids.elder_button.height >= TOUCH


def test_apply_and_guide_tiles_open_the_catalog(kiosk):
    kiosk.tap(kiosk.screen.ids.tile_apply)
    assert kiosk.screen_name == "catalog" and kiosk.screen.title == "办事"
    kiosk.tap(kiosk.screen.ids.cancel_button)
    assert kiosk.screen_name == "home"
    kiosk.tap(kiosk.screen.ids.tile_certificate)
    assert kiosk.screen_name == "catalog"
    assert set(kiosk.screen.item_tiles) == {"zz-sbjfzm", "zz-ylqyd"}


def test_progress_and_rating_tiles_start_a_progress_query(kiosk):
    kiosk.tap(kiosk.screen.ids.tile_progress)
    assert kiosk.session.state is State.PROGRESS_QUERY
    assert kiosk.screen_name == router.screen_for(State.PROGRESS_QUERY, SCREENS)
    kiosk.tap(kiosk.screen.ids.cancel_button)
    assert kiosk.session.state is State.HOME and kiosk.screen_name == "home"
    assert "先查询您的办件" not in " ".join(kiosk.texts(kiosk.app.manager.get_screen("progress")))
    kiosk.tap(kiosk.screen.ids.tile_rating)
    assert kiosk.session.state is State.PROGRESS_QUERY and kiosk.app.intent == "rate"
    assert kiosk.screen_name == "progress" and "好差评" in kiosk.screen.title
    assert any("先查询您的办件，再进行评价" in text for text in kiosk.texts())


def test_appointment_tile_goes_straight_to_the_only_appointment_item(kiosk):
    kiosk.tap(kiosk.screen.ids.tile_appointment)
    assert kiosk.session.state is State.GUIDE and kiosk.session.item.code == "zz-yysmdb"
    assert kiosk.screen_name == "guide"


def test_category_button_opens_the_catalog_on_that_category(kiosk):
    kiosk.tap(kiosk.screen.category_buttons["医疗保障"])
    assert kiosk.screen_name == "catalog" and kiosk.screen.category == "医疗保障"
    assert set(kiosk.screen.item_tiles) == {"zz-ydjyba", "zz-cxjmyb"}


def test_frequent_tile_chooses_its_item(kiosk):
    tile = next(w for w in kiosk.screen.ids.frequent_grid.children if w.title == "高龄津贴申领")
    kiosk.tap(tile)
    assert kiosk.session.state is State.GUIDE and kiosk.session.item.code == "zz-gljt"


def test_elder_mode_grows_the_screen_and_ends_with_the_visit(kiosk):
    kiosk.tap(kiosk.screen.ids.elder_button)
    assert kiosk.session.elder_mode and kiosk.app.theme.scale == ELDER_SCALE
    assert "已开启" in kiosk.screen.ids.elder_button.text
    first = [w.title for w in reversed(kiosk.screen.ids.frequent_grid.children)][0]
    assert first == "高龄津贴申领"  # elder_first items lead
    kiosk.tap(kiosk.screen.ids.tile_apply)
    kiosk.tap(kiosk.screen.item_tiles["zz-gljt"])
    assert kiosk.session.elder_mode
    kiosk.tap(kiosk.screen.ids.cancel_button)
    assert not kiosk.session.elder_mode and kiosk.app.theme.scale == 1.0
    assert "已开启" not in kiosk.screen.ids.elder_button.text
