"""Keys, and in a development window a small panel, for the person running ``kiosk --simulate``.

:func:`attach` binds function keys on the window (a citizen never has a keyboard with
F-keys; the kiosk's touch screen sends none):

====  ===================================  ====  ======================================
F1    place a card (张桂英, the tour's)     F6    load paper
F2    lift the card                         F7    unplug / plug the printer
F3    swap in the next sample card          F8    unplug / plug the ID card reader
F4    show the last receipt's QR code       F9    cut / restore the network
F5    the printer runs out of paper
====  ===================================  ====  ======================================

With ``panel=True`` (``kiosk --simulate --windowed`` only: never on a hardened full-screen
kiosk, never in the tour's screenshots) a collapsible column of the same buttons sits at
the window's bottom-left corner. Each press acts through :class:`~kiosk.simulation.controls.SimControls`
on the emulators or the relay, never on a driver; what the kiosk shows next comes from the
real drivers and the real network check. A held key acts once (key repeat is ignored).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.graphics import Color, Rectangle
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label

from drivers.privacy import mask_name

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Action:
    key: int  # Kivy's key code (SDL keycode): F1 is 282
    label: Callable  # controls → the button's text now
    run: Callable  # (app, controls) → a note for the panel
    needs_network: bool = False


def _plug_label(name: str, device: str) -> Callable:
    return lambda c: ("拔" if c.plugged(name) else "插") + device


def _toggle_plug(name: str, device: str) -> Callable:
    return lambda app, c: (f"已插回{device}" if c.toggle_plug(name) else f"已拔下{device}")


def _do(method: str, note: str) -> Callable:
    """Run ``controls.<method>()``; the panel notes ``note``."""
    def run(app, controls) -> str:
        getattr(controls, method)()
        return note
    return run


def _toggle_network(app, controls) -> str:
    works = controls.toggle_network()
    app.services.check_network()  # the UI's own check, through the relay, at once
    return "网络已恢复" if works else "网络已断开"


ACTIONS: tuple[Action, ...] = (
    Action(282, lambda c: "放卡", lambda app, c: "已放卡：" + mask_name(c.place_card().name)),
    Action(283, lambda c: "取卡", _do("lift_card", "已取卡")),
    Action(284, lambda c: "换卡", lambda app, c: "已换卡：" + mask_name(c.next_card().name)),
    Action(285, lambda c: "扫码", lambda app, c: "已扫码：" + c.show_receipt_code()),
    Action(286, lambda c: "缺纸", _do("paper_out", "打印机缺纸")),
    Action(287, lambda c: "装纸", _do("paper_in", "已装纸")),
    Action(288, _plug_label("printer", "打印机"), _toggle_plug("printer", "打印机")),
    Action(289, _plug_label("idcard", "读卡器"), _toggle_plug("idcard", "读卡器")),
    Action(290, lambda c: "联网" if c.network_cut else "断网", _toggle_network, needs_network=True),
)


class SimPanel(BoxLayout):
    """A grid of buttons on a dark card in the bottom-left corner, under a 模拟 tab that
    folds it away."""

    def __init__(self, perform: Callable[[Action], None], actions: tuple[Action, ...], controls) -> None:
        super().__init__(orientation="vertical", size_hint=(None, None), width=dp(312), spacing=dp(4),
                         padding=dp(4), pos_hint={"x": 0}, y=dp(96))  # y: above the footer
        self.controls, self.actions = controls, actions
        with self.canvas.before:
            Color(0.12, 0.12, 0.14, 0.88)
            self._card = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._paint, size=self._paint)
        self.tab = Button(text="", size_hint_y=None, height=dp(40), font_size=dp(18),
                          background_color=(0.85, 0.55, 0.10, 1))
        self.tab.bind(on_release=lambda *_: self.fold(not self.folded))
        self.grid = GridLayout(cols=3, spacing=dp(4), size_hint_y=None)
        self.buttons: dict[int, Button] = {}
        for action in actions:
            button = Button(size_hint_y=None, height=dp(44), font_size=dp(18))
            button.bind(on_release=lambda _b, a=action: perform(a))
            self.buttons[action.key] = button
            self.grid.add_widget(button)
        rows = -(-len(actions) // 3)
        self.grid.height = rows * dp(44) + (rows - 1) * dp(4)
        self.note = Label(text="", size_hint_y=None, height=dp(28), font_size=dp(16), color=(1, 1, 1, 1))
        self.folded = True
        self.fold(False)

    def _paint(self, *_args) -> None:
        self._card.pos, self._card.size = self.pos, self.size

    def fold(self, folded: bool) -> None:
        self.folded = folded
        self.clear_widgets()
        self.add_widget(self.tab)
        self.tab.text = "模拟 ▲" if folded else "模拟 ▼"
        parts = [self.tab] if folded else [self.tab, self.grid, self.note]
        for part in parts[1:]:
            self.add_widget(part)
        self.width = dp(120) if folded else dp(312)
        self.height = (sum(part.height for part in parts) + self.spacing * (len(parts) - 1)
                       + self.padding[1] + self.padding[3])
        self.refresh()

    def refresh(self, note: str | None = None) -> None:
        for action in self.actions:
            self.buttons[action.key].text = action.label(self.controls)
        if note is not None:
            self.note.text = note


def attach(app, controls, panel: bool | None = None) -> Callable[[], None]:
    """Bind the simulation keys on the window (and, with ``panel``, show the panel on
    ``app.root``; by default only when the app is not hardened). Returns ``detach()``."""
    from kivy.core.window import Window

    actions = tuple(a for a in ACTIONS if controls.has_network or not a.needs_network)
    by_key = {action.key: action for action in actions}
    held: set[int] = set()
    widget: SimPanel | None = None

    def perform(action: Action) -> None:
        try:
            note = action.run(app, controls)
        except Exception as err:  # a simulation key must never take the kiosk down
            log.warning("simulation action F%d failed: %s", action.key - 281, type(err).__name__)
            note = "操作未完成"
        if widget is not None:
            widget.refresh(note)

    def key_down(_window, key, *_args) -> bool:
        action = by_key.get(key)
        if action is None:
            return False
        if key not in held:  # a held key repeats: act once
            held.add(key)
            perform(action)
        return True

    def key_up(_window, key, *_args) -> bool:
        held.discard(key)
        return key in by_key

    Window.bind(on_key_down=key_down, on_key_up=key_up)
    if panel is None:
        panel = not getattr(app, "hardened", True)
    if panel and app.root is not None:
        widget = SimPanel(perform, actions, controls)
        app.root.add_widget(widget)

    def detach() -> None:
        Window.unbind(on_key_down=key_down, on_key_up=key_up)
        if widget is not None and widget.parent is not None:
            widget.parent.remove_widget(widget)

    return detach
