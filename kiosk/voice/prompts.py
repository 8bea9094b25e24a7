"""Which prompt each screen speaks: screen name → key in ``kiosk/locale/<lang>/voice.toml``.

Every key is written out here (not built from the screen's name) so that a search of the
code finds each one. ``working`` covers the busy states (submitting, printing, looking up).
"""

from __future__ import annotations

from kiosk.i18n import LANGUAGES, tr

SCREEN_PROMPTS: dict[str, str] = {
    "home": "voice_home",
    "catalog": "voice_catalog",
    "guide": "voice_guide",
    "working": "voice_working",
    "out_of_service": "voice_out_of_service",
    "identify": "voice_identify",
    "ineligible": "voice_ineligible",
    "face": "voice_face",
    "form": "voice_form",
    "materials": "voice_materials",
    "signature": "voice_signature",
    "confirm": "voice_confirm",
    "receipt": "voice_receipt",
    "rating": "voice_rating",
    "progress": "voice_progress",
    "progress_result": "voice_progress_result",
}
#: Not screens: the idle countdown over a screen, and 长辈模式 switched on.
IDLE_WARNING = "voice_idle_warning"
ELDER_ON = "voice_elder_on"
ALL_KEYS: tuple[str, ...] = (*SCREEN_PROMPTS.values(), IDLE_WARNING, ELDER_ON)


def key_for(screen: str) -> str | None:
    """The prompt key of a screen; None for a screen that speaks nothing."""
    return SCREEN_PROMPTS.get(screen)


def text(key: str, lang: str) -> str:
    return tr(key, lang)


def every_prompt() -> list[tuple[str, str, str]]:
    """(language, key, text) of every prompt in every language: what a build renders."""
    return [(lang, key, tr(key, lang)) for lang in LANGUAGES for key in ALL_KEYS]
