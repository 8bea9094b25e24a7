"""语音播报: each screen's instruction spoken aloud, offline.

- :mod:`kiosk.voice.prompts` — which prompt each screen speaks (texts in
  ``kiosk/locale/<lang>/voice.toml``, read with :func:`kiosk.i18n.tr`).
- :mod:`kiosk.voice.synth` — espeak-ng renders a prompt to a WAV file in a cache folder, named
  by a hash of (text, voice, rate): rendered once, then reused.
- :mod:`kiosk.voice.volume` — the volume at a time of day (quiet hours at night).
- :mod:`kiosk.voice.player` — plays a WAV through Kivy's SDL2 sound (SDL2_mixer).
- :mod:`kiosk.voice.guide` — :class:`VoiceGuide` listens to the app's screens, 长辈模式
  and the idle warning and speaks; :func:`attach` wires it into a running app.
- ``python -m kiosk.voice.render`` renders every prompt ahead of time (an image build step).
"""

from kiosk.voice.guide import VoiceGuide, attach
from kiosk.voice.synth import SpeechFailed, SpeechUnavailable, Synthesiser, VoiceError

__all__ = ["VoiceGuide", "attach", "Synthesiser", "VoiceError", "SpeechUnavailable", "SpeechFailed"]
