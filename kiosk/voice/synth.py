"""Prompts rendered offline by espeak-ng into WAV files, cached.

A prompt's file is ``<cache>/<hash>.wav``, the hash of (voice, rate, text): the same
prompt is rendered once and then read from the folder (a changed text, voice or rate gets a
new file). espeak-ng reads the text on its standard input as UTF-8 (``-b 1 --stdin``), so no
text is ever taken for an option, and writes to a temporary name that is renamed when the
file is whole: a reader never sees half a file, and two renders of one prompt are harmless.

Errors are typed: :class:`SpeechUnavailable` — espeak-ng is not installed (the kiosk turns
voice off and keeps serving); :class:`SpeechFailed` — this prompt could not be rendered
(unknown voice, a crash, a file that is not a WAV). Prompt texts are fixed instructions, but
the logs name only the file, never the text.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import threading
import wave
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

BINARY = "espeak-ng"
PACKAGE = "espeak-ng"  # the Debian package (the Makefile's system packages)
TIMEOUT_S = 30


class VoiceError(RuntimeError):
    """Speech cannot be produced."""


class SpeechUnavailable(VoiceError):
    """espeak-ng is not installed: no prompt can be rendered."""

    def __init__(self, binary: str) -> None:
        super().__init__(f"{binary} not found; install it: sudo apt-get install {PACKAGE}")


class SpeechFailed(VoiceError):
    """One prompt could not be rendered."""


def wav_frames(path: str | Path) -> int:
    """The number of audio frames in a WAV file; :class:`SpeechFailed` if it is not one."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
        if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise SpeechFailed(f"{Path(path).name}: not a WAV file")
        with wave.open(str(path), "rb") as w:
            return w.getnframes()
    except (OSError, EOFError, wave.Error) as err:
        raise SpeechFailed(f"{Path(path).name}: unreadable ({err})") from None


class Synthesiser:
    """Renders text with espeak-ng into ``cache_dir``; ``voices`` maps a language (``zh``,
    ``en``) to an espeak-ng voice (``cmn``, ``en``). ``run`` is :func:`subprocess.run`
    (a test may wrap it to count processes); ``processes`` counts the renders started."""

    def __init__(self, cache_dir: str | Path, voices: dict[str, str], rate_wpm: int = 140,
                 binary: str = BINARY, run: Callable[..., subprocess.CompletedProcess] = subprocess.run) -> None:
        self.cache_dir = Path(cache_dir)
        self.voices, self.rate_wpm, self.binary, self._run = dict(voices), int(rate_wpm), binary, run
        self.processes = 0
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings, cache_dir: str | Path, **kwargs) -> "Synthesiser":
        """From :class:`kiosk.config.Voice`."""
        return cls(cache_dir, {"zh": settings.voice_zh, "en": settings.voice_en},
                   rate_wpm=settings.rate_wpm, **kwargs)

    def voice(self, lang: str) -> str:
        return self.voices.get(lang) or self.voices["zh"]

    def path_for(self, text: str, lang: str) -> Path:
        digest = hashlib.sha256(f"{self.voice(lang)}\0{self.rate_wpm}\0{text}".encode()).hexdigest()
        return self.cache_dir / f"{digest[:32]}.wav"

    def cached(self, text: str, lang: str) -> Path | None:
        path = self.path_for(text, lang)
        return path if path.is_file() else None

    def render(self, text: str, lang: str) -> Path:
        """The prompt's WAV file, rendered now unless already in the cache."""
        path = self.path_for(text, lang)
        if path.is_file():
            return path
        binary = self._binary()
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
        cmd = [binary, "-v", self.voice(lang), "-s", str(self.rate_wpm), "-b", "1", "--stdin",
               "-w", str(tmp)]
        with self._lock:
            self.processes += 1
        try:
            try:
                done = self._run(cmd, input=text.encode("utf-8"), capture_output=True, timeout=TIMEOUT_S)
            except FileNotFoundError:
                raise SpeechUnavailable(self.binary) from None
            except (OSError, subprocess.SubprocessError) as err:
                raise SpeechFailed(f"{path.name}: {binary} did not run ({type(err).__name__})") from None
            if done.returncode != 0:
                why = (done.stderr or b"").decode("utf-8", "replace").strip().splitlines()
                raise SpeechFailed(f"{path.name}: {binary} exit {done.returncode}"
                                   + (f": {why[0][:120]}" if why else ""))
            if wav_frames(tmp) <= 0:
                raise SpeechFailed(f"{path.name}: {binary} wrote no sound")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        log.info("voice: rendered %s (%s)", path.name, self.voice(lang))
        return path

    def _binary(self) -> str:
        if os.sep in self.binary:
            if os.access(self.binary, os.X_OK):
                return self.binary
            raise SpeechUnavailable(self.binary)
        found = shutil.which(self.binary)
        if found is None:
            raise SpeechUnavailable(self.binary)
        return found

    def prune(self, keep: set[Path]) -> int:
        """Remove cached files not in ``keep`` (prompts since changed); how many."""
        removed = 0
        for path in self.cache_dir.glob("*.wav"):
            if path not in keep:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
