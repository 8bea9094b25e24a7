"""An error reaches the citizen in their language: in English, an ineligible applicant reads
why in English (the item's English name, an English date, the notice's English), with no
Chinese; the same visit in Chinese reads it in Chinese (test_screen_identify checks those)."""

from __future__ import annotations

import re

from drivers.idcard import samples
from kiosk import i18n
from kiosk.session import State
from tests.ui import test_screen_identify as identify
from tests.ui.test_screen_face import face_devices
from tests.ui.test_screen_identify import place, to_identify

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
#: Its autouse fixture: the real identify and ineligible screens.
screens = identify.screens


def test_an_ineligible_applicant_reads_why_in_english(make_kiosk):
    kiosk = make_kiosk(devices=face_devices())
    kiosk.tap(kiosk.screen.ids.language_button)
    kiosk.idle()
    assert i18n.language() == "en"
    to_identify(kiosk, "zz-gljt")
    place(kiosk, samples.EXPIRED)
    assert kiosk.session.state is State.INELIGIBLE and kiosk.screen_name == "ineligible"
    reasons = [para.text for para in reversed(kiosk.screen.ids.reasons.children)]
    assert len(reasons) == 2
    assert reasons[0].startswith("Your ID card was valid until ") and "has expired" in reasons[0]
    assert reasons[1].startswith('"Old-age allowance (80 and over)" is for people aged 80 or over')
    assert [r for r in reasons if CJK.search(r)] == []
    kiosk.tap(kiosk.screen.ids.cancel_button)
    assert kiosk.session.state is State.HOME and i18n.language() == "zh"
