"""首页: 24小时自助服务 — the six big function tiles, the most asked-for items (常办事项),
the 长辈模式 switch; clock, network and device state in the header; the identity card in
the footer. Items that cannot be served now are shown disabled with why."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty

from kiosk.catalog.model import category_for
from kiosk.session import InvalidTransition
from kiosk.ui.base import KioskScreen
from kiosk.ui.screens.service_base import CornerHold
from kiosk.ui.strings import device_names, language, t
from kiosk.ui.widgets.buttons import BigButton, Tile

#: 常办事项 shown: two rows in portrait, one in landscape (so nothing is cut off).
FREQUENT = {True: 6, False: 3}


def item_subtitle(item) -> str:
    limit, category = item.guide.time_limit, item.category_for(language())
    if limit.promised_days == 0:
        return f"{category} · {t('promised_now')}"
    return f"{category} · {t('promised_days', n=limit.promised_days, unit=t(f'unit.{limit.unit}', n=limit.promised_days))}"


def category_name(items, category: str) -> str:
    """A category's name in the citizen's language (the catalog's items carry it)."""
    return category_for(items, category, language())


def item_tile(app, item, kind: str = "secondary") -> Tile:
    """A tile for one item: disabled with 暂不可办 and why when a device it needs is down."""
    missing = app.services.devices.missing_for(item)
    tile = Tile(title=item.name_for(language()), subtitle=item_subtitle(item), kind=kind)
    if missing:
        tile.disabled = True
        tile.note = t("unavailable_why", names=device_names(missing))
    tile.item_code = item.code
    tile.bind(on_release=lambda *_: app.choose_item(item))
    return tile


class HomeScreen(CornerHold, KioskScreen):  # CornerHold: the service menu's hidden entry
    elder = BooleanProperty(False)

    def on_enter(self, *args):
        self.app.services.devices.bind(health=self._health_changed)

    def on_leave(self, *args):
        self.app.services.devices.unbind(health=self._health_changed)

    def _health_changed(self, *_args) -> None:
        if self.app is not None:  # a hub outliving a stopped app must not reach its home
            self.refresh()

    def on_portrait(self, *_args) -> None:
        if self.manager is not None:
            self.refresh()

    def refresh(self) -> None:
        session = self.session
        self.elder = session.elder_mode
        grid = self.ids.frequent_grid
        grid.clear_widgets()
        for item in self.services.frequent(FREQUENT[self.portrait], elder=self.elder):
            grid.add_widget(item_tile(self.app, item))
        cats = self.ids.category_grid
        cats.clear_widgets()
        self.category_buttons = {}
        for category in self.services.categories() if self.portrait else []:  # landscape: no room
            label = category_name(self.services.catalog.items, category)
            button = BigButton(text=label, kind="quiet")
            button.bind(on_release=lambda _b, c=category, n=label: self.app.show_catalog(n, category=c))
            cats.add_widget(button)
            self.category_buttons[category] = button
        self.ids.lower_scroll.scroll_y = 1

    # -- the tiles -------------------------------------------------------------------------
    def open_catalog(self, title: str, kind: str | None = None) -> None:
        self.app.show_catalog(title, kind)

    def progress(self, intent: str = "progress") -> None:
        self.app.intent = intent
        try:
            self.session.query_progress()
        except InvalidTransition:
            self.app.go_home()

    def appointment(self) -> None:
        items = self.services.items(kind="appointment")
        if len(items) == 1 and self.services.servable(items[0]):
            self.app.choose_item(items[0])
        else:
            self.open_catalog(t("tile_appointment"), "appointment")

    def toggle_elder(self) -> None:
        on = not self.session.elder_mode
        self.session.set_elder_mode(on)
        self.app.theme.set_elder(on)
        self.refresh()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
