"""Plays a prompt's WAV file through Kivy's SDL2 audio provider (SDL2_mixer).

Why Kivy's SDL2 sound and not ``aplay``: it plays in the kiosk's own process (no child
process per prompt), sets each prompt's volume by itself (``aplay`` has no volume; it would
mean changing the system mixer or a file per volume), stops a prompt at once when the next
screen comes, and needs nothing more installed (Kivy's SDL2 wheels bring SDL2_mixer).

The SDL2 provider is asked for by name, not through ``SoundLoader``: the loader takes the
first provider that knows ``.wav``, and ffpyplayer or gstreamer (if ever installed) come
before SDL2 in Kivy's list. The "no sound device" check below (a length of 0: SDL_mixer
would not open) is SDL2's signal, and SDL2 is the path the tests prove. With
``SDL_AUDIODRIVER=dummy`` (the tests) playback is real but silent;
tests/kiosk/voice/test_audio_out.py plays through SDL's ``disk`` driver and checks the
samples that come out.

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
            sound = _sdl2_sound()(source=str(path))
            if not sound.length:  # SDL could not open the sound device (none on this machine)
                sound.unload()
                raise PlaybackUnavailable(f"{path.name}: no sound device")
            self._loaded[path] = sound
        sound.volume = max(0.0, min(1.0, volume))
        sound.play()
        self._sound = sound

    @property
    def playing(self) -> bool:
        """A prompt is sounding (Kivy's clock notes its end within a tenth of a second)."""
        return self._sound is not None and self._sound.state == "play"

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


def _sdl2_sound():
    """Kivy's SDL2 sound class; :class:`PlaybackUnavailable` if this Kivy has none."""
    try:
        import kivy.core.audio  # noqa: F401 (registers the providers, SDL2 among them)
        from kivy.core.audio.audio_sdl2 import SoundSDL2
    except ImportError as err:
        raise PlaybackUnavailable(f"no SDL2 audio provider ({err})") from None
    return SoundSDL2
