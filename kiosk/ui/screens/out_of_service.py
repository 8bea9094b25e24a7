"""暂停服务: full screen, when the machine is in maintenance (a remote command) or nothing
can be served (the devices every item needs are down). It names the identity card's
maintainer and phone in large type and says where else to go. It leaves by itself when
maintenance ends or a device comes back (the app decides)."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.ui.base import KioskScreen
from kiosk.ui.screens.service_base import CornerHold
from kiosk.ui.strings import t


class OutOfServiceScreen(CornerHold, KioskScreen):  # CornerHold: the service menu's hidden entry
    reason = StringProperty("")
    maintainer = StringProperty("")
    phone = StringProperty("")

    def refresh(self) -> None:
        self.reason = t("out_maintenance") if self.services.maintenance else t("out_broken")
        identity = self.services.identity
        self.maintainer, self.phone = identity.maintainer, identity.phone


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
