"""``KioskScreen``: the frame every screen shares.

Header (the screen's title, 24小时自助服务, clock, network and device state), the content
area, an action bar whose first button is 取消 / 返回首页 (one tap, on every screen), and
the identity card footer. A screen's own ``.kv`` rule adds its widgets as children of the
screen: they land in the content area (``ids.content``); buttons meant for the action bar
go there with ``self.add_action(widget)``.

Hooks for screen modules: ``on_enter``/``on_leave`` (start and stop what the screen needs:
camera preview, card listening — bind to ``app.services.devices`` there, unbind on leave),
``clear_personal()`` (called when the session leaves the states that hold personal data:
empty every widget that showed the citizen), and ``refresh()`` (redraw from the session;
the app also calls it on the screen shown when the language changes). Texts come from
``kiosk/locale`` (:mod:`kiosk.ui.strings`): ``tr("cancel", L.lang)`` in kv, ``t("cancel")`` in
Python, ``self.keyed(button, "start")`` for a widget built once in Python.
"""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui.strings import LANG, t
from kiosk.ui.widgets import buttons, cjk_text, footer  # noqa: F401  (used by base.kv and the screens)


class KioskScreen(Screen):
    title = StringProperty("")
    #: Text of the first action-bar button when not 取消 (e.g. 返回首页); empty: 取消.
    cancel_text = StringProperty("")
    show_cancel = BooleanProperty(True)
    #: Taller than wide (1080×1920); layouts switch on it (kv: ``root.portrait``).
    portrait = BooleanProperty(True)

    def __init__(self, **kwargs):
        self._keyed: list[tuple[object, str, str, dict]] = []
        super().__init__(**kwargs)
        LANG.bind(lang=self._language_changed)  # a bound method: held weakly by Kivy

    def keyed(self, widget, key: str, prop: str = "text", **values):
        """Give ``widget.<prop>`` the text of ``key``, and again whenever the language changes
        (for widgets a screen makes in Python, e.g. its action-bar buttons). Returns ``widget``."""
        self._keyed.append((widget, prop, key, values))
        setattr(widget, prop, t(key, **values))
        return widget

    def _language_changed(self, *_args) -> None:
        for widget, prop, key, values in self._keyed:
            setattr(widget, prop, t(key, **values))

    def on_size(self, _instance, size) -> None:
        self.portrait = size[1] >= size[0]

    def add_widget(self, widget, *args, **kwargs):
        content = self.ids.get("content")  # set once base.kv's frame is built
        if content is not None and widget is not self.ids.get("frame"):
            return content.add_widget(widget, *args, **kwargs)
        return super().add_widget(widget, *args, **kwargs)

    def add_action(self, widget) -> None:
        """Put a button on the action bar, after 取消."""
        self.ids.actions.add_widget(widget)

    @property
    def app(self):
        return App.get_running_app()

    @property
    def services(self):
        return self.app.services

    @property
    def session(self):
        return self.app.services.session

    def back(self) -> None:
        """上一步; nothing happens where there is no step before (e.g. after identification)."""
        from kiosk.session import InvalidTransition

        try:
            self.session.back()
        except InvalidTransition:
            pass

    def cancel(self) -> None:
        """取消 / 返回首页: one tap ends the visit (wiping it) and shows home."""
        self.app.go_home()

    def refresh(self) -> None:
        """Redraw from the session and services; called when the screen is shown."""

    def clear_personal(self) -> None:
        """Empty every widget that showed the citizen's data."""

    def on_pre_enter(self, *args):
        self.refresh()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
