"""暂不能办理 (state INELIGIBLE): why, in plain words, and what to do instead.

Each ``Problem`` from the eligibility check is shown explained in the citizen's language
(``kiosk.i18n.explain``), under the masked name and the item; then 您可以这样办: the item's
受理地点 with address and phone (from its guide), its 咨询方式, and the 12345 hotline.
One button: 返回首页 (``session.finish()``: the visit ends and is wiped).
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from drivers.privacy import mask_name
from kiosk.session import InvalidTransition, TERMINAL
from kiosk.ui.base import KioskScreen
from kiosk.ui.strings import explain, language, t




class InelPara(BoxLayout):
    """One block of text: a bullet line or a venue (``strong`` for the reasons)."""

    text = StringProperty("")
    kind = StringProperty("plain")  # plain, reason, venue


class IneligibleScreen(KioskScreen):
    head = StringProperty("")

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        self.keyed(self, "inel_home", prop="cancel_text")
        self.title = t("inel_title")

    def refresh(self) -> None:
        session = self.session
        item, applicant = session.item, session.applicant
        reasons, ways = self.ids.reasons, self.ids.ways
        reasons.clear_widgets()
        ways.clear_widgets()
        self.head = ""
        if item is None:
            return
        name = item.name_for(language())
        self.head = (t("inel_head", name=mask_name(applicant.name), item=name)
                     if applicant is not None else t("inel_head_anon", item=name))
        for problem in session.problems:
            reasons.add_widget(InelPara(text=explain(problem), kind="reason"))
        guide = item.guide
        ways.add_widget(InelPara(text=t("inel_go_window")))
        for venue in guide.venues:
            key = "inel_venue_phone" if venue.phone else "inel_venue"
            ways.add_widget(InelPara(text=t(key, name=venue.name, address=venue.address,
                                            phone=venue.phone), kind="venue"))
        ways.add_widget(InelPara(text=t("inel_hours", text=guide.hours)))
        consult = t("sentence_separator").join(c for c in guide.consult if "12345" not in c)
        if consult:
            ways.add_widget(InelPara(text=t("inel_consult", text=consult)))
        ways.add_widget(InelPara(text=t("inel_hotline")))
        self.ids.scroll.scroll_y = 1

    def cancel(self) -> None:
        """返回首页: the visit is over, nothing to lose (``finish`` ends and wipes it)."""
        session = self.session
        try:
            if session.state in TERMINAL:
                session.finish()
                return
        except InvalidTransition:
            pass
        self.app.go_home()

    def clear_personal(self) -> None:
        self.head = ""
        self.ids.reasons.clear_widgets()
        self.ids.ways.clear_widgets()

    def on_leave(self, *args):
        self.clear_personal()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
