"""身份核验 (state IDENTIFY): 请将身份证放在读卡区 (with an animated hint) or 扫描二维码.

The card comes from the reader through ``DeviceHub.on_card`` and goes straight to
``session.identified_by_card`` (the session converts it at once and keeps only the
applicant; this screen keeps nothing). A QR code comes from the scanner through
``DeviceHub.on_code``; its text is resolved to a :class:`~kiosk.session.QrIdentity` in a
worker thread (with a timeout) and handed to ``session.identified_by_qr``. Whatever is
shown of the citizen is masked (``drivers.privacy``) and emptied when the screen is left.

**The e-ID resolution is a stand-in.** A real 电子身份证 / 电子社保卡 QR code carries only a
short-lived token that the province's 可信身份认证 (电子证照) service turns into the holder's
facts, online, after checking its signature. That service and its contract are not part
of this project yet, so :func:`stand_in_resolve` reads codes of the form
``EID1:<base64url JSON>`` that carry the facts themselves (made by :func:`stand_in_code`
for the simulation, the tour and the tests). It proves nothing about who is standing at
the kiosk: before deployment :attr:`IdentifyScreen.resolver` must be replaced by a client
of the real service (same signature: ``resolver(text) -> QrIdentity``, raising
``InputError("bad_qr")`` for a code it does not accept; it runs in a worker thread
and may block up to :data:`RESOLVE_TIMEOUT_S`).

When the reader is down the screen says so and, if the item takes a QR identity and a
scanner is there, offers that path; otherwise 取消 and the window (受理地点、电话).
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from kivy.animation import Animation
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.widget import Widget

from drivers.errors import UserActionNeeded
from drivers.privacy import mask_name, mask_number
from kiosk.session import InputError, InvalidTransition, QrIdentity, SessionError, State
from kiosk.ui.base import KioskScreen
from kiosk.ui.strings import explain, language, t

log = logging.getLogger(__name__)




#: How long a QR resolution may take before the screen gives up on it.
RESOLVE_TIMEOUT_S = 10.0
EID_PREFIX = "EID1:"
_FIELDS = ("card_type", "name", "gender", "nation", "birth", "address", "id_number",
           "authority", "valid_from", "valid_to")


def _day(value: Any, allow_long: bool = False) -> Any:
    if value in (None, ""):
        return None
    if allow_long and value == "长期":
        return value
    return date.fromisoformat(str(value))


def stand_in_resolve(text: str) -> QrIdentity:
    """STAND-IN for the 电子身份证 service (see the module's docstring): ``EID1:`` codes
    carrying the facts; anything else is ``InputError("bad_qr")``."""
    bad = InputError("bad_qr")
    text = str(text or "").strip()
    if not text.startswith(EID_PREFIX):
        raise bad
    body = text[len(EID_PREFIX):]
    try:
        facts = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        return QrIdentity(
            token=str(facts["token"]), card_type=str(facts.get("card_type") or "resident"),
            name=str(facts["name"]), gender=str(facts["gender"]), birth=_day(facts["birth"]),
            id_number=str(facts["id_number"]), nation=str(facts.get("nation") or ""),
            address=str(facts.get("address") or ""), authority=str(facts.get("authority") or ""),
            valid_from=_day(facts.get("valid_from")), valid_to=_day(facts.get("valid_to"), True))
    except (ValueError, TypeError, KeyError, AttributeError):
        raise bad from None


def stand_in_code(card: Any, token: str = "sim-token") -> str:
    """The ``EID1:`` code :func:`stand_in_resolve` reads, from a card (``IdCard`` or a
    mapping): what the simulation shows to the scanner in place of a real e-ID code."""
    def get(key: str) -> Any:
        value = card.get(key) if isinstance(card, Mapping) else getattr(card, key, None)
        return value.isoformat() if isinstance(value, date) else value

    facts = {"token": token, **{key: get(key) for key in _FIELDS}}
    raw = json.dumps(facts, ensure_ascii=False).encode("utf-8")
    return EID_PREFIX + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


class CardHint(Widget):
    """A card sliding down onto the reader pad, over and over (``phase`` 0 → 1)."""

    phase = NumericProperty(0.0)
    dimmed = BooleanProperty(False)
    #: x, y, w, h of the card and of the reader pad (kept up to date for the canvas)
    card_box = ListProperty([0, 0, 0, 0])
    pad_box = ListProperty([0, 0, 0, 0])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(pos=self._layout, size=self._layout, phase=self._layout)

    def _layout(self, *_args) -> None:
        ch = max(0.0, min(self.height * 0.52, self.width * 0.5 / 1.585))
        cw = ch * 1.585  # an ID card is 85.6 × 54 mm
        pw, ph = cw * 1.3, ch * 0.42
        px, py = self.center_x - pw / 2, self.y + self.height * 0.04
        rest, top = py + ph * 0.55, self.top - ch
        self.pad_box = [px, py, pw, ph]
        self.card_box = [self.center_x - cw / 2, top + (rest - top) * self.phase, cw, ch]


class QrSign(Widget):
    """A phone showing a QR code: a fixed picture, nothing personal."""

    side = NumericProperty(0)


class IdentifyScreen(KioskScreen):
    card_note = StringProperty("")
    qr_note = StringProperty("")
    message = StringProperty("")
    result = StringProperty("")
    takes_qr = BooleanProperty(True)
    reader_ok = BooleanProperty(True)
    scanner_ok = BooleanProperty(True)
    #: ``resolver(text) -> QrIdentity``: the stand-in until the real e-ID service is wired.
    resolver: Callable[[str], QrIdentity] = staticmethod(stand_in_resolve)

    _tickets = itertools.count(1)

    def __init__(self, **kwargs):
        self._bound = False
        self._anim = None
        self._pending = 0  # the QR resolution whose answer is still wanted (0: none)
        self._timeout = None
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        self._qr_panel = self.ids.qr_panel

    # -- life ------------------------------------------------------------------------------
    def on_enter(self, *args):
        hub = self.services.devices
        if not self._bound:
            hub.bind(on_card=self._on_card, on_card_error=self._on_card_error,
                     on_code=self._on_code, health=self._on_health)
            self._bound = True
        self._start_hint()

    def on_leave(self, *args):
        if self._bound:
            self.services.devices.unbind(on_card=self._on_card, on_card_error=self._on_card_error,
                                         on_code=self._on_code, health=self._on_health)
            self._bound = False
        self._stop_hint()
        self._drop_pending()
        self.clear_personal()

    def clear_personal(self) -> None:
        self.result = ""
        self.message = ""
        self._drop_pending()

    def refresh(self) -> None:
        item = self.session.item
        self.title = item.name_for(language()) if item is not None else t("id_title")
        if self.session.state is State.IDENTIFY and not self._pending:
            self.message = ""
        self.result = ""
        self._update_devices()

    def _update_devices(self) -> None:
        item = self.session.item
        devices = self.services.devices
        self.takes_qr = item is not None and "qr" in item.identity_methods
        takes_card = item is None or "id_card" in item.identity_methods
        self.reader_ok = devices.available("idcard")
        self.scanner_ok = devices.available("scanner")
        ways = self.ids.ways
        if self.takes_qr and self._qr_panel.parent is None:
            ways.add_widget(self._qr_panel)
        elif not self.takes_qr and self._qr_panel.parent is not None:
            ways.remove_widget(self._qr_panel)
        if not takes_card:
            self.card_note = t("id_card_not_taken")
        elif self.reader_ok:
            self.card_note = t("id_card_how")
        elif self.takes_qr and self.scanner_ok:
            self.card_note = t("id_card_down_qr",
                               side=t("id_side_portrait" if self.portrait else "id_side_landscape"))
        else:
            venue = item.guide.venues[0] if item is not None else None
            self.card_note = (t("id_card_down_no_way", venue=venue.name, phone=venue.phone or "12345")
                              if venue is not None else t("id_card_down"))
        self.qr_note = t("id_qr_how") if self.scanner_ok else t("id_qr_down")
        self.ids.hint.dimmed = not (self.reader_ok and takes_card)

    def _on_health(self, *_args) -> None:
        if self.session.state is State.IDENTIFY:
            self._update_devices()

    def on_portrait(self, *_args) -> None:
        if self.manager is not None and self.manager.current == self.name:
            self._on_health()

    # -- the animated hint -------------------------------------------------------------------
    def _start_hint(self) -> None:
        self._stop_hint()
        hint = self.ids.hint
        hint.phase = 0
        anim = Animation(phase=1.0, duration=1.6, t="out_cubic") + Animation(duration=0.8)
        anim.bind(on_complete=lambda *_: setattr(hint, "phase", 0))
        anim.repeat = True
        anim.start(hint)
        self._anim = anim

    def _stop_hint(self) -> None:
        if self._anim is not None:
            self._anim.cancel(self.ids.hint)
            self._anim = None

    # -- the card ------------------------------------------------------------------------------
    def _on_card(self, _hub, card) -> None:
        if self.session.state is not State.IDENTIFY:
            return
        try:
            self._show_identified(card)
            self.session.identified_by_card(card)
        except InvalidTransition:
            self.result, self.message = "", t("id_card_not_taken")
        except SessionError as err:
            self.result, self.message = "", explain(err)
        except Exception as err:  # never into Kivy, never as is to the citizen
            log.error("identify: card not taken: %s", type(err).__name__)
            self.result, self.message = "", t("id_card_read_failed")

    def _on_card_error(self, _hub, err) -> None:
        if self.session.state is not State.IDENTIFY:
            return
        self.message = t("id_card_read_failed" if isinstance(err, UserActionNeeded)
                         else "id_card_reader_fault")

    def _show_identified(self, who: Any) -> None:
        get = (lambda k: who.get(k)) if isinstance(who, Mapping) else (lambda k: getattr(who, k, None))
        self.message = ""
        self.result = t("id_identified", name=mask_name(str(get("name") or "")),
                        number=mask_number(str(get("id_number") or "")))

    # -- the QR code ---------------------------------------------------------------------------
    def _on_code(self, _hub, code) -> None:
        if self.session.state is not State.IDENTIFY or self._pending:
            return
        if not self.takes_qr:
            self.message = t("id_qr_not_taken")
            return
        text = str(getattr(code, "text", code) or "")
        ticket = self._pending = next(self._tickets)
        self.message, self.result = t("id_qr_checking"), ""
        self._timeout = Clock.schedule_once(lambda dt: self._resolve_timed_out(ticket),
                                            RESOLVE_TIMEOUT_S)
        resolver = self.resolver
        self.services.in_worker(lambda: resolver(text),
                                lambda ok, value: self._resolved(ticket, ok, value), "eid")

    def _resolved(self, ticket: int, ok: bool, value: Any) -> None:
        if ticket != self._pending:
            return  # timed out, or the screen was left: the answer is not wanted
        self._drop_pending()
        if self.session.state is not State.IDENTIFY:
            return
        if not ok:
            self.message = explain(value) if isinstance(value, InputError) else t("id_qr_bad")
            return
        try:
            self._show_identified(value)
            self.session.identified_by_qr(value)
        except InvalidTransition:
            self.result, self.message = "", t("id_qr_not_taken")
        except SessionError as err:
            self.result, self.message = "", explain(err)
        except Exception as err:
            log.error("identify: qr identity not taken: %s", type(err).__name__)
            self.result, self.message = "", t("id_qr_bad")

    def _resolve_timed_out(self, ticket: int) -> None:
        if ticket == self._pending:
            self._drop_pending()
            if self.session.state is State.IDENTIFY:
                self.message = t("id_qr_timeout")

    def _drop_pending(self) -> None:
        self._pending = 0
        if self._timeout is not None:
            self._timeout.cancel()
            self._timeout = None


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
