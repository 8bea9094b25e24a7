"""``IdentityFooter``: the machine's identity card (设备名称, 类别, 维护单位, 联系电话), always
visible at the foot of every screen. Give it ``identity`` (``Services.identity``, i.e.
``effective_identity``: a remote correction shows at once)."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.ui.strings import LANG, t
from kiosk.ui.widgets import cjk_text  # noqa: F401  (CJKLabel, used in the .kv)

SHOWN = ("name", "category", "maintainer", "phone")


class IdentityFooter(BoxLayout):
    identity = ObjectProperty(None, allownone=True)
    text = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        LANG.bind(lang=self._relabel)  # held weakly

    def _relabel(self, *_args) -> None:
        self.on_identity(self, self.identity)

    def on_identity(self, _instance: object, identity: object) -> None:
        if identity is None:
            self.text = ""
            return
        parts = [t("label_value", label=t(f"identity_{k}"), value=getattr(identity, k))
                 for k in SHOWN if getattr(identity, k, "")]
        self.text = "    ".join(parts)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
