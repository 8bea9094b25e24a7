"""The screens' side of the translations (:mod:`kiosk.i18n`): every citizen-facing string
lives in ``kiosk/locale/<lang>/ui.toml``, none in code.

Python code looks a string up with :func:`t` (``t("cancel")``, ``t("mat_page", n=1, m=3)``) in
the current language; a ``.kv`` rule uses ``tr("cancel", L.lang)`` (``#:import tr kiosk.i18n.tr``
and ``#:import L kiosk.ui.strings.LANG``): passing ``L.lang`` makes Kivy re-render the label
when the language changes, with or without an app. Text a screen builds in Python is rebuilt
by its ``refresh()`` (the app refreshes the screen shown), and its fixed buttons follow the
language through ``KioskScreen.keyed``.
Dates, the clock and errors are put in the citizen's language here (by :mod:`kiosk.i18n`).
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from kivy.event import EventDispatcher
from kivy.properties import StringProperty

from kiosk import i18n
from kiosk.i18n import TranslationError, tr

log = logging.getLogger(__name__)


class Language(EventDispatcher):
    """The citizen's language as a Kivy property: ``.kv`` rules read ``L.lang`` (``#:import L
    kiosk.ui.strings.LANG``) so that every label bound to it re-renders on a change."""

    lang = StringProperty(i18n.DEFAULT)


LANG = Language()


def set_language(lang: str) -> None:
    """Switch the kiosk's language: :mod:`kiosk.i18n` first, then every bound label."""
    i18n.set_language(lang)
    LANG.lang = lang


def language() -> str:
    return i18n.language()


def t(key: str, **values: object) -> str:
    """The text of ``key`` in the current language, formatted. A key missing everywhere
    (a bug the tests catch) shows the generic error text, never the key or a traceback."""
    try:
        return tr(key, **values)
    except (TranslationError, KeyError, IndexError, ValueError):
        log.error("no usable text for key %s", key)
        return tr("error_generic")


def has(key: str) -> bool:
    try:
        tr(key)
    except TranslationError:
        return False
    return True


def device_names(roles: list[str] | set[str]) -> str:
    """``["camera", "printer"]`` → ``摄像头、打印机`` / ``camera, printer`` (stable order)."""
    return t("list_separator").join(t(f"dev_{r}") for r in sorted(roles))


def date_text(day: date) -> str:
    """``2026年11月23日`` / ``23 Nov 2026`` (see :func:`kiosk.i18n.date_text`)."""
    return i18n.date_text(day)


def clock_text(now: datetime) -> str:
    """The header clock: ``11月23日 周一  14:05`` / ``23 Nov 2026, Mon 14:05``."""
    return i18n.clock_text(now)


def explain(err: object) -> str:
    """An error's sentence for the citizen in the current language (:func:`kiosk.i18n.explain`):
    the screens show this, never an error's own text."""
    return i18n.explain(err)


def sentences(parts: list[str]) -> str:
    """Notes joined into one sentence: ``甲；乙。`` / ``A; B.`` (each part's own end dropped)."""
    end = t("sentence_end")
    body = t("sentence_separator").join(p.rstrip(end).rstrip("。.") for p in parts)
    return body + end if parts else ""
