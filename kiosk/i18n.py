"""Translations: every citizen-facing string lives in ``kiosk/locale/<lang>/*.toml``.

Each language is a folder of TOML files (one per part of the kiosk: ``ui.toml``,
``voice.toml``, ``keyboard.toml`` …) of flat ``key = "text"`` pairs; a key is unique across a
language's files, and every language has the same keys as Chinese (a test checks both).
Look a string up with :func:`tr` (``tr("cancel")``, ``tr("mat_page", n=1, m=3)``); the current
language is process-wide (:func:`set_language`); the kiosk resets it to Chinese after each
visit. A key missing from another language falls back to Chinese, never to the key itself.
Plurals: a key may have an English singular ``<key>.one``, used when the text is given
``n=1`` (``tr("idle_body", n=1)`` → "In 1 second …"); Chinese has none.
A file only Chinese has is exempt from the same-keys rule: ``paper.toml``, for printed paper
(receipts, notices, certificates), an official record that is Chinese in every language.
The screens reach this module through :mod:`kiosk.ui.strings` (a Kivy property for kv).

Errors are translated here, once, at the boundary: an error carries a ``key`` and ``params``
(plain values, dates, :class:`Key` and :class:`CatalogText`), never text, and :func:`explain`
turns it into the citizen's sentence in a language (kiosk/catalog and kiosk/session use this
module, which imports no Kivy).
"""

from __future__ import annotations

import functools
import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).with_name("locale")
DEFAULT = "zh"
#: Language code → its own name, as the language button shows it.
LANGUAGES = {"zh": "中文", "en": "English"}

_current = DEFAULT


class TranslationError(ValueError):
    """A locale file is malformed, or a key is defined twice or is unknown."""


@functools.lru_cache(maxsize=None)
def table(lang: str) -> dict[str, str]:
    """Every key of ``lang``, read once."""
    if lang not in LANGUAGES:
        raise TranslationError(f"unknown language {lang!r}")
    out: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / lang).glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise TranslationError(f"{path.name} ({lang}): {err}") from err
        for key, text in data.items():
            if not isinstance(text, str):
                raise TranslationError(f"{path.name} ({lang}): {key} is not a string")
            if key in out:
                raise TranslationError(f"{path.name} ({lang}): {key} is defined twice")
            out[key] = text
    return out


def set_language(lang: str) -> None:
    global _current
    table(lang)  # raises for an unknown language
    _current = lang


def language() -> str:
    return _current


def tr(key: str, lang: str | None = None, **values: object) -> str:
    """The text of ``key`` in ``lang`` (the current language by default), formatted; with
    ``n=1``, the language's singular ``<key>.one`` when it has one."""
    text = _text(key, lang, values.get("n"))
    return text.format(**values) if values else text


def _text(key: str, lang: str | None, n: object = None) -> str:
    text = table(lang or _current).get(f"{key}.one") if n == 1 else None
    if text is None:
        text = table(lang or _current).get(key)
    if text is None:
        text = table(DEFAULT).get(key)
    if text is None:
        raise TranslationError(f"no text for {key!r}")
    return text


def _names(key: str, lang: str | None) -> list[str]:
    return tr(key, lang).split()


def date_text(day: date, lang: str | None = None) -> str:
    """``2026年11月23日`` / ``23 Nov 2026``."""
    return tr("date", lang, year=day.year, month=day.month, day=day.day,
              month_name=_names("month_names", lang)[day.month - 1])


def clock_text(now: datetime, lang: str | None = None) -> str:
    """The header clock: ``11月23日 周一  14:05`` / ``23 Nov 2026, Mon 14:05``."""
    return tr("clock", lang, year=now.year, month=now.month, day=now.day,
              month_name=_names("month_names", lang)[now.month - 1],
              weekday=_names("weekday_names", lang)[now.weekday()], time=f"{now:%H:%M}")


# -- errors ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Key:
    """A locale key as an error's parameter (``Key("card_type.resident")``): its text in the
    language the error is explained in."""

    key: str


@dataclass(frozen=True, repr=False)
class CatalogText:
    """Catalog data inside an error (a field's label, an item's name): Chinese as the catalog
    has it, and where to ask for another language (``owner.<method>(lang)``, e.g.
    ``Item.name_for``) when the catalog has that; otherwise the Chinese."""

    zh: str
    owner: object = None
    method: str = ""

    def __repr__(self) -> str:
        return f"CatalogText({self.method or 'zh'})"

    def text(self, lang: str) -> str:
        local = getattr(self.owner, self.method, None) if self.method else None
        if lang == DEFAULT or not callable(local):
            return self.zh
        found = local(lang)
        return found if isinstance(found, str) and found else self.zh


def _param(value: Any, lang: str) -> Any:
    if isinstance(value, CatalogText):
        return value.text(lang)
    if isinstance(value, Key):
        return tr(value.key, lang)
    if isinstance(value, date):
        return date_text(value, lang)
    if isinstance(value, (list, tuple)):  # names joined, each once: 甲、乙 / A, B
        return tr("list_separator", lang).join(dict.fromkeys(str(_param(v, lang)) for v in value))
    return value


def explain(err: object, lang: str | None = None) -> str:
    """The citizen's sentence for an error (``err.key`` with ``err.params``) in ``lang`` (the
    current language by default). Anything without a known key, or whose text cannot be
    made, is the generic error text: never a code, a key or English in Chinese mode."""
    lang = lang or _current
    key, params = getattr(err, "key", None), getattr(err, "params", None) or {}
    if isinstance(key, str) and isinstance(params, Mapping) and key in table(DEFAULT):
        try:
            values = {k: _param(v, lang) for k, v in params.items()}
            return _text(key, lang, values.get("n")).format(**values).strip()
        except (TranslationError, KeyError, IndexError, ValueError, TypeError):
            pass
    log.error("no text for error %s", key if isinstance(key, str) else type(err).__name__)
    return tr("error_generic", lang)
