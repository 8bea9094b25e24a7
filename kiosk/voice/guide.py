"""``VoiceGuide``: speaks each screen's instruction when the screen appears.

When it speaks: with ``[voice] enabled`` (the default) on every screen; with
``elder_only`` only in 长辈模式; never with ``enabled = false`` or ``KIOSK_VOICE=off`` in the
environment (the tests' way to keep the kiosk quiet). 长辈模式 switched on speaks what
changed; the idle countdown speaks its question; a language switch says the current
screen's prompt again in the new language. A visit that ended because nobody was there
(idle) returns home in silence, and so does the kiosk's start.

How: the screen manager's ``current`` (and the theme's ``elder``, the session's idle warning,
the language's ``lang`` property) are bound on Kivy's main thread; the prompt is rendered by
one worker thread (espeak-ng, cached: :mod:`kiosk.voice.synth`) and played back on the main
thread (:mod:`kiosk.voice.player`) at the volume of the hour (:mod:`kiosk.voice.volume`).
Only the newest request plays: leaving a screen before its prompt is ready drops it, and a
new prompt stops the one playing. At start every prompt is rendered in the background
(lowest priority), so later prompts play at once.

Failures never reach the citizen: no espeak-ng or no audio output turns voice off for the
rest of the run, logged once; a prompt that fails to render is logged once and skipped.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from kiosk import i18n
from kiosk.voice import prompts
from kiosk.voice.player import KivyPlayer, PlaybackUnavailable
from kiosk.voice.synth import SpeechFailed, SpeechUnavailable, Synthesiser
from kiosk.voice.volume import volume_at

log = logging.getLogger(__name__)
ENV_SWITCH = "KIOSK_VOICE"  # "off" (or 0/false/no) mutes the kiosk
SPEAK, PRERENDER = 0, 1  # worker priorities


def muted_by_env() -> bool:
    return os.environ.get(ENV_SWITCH, "").strip().lower() in ("off", "0", "false", "no")


class VoiceGuide:
    def __init__(self, settings, synth: Synthesiser, player=None, *,
                 wall: Callable[[], datetime] = lambda: datetime.now().astimezone(),
                 zone=None, muted: bool = False, prerender: bool = True) -> None:
        self.settings, self.synth = settings, synth
        self.player = player if player is not None else KivyPlayer()
        self._wall, self._zone = wall, zone
        self.muted = muted or not settings.enabled
        self.broken = False  # espeak-ng or audio missing: off for the rest of the run
        self.prerender = prerender
        self.app = None
        self._generation = 0
        self._seq = itertools.count()
        self._jobs: queue.PriorityQueue = queue.PriorityQueue()
        self._thread: threading.Thread | None = None
        self._warned: set[str] = set()
        self._unsubscribe = None
        self._pending = None
        self._idle_end = False
        self._lang_source = None

    # -- wiring -----------------------------------------------------------------------------
    def attach(self, app) -> "VoiceGuide":
        """Listen to ``app`` (a :class:`kiosk.ui.app.KioskApp`, built) until it stops."""
        self.app = app
        if self.muted:
            return self
        app.manager.bind(current=self._on_screen)
        app.theme.bind(elder=self._on_elder)
        self._unsubscribe = app.services.session.subscribe(self._on_session)
        self._lang_source = _language_source(app)
        if self._lang_source is not None:
            self._lang_source.bind(lang=self._on_language)
        app.bind(on_stop=self._on_stop)
        self._start()
        if self.prerender:
            self._queue_prerender()
        return self

    def detach(self) -> None:
        app, self.app = self.app, None
        if app is not None and not self.muted:
            app.manager.unbind(current=self._on_screen)
            app.theme.unbind(elder=self._on_elder)
            if self._lang_source is not None:
                self._lang_source.unbind(lang=self._on_language)
            app.unbind(on_stop=self._on_stop)
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._pending is not None:
            self._pending.cancel()
        self._generation += 1
        if self._thread is not None:
            self._jobs.put((-1, next(self._seq), None))  # ahead of everything: stop
            self._thread.join(timeout=5)
            self._thread = None
        self.player.close() if hasattr(self.player, "close") else self.player.stop()

    def _on_stop(self, *_args) -> None:
        self.detach()

    # -- what to say ------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        if self.muted or self.broken:
            return False
        elder = bool(self.app is not None and self.app.theme.elder)
        return elder or not self.settings.elder_only

    def _on_screen(self, _manager, _name) -> None:
        # decided on the next frame: the session's listeners (ours notes an idle end) have
        # all run by then, and screens passed through within one frame say nothing
        if self._pending is not None:
            self._pending.cancel()
        from kivy.clock import Clock

        self._pending = Clock.schedule_once(self._speak_screen, 0)

    def _speak_screen(self, _dt: float = 0) -> None:
        self._pending = None
        idle_end, self._idle_end = self._idle_end, False
        if self.app is None:
            return
        key = prompts.key_for(self.app.manager.current)
        if idle_end or key is None:
            self.silence()
            return
        self.say(key)

    def _on_session(self, change) -> None:
        from kiosk.session import State

        if change.new is State.IDLE_WARNING:
            self.say(prompts.IDLE_WARNING)
        elif change.old is State.IDLE_WARNING:
            self.silence()  # 继续办理, or the visit ended
        if change.new is State.HOME and change.reason == "idle":
            self._idle_end = True

    def _on_elder(self, _theme, on: bool) -> None:
        if on:
            self.say(prompts.ELDER_ON)

    def _on_language(self, *_args) -> None:
        self._on_screen(None, None)  # the screen's prompt again, in the new language

    # -- speaking ---------------------------------------------------------------------------
    def say(self, key: str) -> None:
        """Speak prompt ``key`` in the current language (dropping any older request)."""
        self._generation += 1
        self.player.stop()
        if not self.active:
            return
        lang = i18n.language()
        self._jobs.put((SPEAK, next(self._seq), (self._generation, key, lang, prompts.text(key, lang))))

    def silence(self) -> None:
        self._generation += 1
        self.player.stop()

    def volume(self) -> float:
        now = self._wall()
        if self._zone is not None:
            now = now.astimezone(self._zone)
        return volume_at(self.settings, now)

    def _play(self, generation: int, key: str, path: Path, _dt: float = 0) -> None:
        if generation != self._generation or not self.active:
            return  # a newer screen came first
        try:
            self.player.play(path, self.volume())
        except PlaybackUnavailable as err:
            self._off(f"voice off: {err}")
        except Exception as err:  # noqa: BLE001 (an audio fault must not break the screen)
            self._warn_once(f"play:{key}", "voice: %s not played (%s)", key, type(err).__name__)

    # -- the worker -------------------------------------------------------------------------
    def _start(self) -> None:
        self._thread = threading.Thread(target=self._work, name="voice", daemon=True)
        self._thread.start()

    def _queue_prerender(self) -> None:
        current = i18n.language()
        for lang, key, text in sorted(prompts.every_prompt(), key=lambda p: p[0] != current):
            self._jobs.put((PRERENDER, next(self._seq), (None, key, lang, text)))

    def _work(self) -> None:
        from kivy.clock import Clock

        while True:
            _priority, _seq, job = self._jobs.get()
            if job is None:
                return
            if self.broken:
                continue
            generation, key, lang, text = job
            if generation is not None and generation != self._generation:
                continue  # the screen has changed since
            try:
                path = self.synth.render(text, lang)
            except SpeechUnavailable as err:
                self._off(f"voice off: {err}")
                continue
            except SpeechFailed as err:
                self._warn_once(f"render:{lang}:{key}", "voice: %s (%s) not rendered: %s", key, lang, err)
                continue
            except Exception as err:  # noqa: BLE001 (the worker must outlive any one prompt)
                self._warn_once(f"render:{lang}:{key}", "voice: %s (%s) failed: %s", key, lang,
                                type(err).__name__)
                continue
            if generation is not None:
                Clock.schedule_once(partial(self._play, generation, key, path), 0)

    def _off(self, message: str) -> None:
        self.broken = True
        self._warn_once("off", "%s", message)

    def _warn_once(self, what: str, message: str, *args) -> None:
        if what not in self._warned:
            self._warned.add(what)
            log.warning(message, *args)


def _language_source(app):
    """What announces a language switch: the app's ``lang`` property, or the UI's
    ``kiosk.ui.strings.LANG`` (a Kivy ``lang`` property); None if neither exists."""
    if app.property("lang", quiet=True) is not None:
        return app
    try:
        from kiosk.ui.strings import LANG
    except ImportError:
        return None
    return LANG if LANG.property("lang", quiet=True) is not None else None


def attach(app, player=None) -> VoiceGuide:
    """The app's voice guide, from its config's ``[voice]``, listening until the app stops
    (muted by ``KIOSK_VOICE=off``). Call at the end of ``KioskApp.build``."""
    config = app.services.config
    settings = config.voice
    cache = config.path(settings.cache_dir) if settings.cache_dir else config.data_dir / "voice"
    guide = VoiceGuide(settings, Synthesiser.from_settings(settings, cache), player,
                       wall=app.services.wall, zone=config.zone, muted=muted_by_env())
    return guide.attach(app)
