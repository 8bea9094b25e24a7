"""Plays a prompt's WAV file through Kivy's SoundLoader (SDL2 audio).

Why SoundLoader and not ``aplay``: it plays in the kiosk's own process (no child process
per prompt), sets each prompt's volume by itself (``aplay`` has no volume; it would mean
changing the system mixer or a file per volume), stops a prompt at once when the next screen
comes, and needs nothing more installed (Kivy's SDL2 wheels bring SDL2_mixer). With
``SDL_AUDIODRIVER=dummy`` (the tests) playback is real but silent.

Call from Kivy's main thread. One prompt at a time: a new one stops the one playing.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


class PlaybackUnavailable(RuntimeError):
    """No audio output can play this file (no SDL2 audio provider, no sound device)."""


class KivyPlayer:
    def __init__(self) -> None:
        self._sound = None
        self._loaded: dict[Path, object] = {}

    def play(self, path: Path, volume: float) -> None:
        """Play ``path`` at ``volume`` (0.0–1.0); :class:`PlaybackUnavailable` if it cannot."""
        self.stop()
        if volume <= 0:
            return
        sound = self._loaded.get(path)
        if sound is None:
            from kivy.core.audio import SoundLoader

            sound = SoundLoader.load(str(path))
            if sound is None:
                raise PlaybackUnavailable(f"{path.name}: no audio provider can play it")
            if not sound.length:  # SDL could not open the sound device (none on this machine)
                sound.unload()
                raise PlaybackUnavailable(f"{path.name}: no sound device")
            self._loaded[path] = sound
        sound.volume = max(0.0, min(1.0, volume))
        sound.play()
        self._sound = sound

    def stop(self) -> None:
        if self._sound is not None:
            try:
                self._sound.stop()
            except Exception as err:  # a broken audio device must not break the screen
                log.warning("voice: stop failed (%s)", type(err).__name__)
            self._sound = None

    def close(self) -> None:
        self.stop()
        for sound in self._loaded.values():
            try:
                sound.unload()
            except Exception:  # noqa: BLE001 (closing: nothing to do about it)
                pass
        self._loaded.clear()
