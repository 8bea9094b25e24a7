"""``IdentityFooter``: the machine's identity card (设备名称, 类别, 维护单位, 联系电话), always
visible at the foot of every screen. Give it ``identity`` (``Services.identity``, i.e.
``effective_identity``: a remote correction shows at once)."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.identity import LABELS

SHOWN = ("name", "category", "maintainer", "phone")


class IdentityFooter(BoxLayout):
    identity = ObjectProperty(None, allownone=True)
    text = StringProperty("")

    def on_identity(self, _instance: object, identity: object) -> None:
        if identity is None:
            self.text = ""
            return
        parts = [f"{LABELS[k]}：{getattr(identity, k)}" for k in SHOWN if getattr(identity, k, "")]
        self.text = "    ".join(parts)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
