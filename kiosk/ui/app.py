"""``KioskApp``: the thin shell. Builds the screens from ``screens.SCREENS``, switches them
when the session changes state (``router``), runs the schedules (session tick 1 s,
heartbeat and device health 5 s, command spool 1 s, network check 30 s) and hardens the
window (full screen, borderless, no cursor, one touch provider, no screensaver; Escape
and window close never quit — only the service menu, or ``restart_app``, ends the app).

Start the kiosk with :func:`run` (``run(config)`` on real devices, ``run(simulate=True)``
with every device emulated); it returns the process exit code (:data:`RESTART_EXIT`
when a ``restart_app`` command asked systemd for a restart).
"""

from __future__ import annotations

import gc
import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path

os.environ.setdefault("KIVY_NO_ARGS", "1")  # never parse the kiosk's own command line

from kivy.app import App  # noqa: E402  (no window is made by these imports)
from kivy.clock import Clock  # noqa: E402
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty  # noqa: E402
from kivy.uix.floatlayout import FloatLayout  # noqa: E402
from kivy.uix.screenmanager import NoTransition, ScreenManager  # noqa: E402

from kiosk import notify  # noqa: E402
from kiosk.config import Config  # noqa: E402
from kiosk.i18n import DEFAULT as DEFAULT_LANGUAGE  # noqa: E402
from kiosk.session import (BUSY, CAN_CANCEL, HOLDS_PERSONAL_DATA, FetchCertificate,  # noqa: E402
                           InvalidTransition, PrintReceipt, QueryProgress, State, SubmitDraft)
from kiosk.ui import router  # noqa: E402
from kiosk.ui.screens import SCREENS, screen_class  # noqa: E402
from kiosk.ui.screens.service_base import add_service_screens, is_service_screen  # noqa: E402
from kiosk.ui.strings import clock_text, device_names, language, set_language, t  # noqa: E402
from kiosk.ui.theme import make_theme  # noqa: E402
from kiosk.ui.widgets.countdown import CountdownOverlay  # noqa: E402
from kiosk.ui.widgets.forget import forget_shown_text  # noqa: E402
from kiosk.voice import attach as attach_voice  # noqa: E402

log = logging.getLogger(__name__)
RESTART_EXIT = 75  # EX_TEMPFAIL: systemd's Restart=on-failure (or always) starts us again


def configure_kivy(hardened: bool = True) -> None:
    """Kivy settings that must be in place before the window exists.

    Input: SDL2's own provider (added by the window) delivers the touch screen's fingers;
    any other provider on top would deliver each tap twice. Only a windowed (development)
    kiosk adds the mouse, with multitouch emulation off.
    """
    from kivy.config import Config as KivyConfig

    KivyConfig.set("kivy", "exit_on_escape", "0")
    KivyConfig.set("graphics", "allow_screensaver", "0")
    for option in KivyConfig.options("input"):
        KivyConfig.remove_option("input", option)
    if hardened:
        KivyConfig.set("graphics", "fullscreen", "auto")
        KivyConfig.set("graphics", "borderless", "1")
        KivyConfig.set("graphics", "show_cursor", "0")
    else:
        KivyConfig.set("graphics", "fullscreen", "0")
        KivyConfig.set("input", "mouse", "mouse,disable_multitouch")



#: Until a screen module performs these, a busy state without a handler fails safely.
FAIL_SAFE = {SubmitDraft: lambda s: s.submit_failed(),
             PrintReceipt: lambda s: s.receipt_printed(False),
             FetchCertificate: lambda s: s.certificate_printed(False),
             QueryProgress: lambda s: s.progress_answered(0)}


def _window():
    from kivy.core.window import Window  # made here, after configure_kivy()

    return Window


class KioskRoot(FloatLayout):
    """The screens with the idle countdown on top; every touch counts as activity."""

    def on_touch_down(self, touch):
        App.get_running_app().activity()
        return super().on_touch_down(touch)


