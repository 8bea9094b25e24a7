"""What Kivy keeps of a text after the widget showing it was emptied, and forgetting it.

A :class:`~kivy.uix.label.Label` whose ``text`` becomes ``""`` drops its ``texture`` but its
core label (``label._label``) keeps the laid-out lines of the old text (``_cached_lines``:
words as strings) and the old texture with its pixels, until the label shows something
else. ``TextInput`` keeps rendered lines in Kivy's cache (``textinput.label`` and
``textinput.width``, keyed by the text itself) for a minute. When a visit ends the app
calls :func:`forget_shown_text` on every screen so that nothing of the last citizen stays.
"""

from __future__ import annotations

from collections.abc import Iterable

from kivy.cache import Cache

#: Kivy's cache categories keyed by, or holding, the text a widget rendered.
TEXT_CACHES = ("textinput.label", "textinput.width")


def _zero(texture) -> None:
    """Overwrite a texture's pixels (its memory on the GPU) before letting it go."""
    try:
        width, height = texture.size
        if width * height > 1:
            texture.blit_buffer(bytes(width * height * 4), colorfmt="rgba", bufferfmt="ubyte")
    except Exception:  # a texture already released: nothing left to overwrite
        pass


def forget_label(label) -> None:
    """An emptied label's core text: laid-out lines, text and last texture forgotten."""
    core = getattr(label, "_label", None)
    if core is None or getattr(label, "text", "") or not hasattr(core, "_cached_lines"):
        return  # not a label, or it shows something now (that is what it should keep)
    core._cached_lines = []
    core.text = ""
    texture = getattr(core, "texture", None)
    if texture is not None and texture is not getattr(type(core), "_texture_1px", None):
        _zero(texture)
        core.texture = None
    refs = getattr(core, "_refs", None)
    if refs:
        core._refs = {}
    if getattr(label, "_wrapped_for", None) is not None:  # CJKLabel's wrapped text
        label._wrapped_for, label._wrapped = None, ""


def forget_shown_text(roots: Iterable) -> None:
    """Every emptied label under ``roots`` forgets its text; the text caches are purged."""
    for root in roots:
        for widget in root.walk(restrict=False):
            forget_label(widget)
    for category in TEXT_CACHES:
        if category in Cache._categories:
            Cache.remove(category)
