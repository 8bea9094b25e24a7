"""``BigButton`` (one action, ≥ 64 px high) and ``Tile`` (a large card with a title, a
subtitle and an optional note such as 暂不可办). Both are real Kivy buttons: tap them in
tests with ``UnitTestTouch`` at their centre."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kiosk.ui.widgets import cjk_text  # noqa: F401  (CJKLabel, used in the .kv)


class BigButton(ButtonBehavior, Label):
    """``kind``: ``primary`` (the one thing to do next), ``secondary``, ``quiet``."""

    kind = OptionProperty("primary", options=["primary", "secondary", "quiet", "danger"])


class Tile(ButtonBehavior, BoxLayout):
    title = StringProperty("")
    subtitle = StringProperty("")
    note = StringProperty("")  # shown in the warning colour (e.g. 暂不可办：摄像头暂时无法使用)
    kind = OptionProperty("primary", options=["primary", "secondary"])


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