class KioskApp(App):
    clock_text = StringProperty("")
    status_text = StringProperty("")
    status_warn = BooleanProperty(False)
    identity = ObjectProperty(None, allownone=True)
    cancel_allowed = BooleanProperty(True)
    #: What the visit is for when the session cannot say (``progress`` or ``rate``).
    intent = StringProperty("")

    def __init__(self, services, *, hardened: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.services, self.hardened = services, hardened
        self.theme = make_theme()
        self.exit_code = 0
        self._events = []
        self._unsubscribe = None

    # -- building ------------------------------------------------------------------------
    def build(self):
        set_language(DEFAULT_LANGUAGE)
        self.title = t("app_title")
        self.identity = self.services.identity
        self.manager = ScreenManager(transition=NoTransition())
        for name in SCREENS:
            self.manager.add_widget(screen_class(name)(name=name))
        add_service_screens(self.manager)  # the hidden service menu (kiosk/ui/screens/service_base.py)
        self.overlay = CountdownOverlay()
        self.overlay.bind(on_continue=lambda *_: self.resume())
        root = KioskRoot()
        root.add_widget(self.manager)
        root.add_widget(self.overlay)
        self._unsubscribe = self.services.session.subscribe(self._session_changed)
        self.services.bind(maintenance=self._service_changed, network=self._service_changed,
                           on_restart_requested=lambda *_: self.restart())
        self.services.devices.bind(health=self._service_changed)
        _window().bind(on_request_close=self._refuse_close, on_keyboard=self._on_keyboard)
        self._update_status()
        self._tick_clock()
        self.show(self._home_name())
        self.voice = attach_voice(self)  # speaks each screen's prompt (KIOSK_VOICE=off mutes)
        return root

    def on_start(self):
        """Start the devices and the schedules (the tests call this too)."""
        from kiosk.ui.widgets.pinyin_keyboard import start_engine_loading
        config = self.services.config  # the pinyin dictionary loads in the background (~0.3 s)
        start_engine_loading(config.path(config.ime.extra_words) if config.ime.extra_words else None)
        if self.hardened:
            _window().show_cursor = False
        self.services.start()
        self.services.resume_commands()
        self.services.write_heartbeat()
        self.services.check_network()
        self._events = [Clock.schedule_interval(self.tick, 1.0),
                        Clock.schedule_interval(lambda dt: self.services.write_heartbeat(), 5.0),
                        Clock.schedule_interval(lambda dt: self.services.poll_spool(), 1.0),
                        Clock.schedule_interval(lambda dt: self.services.check_network(), 30.0)]
        Clock.schedule_once(self._tell_systemd_ready, 0)  # the next frame: home is on the screen
        every = notify.ping_every()  # systemd's watchdog: pinged only while this main loop turns
        if every:
            self._events.append(Clock.schedule_interval(lambda dt: notify.watchdog(), every))
        self._settle_memory()

    @staticmethod
    def _settle_memory(_dt: float = 0) -> None:
        """The screens live as long as the app (~300k objects): collect once, then keep them
        out of later full collections, which otherwise pause the UI ~0.2 s each
        (bench/ui_labels.py). Redone after each visit so replaced widgets are freed."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def _tell_systemd_ready(self, _dt: float = 0) -> None:
        notify.ready(status=f"showing {self.manager.current}")

    def on_stop(self):
        notify.stopping()
        for event in self._events:
            event.cancel()
        self._events = []
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        _window().unbind(on_request_close=self._refuse_close, on_keyboard=self._on_keyboard)
        self.services.devices.unbind(health=self._service_changed)  # a late report must not
        self.services.unbind(maintenance=self._service_changed,   # reach a stopped app
                             network=self._service_changed)
        self.services.stop()
        set_language(DEFAULT_LANGUAGE)
        gc.unfreeze()

    def restart(self):
        self.exit_code = RESTART_EXIT
        self.stop()

    # -- hardening -----------------------------------------------------------------------
    def _refuse_close(self, *_args, **_kwargs):
        return True  # window close never quits

    def _on_keyboard(self, _window, key, *_args):
        return key == 27  # Escape (and Android back) never quits

    # -- screens -------------------------------------------------------------------------
    @property
    def current_screen(self):
        return self.manager.current_screen

    def show(self, name: str) -> None:
        if self.manager.current == name:
            self.manager.current_screen.refresh()
        else:
            self.manager.current = name

    def _home_name(self) -> str:
        s = self.services
        return "out_of_service" if s.maintenance or not s.anything_servable() else "home"

    def go_home(self) -> None:
        """取消 / 返回首页: end the visit (wiped by the session) and show home."""
        session = self.services.session
        if session.state in CAN_CANCEL:
            session.cancel()  # the listener shows home
        elif session.state is State.HOME:
            self.show(self._home_name())

    def show_catalog(self, title: str, kind: str | None = None, category: str = "") -> None:
        self.manager.get_screen("catalog").show(title, kind, category)
        self.show("catalog")

    def choose_item(self, item) -> None:
        if not self.services.servable(item):
            return
        try:
            self.services.session.choose(item)
        except InvalidTransition:
            self.go_home()

    # -- the session ---------------------------------------------------------------------
    def _session_changed(self, change) -> None:
        new, session = change.new, self.services.session
        self.cancel_allowed = new not in BUSY
        ended = new is State.HOME and change.old is not State.HOME
        if ended or (change.old in HOLDS_PERSONAL_DATA and new not in HOLDS_PERSONAL_DATA):
            self._wipe_personal()  # also after RATING: its card shows the receipt if not printed
        if new is State.IDLE_WARNING:
            self.overlay.show(session.seconds_left() or 0)
            return
        self.overlay.hide()
        if new is State.HOME:
            self.theme.set_elder(session.elder_mode)
            self.intent = ""
            self.show(self._home_name())
            self.set_language(DEFAULT_LANGUAGE)  # the next citizen starts in Chinese
            if change.old is not State.HOME:
                Clock.schedule_once(self._settle_memory, 2)
            return
        self.show(router.screen_for(new, self.manager.screen_names))
        if new in BUSY:
            action = session.action
            Clock.schedule_once(lambda dt: self._perform(action), 0)

    def _wipe_personal(self) -> None:
        """The visit is over: every screen empties what showed the citizen, then Kivy
        forgets the text it rendered (emptied labels' core text, the text caches)."""
        for screen in self.manager.screens:
            screen.clear_personal()
        forget_shown_text([*self.manager.screens, self.overlay])

    def _perform(self, action) -> None:
        session = self.services.session
        if action is None or session.action is not action:
            return
        if not self.services.perform(action):
            FAIL_SAFE[type(action)](session)

    def _service_changed(self, *_args) -> None:
        """A device, the network or maintenance changed: status line, files, home screen."""
        self._update_status()
        self.services.write_heartbeat()
        if self.services.session.state is State.HOME and not is_service_screen(self.manager.current):
            want = self._home_name()
            if want == "out_of_service" or self.manager.current == "out_of_service":
                self.show(want)

    # -- language ------------------------------------------------------------------------
    def set_language(self, lang: str) -> None:
        """中文 / English: every label bound in kv re-renders, the screen shown and the
        header are rebuilt; the visit (state, elder mode, what was typed) is kept."""
        if lang == language():
            return
        set_language(lang)  # kv labels and each screen's keyed widgets follow at once
        self.title = t("app_title")
        self._update_status()
        self._tick_clock()
        self.manager.current_screen.refresh()  # what the screen built in Python

    def toggle_language(self) -> None:
        """The home screen's switch: Chinese ↔ English."""
        self.set_language("en" if language() == DEFAULT_LANGUAGE else DEFAULT_LANGUAGE)
        session = self.services.session
        if session.state is State.HOME and language() != DEFAULT_LANGUAGE:
            session.customised()  # walked away in English: back to Chinese after the idle time

    def activity(self) -> None:
        session = self.services.session
        if session.state is not State.IDLE_WARNING:
            session.touch()

    def resume(self) -> None:
        """继续办理."""
        if self.services.session.state is State.IDLE_WARNING:
            self.services.session.touch()

    # -- every second --------------------------------------------------------------------
    def tick(self, _dt: float = 0) -> None:
        session = self.services.session
        session.tick()
        if session.state is State.IDLE_WARNING:
            self.overlay.seconds = session.seconds_left() or 0
        self._tick_clock()
        identity = self.services.identity
        if identity != self.identity:
            self.identity = identity

    def _tick_clock(self) -> None:
        self.clock_text = clock_text(self.services.wall())

    def _update_status(self) -> None:
        s = self.services
        net = {"ok": t("network_ok"), "down": t("network_down")}.get(s.network, t("network_unknown"))
        down = s.devices.down()
        dev = t("devices_some_down", names=device_names(down)) if down else t("devices_ok")
        self.status_text = f"{net}    {dev}"
        self.status_warn = bool(down) or s.network == "down"



def run(config: Config | None = None, simulate: bool = False, windowed: bool = False,
        window_size: tuple[int, int] = (1080, 1920)) -> int:
    """Run the kiosk until ``restart_app`` (or the service menu) stops it; the exit code.

    ``simulate``: every device emulated (the simulation rig); without ``config`` a
    temporary one is made. ``windowed``: a development window of ``window_size`` with the
    mouse, instead of the hardened full screen.
    """
    configure_kivy(hardened=not windowed)
    if windowed:
        from kivy.config import Config as KivyConfig

        KivyConfig.set("graphics", "width", str(window_size[0]))
        KivyConfig.set("graphics", "height", str(window_size[1]))
    from kiosk.ui.services import Services, simulation_config
    from kiosk.ui.theme import register_cjk_font

    register_cjk_font()  # before any text texture exists
    tmp = county = None
    if config is None:
        if not simulate:
            raise ValueError("a config is needed unless simulating")
        from kiosk.simulation.county import SimulatedCounty

        tmp = tempfile.TemporaryDirectory(prefix="kiosk-sim-")
        county = SimulatedCounty(Path(tmp.name))
        config = county.start(lambda url: simulation_config(Path(tmp.name), url))
    services = Services.from_config(config, simulate=simulate)
    app = KioskApp(services, hardened=not windowed)
    if simulate:
        from kiosk.simulation.controls import SimControls
        from kiosk.simulation.panel import attach

        def with_controls(*_args) -> None:  # None: a true value would stop on_start's dispatch
            attach(app, SimControls(services.devices.rig, county), panel=windowed)

        app.bind(on_start=with_controls)
    try:
        app.run()
    finally:
        if county is not None:
            county.stop()
        if tmp is not None:
            tmp.cleanup()
    log.info("kiosk UI stopped at %s", datetime.now().isoformat(timespec="seconds"))
    return app.exit_code
