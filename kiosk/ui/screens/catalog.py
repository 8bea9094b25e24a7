"""事项列表: the items by category (全部事项 first). An item that needs a device which is
down is shown disabled with 暂不可办 and why; every other item stays usable. Tapping an
item chooses it (the session goes to GUIDE, the app shows the guide)."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.ui.base import KioskScreen
from kiosk.ui.screens.home import category_name, item_tile
from kiosk.ui.strings import t
from kiosk.ui.widgets.buttons import BigButton

ALL = ""


class CatalogScreen(KioskScreen):
    category = StringProperty(ALL)
    #: ``""`` for every kind, else an ``Item.kind`` (``certificate``, ``appointment``).
    kind = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.item_tiles: dict[str, object] = {}
        self.category_buttons: dict[str, BigButton] = {}

    def show(self, title: str, kind: str | None = None, category: str = ALL) -> None:
        self.title, self.kind, self.category = title, kind or "", category

    def on_enter(self, *args):
        self.services.devices.bind(health=self._health_changed)

    def on_leave(self, *args):
        self.services.devices.unbind(health=self._health_changed)

    def _health_changed(self, *_args) -> None:
        self.refresh()

    def on_category(self, *_args) -> None:
        if self.manager is not None:
            self.refresh()

    def refresh(self) -> None:
        kind = self.kind or None
        items = self.services.items(kind=kind)
        categories = [c for c in self.services.categories() if any(i.category == c for i in items)]
        bar = self.ids.categories
        bar.clear_widgets()
        self.category_buttons = {}
        names = [(c, category_name(items, c)) for c in categories]
        for code, label in [(ALL, t("all_items"))] + names:
            button = BigButton(text=label, kind="primary" if code == self.category else "quiet",
                               font_size=bar.button_font)
            button.bind(on_release=lambda _b, c=code: setattr(self, "category", c))
            bar.add_widget(button)
            self.category_buttons[code] = button
        grid = self.ids.item_grid
        grid.clear_widgets()
        self.item_tiles = {}
        for item in items:
            if self.category and item.category != self.category:
                continue
            tile = item_tile(self.app, item)
            grid.add_widget(tile)
            self.item_tiles[item.code] = tile
        self.ids.scroll.scroll_y = 1


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
