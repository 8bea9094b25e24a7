"""Loading the pinyin engine once, in a background thread, for every keyboard.

:func:`start_engine_loading` at app start (idempotent) loads the shared engine (~0.3 s) and
then the county's own words if the config names a list (``[ime] extra_words``, see
:mod:`kiosk.ime.extra`). A missing or broken dictionary leaves the keyboard's Latin input
working; a bad word list is logged once and the shipped words are used alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from kivy.clock import Clock

from kiosk.ime import PinyinEngine
from kiosk.ime.extra import ExtraWordsError, add_extra_words, read_extra_words

log = logging.getLogger(__name__)


class EngineLoader:
    """Loads one :class:`PinyinEngine` in a background thread, shared by every keyboard."""

    def __init__(self, factory: Callable[[], PinyinEngine] = PinyinEngine,
                 extra_words: Path | None = None) -> None:
        self._factory = factory
        self.extra_words = extra_words
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._waiting: list[Callable[[], None]] = []
        self.engine: PinyinEngine | None = None
        self.failed = False

    def start(self, extra_words: Path | None = None) -> "EngineLoader":
        """Start loading (once; later calls change nothing); ``extra_words``: the county's
        word list, if the loader was not made with one."""
        with self._lock:
            if self._thread is None:
                self.extra_words = extra_words or self.extra_words
                self._thread = threading.Thread(target=self._load, name="pinyin-engine",
                                                daemon=True)
                self._thread.start()
        return self

    @property
    def done(self) -> bool:
        return self.engine is not None or self.failed

    def when_done(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` on the Kivy thread once the engine is loaded (or failed)."""
        with self._lock:
            if not self.done:
                self._waiting.append(callback)
                return
        Clock.schedule_once(lambda _dt: callback(), 0)

    def _load(self) -> None:
        try:
            engine = self._factory()
        except Exception:  # a missing or broken dictionary: Latin input still works
            log.exception("pinyin engine: cannot load the dictionary")
            engine = None
        if engine is not None and self.extra_words is not None:
            self._add_county_words(engine, Path(self.extra_words))
        with self._lock:
            self.engine, self.failed = engine, engine is None
            waiting, self._waiting = self._waiting, []
        for callback in waiting:
            Clock.schedule_once(lambda _dt, c=callback: c(), 0)

    @staticmethod
    def _add_county_words(engine: PinyinEngine, path: Path) -> None:
        try:
            count = add_extra_words(engine, read_extra_words(path))
        except ExtraWordsError as err:
            log.error("pinyin keyboard: the county's word list is not used: %s", err)
            return
        log.info("pinyin keyboard: %d county words from %s", count, path)


SHARED = EngineLoader()


def start_engine_loading(extra_words: Path | None = None) -> EngineLoader:
    """Start loading the shared engine (idempotent): call it once at app start, with the
    config's ``[ime] extra_words`` path if it names one."""
    return SHARED.start(extra_words)
