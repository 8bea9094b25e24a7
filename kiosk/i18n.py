"""Translations: every citizen-facing string lives in ``kiosk/locale/<lang>/*.toml``.

Each language is a folder of TOML files (one per part of the kiosk: ``ui.toml``,
``voice.toml``, ``keyboard.toml`` …) of flat ``key = "text"`` pairs; a key is unique across a
language's files, and every language has the same keys as Chinese (a test checks both).
Look a string up with :func:`tr` (``tr("cancel")``, ``tr("mat_page", n=1, m=3)``); the current
language is process-wide (:func:`set_language`); the kiosk resets it to Chinese after each
visit. A key missing from another language falls back to Chinese, never to the key itself.
A file only Chinese has is exempt from the same-keys rule: ``paper.toml``, for printed paper
(receipts, notices, certificates), an official record that is Chinese in every language.
The screens reach this module through :mod:`kiosk.ui.strings` (a Kivy property for kv).
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

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
    """The text of ``key`` in ``lang`` (the current language by default), formatted."""
    text = table(lang or _current).get(key)
    if text is None:
        text = table(DEFAULT).get(key)
    if text is None:
        raise TranslationError(f"no text for {key!r}")
    return text.format(**values) if values else text
