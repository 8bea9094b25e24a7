"""Voice prompts leave through SDL's real audio path: the kiosk's own player (Kivy's SDL2
sound, SDL2_mixer) plays an espeak-ng prompt in a child process whose SDL audio driver is
``disk`` (``SDL_AUDIODRIVER=disk``: SDL writes the mixed output, raw PCM, to the file named by
``SDL_DISKAUDIOFILE``, at the pace of a sound card). The samples that come out are compared
with the WAV's own: the same sound (its loudness envelope), as long, as loud at volume 1.0,
half as loud at 0.5, nothing at all in quiet hours set to 0, cut short when the next prompt
comes; and a device SDL cannot open is the player's typed error.

Each playback needs its own process (SDL picks its audio driver once, at init; this one
already has ``dummy``); they run side by side, started once for the module.
"""

import json
import os
import subprocess
import sys
import wave
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from kiosk.config import Voice
from kiosk.i18n import tr
from kiosk.voice.synth import Synthesiser
from kiosk.voice.volume import volume_at

CHILD = Path(__file__).with_name("audio_child.py")
S16LSB = 0x8010  # SDL's AUDIO_S16LSB: what Kivy asks SDL_mixer for
WINDOW_S = 0.01  # loudness envelope: RMS per 10 ms
ZONE = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)
NIGHT = datetime(2026, 11, 23, 23, 0, tzinfo=ZONE)
SHORT, LONG = "voice_working", "voice_home"  # about 3.6 s and 19 s at the default rate


class Playbacks:
    """Child processes playing prompts into SDL disk files, started at once, read on demand."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.procs, self.done = folder, {}, {}

    def start(self, name: str, *args, out: Path | None = None) -> None:
        out = out or self.folder / f"{name}.raw"
        env = dict(os.environ, SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(out),
                   KIVY_HOME=str(self.folder / f"kivy-{name}"), KIVY_NO_ARGS="1",
                   KIVY_NO_CONSOLELOG="1", KIVY_NO_FILELOG="1")
        proc = subprocess.Popen([sys.executable, str(CHILD), *map(str, args)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.procs[name] = (proc, out)

    def get(self, name: str) -> tuple[dict, Path]:
        if name not in self.done:
            proc, out = self.procs[name]
            stdout, stderr = proc.communicate(timeout=90)
            assert proc.returncode == 0, stderr[-2000:]
            self.done[name] = (json.loads(stdout.strip().splitlines()[-1]), out)
        return self.done[name]

    def stop(self) -> None:
        for proc, _ in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def wavs(tmp_path_factory):
    synth = Synthesiser(tmp_path_factory.mktemp("voice-cache"), {"zh": "cmn", "en": "en"})
    return {key: synth.render(tr(key, "zh"), "zh") for key in (SHORT, LONG)}


@pytest.fixture(scope="module")
def played(tmp_path_factory, wavs):
    runs = Playbacks(tmp_path_factory.mktemp("sdl-disk"))
    full = volume_at(Voice(volume=100), DAY)
    half = volume_at(Voice(volume=50), DAY)
    night = volume_at(Voice(volume=100, quiet_start="22:00", quiet_end="07:00", quiet_volume=0), NIGHT)
    assert (full, half, night) == (1.0, 0.5, 0.0)
    runs.start("full", wavs[SHORT], full)
    runs.start("half", wavs[SHORT], half)
    runs.start("quiet", wavs[SHORT], night)
    runs.start("cut", wavs[LONG], full, wavs[SHORT], 1.0)
    runs.start("no_device", wavs[SHORT], full, out=runs.folder / "no-such-folder" / "out.raw")
    yield runs
    runs.stop()


# -- reading sound ---------------------------------------------------------------------------
def wav_samples(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        assert (w.getsampwidth(), w.getnchannels()) == (2, 1)  # espeak-ng: 16-bit mono
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(float), w.getframerate()


def sdl_output(report: dict, out: Path) -> tuple[np.ndarray, int]:
    """The disk file's samples, one column per channel, and the rate."""
    spec = report["spec"]
    assert spec is not None and spec["format"] == S16LSB, spec
    pcm = np.fromfile(out, "<i2").astype(float)
    return pcm[: len(pcm) // spec["channels"] * spec["channels"]].reshape(-1, spec["channels"]), spec["rate"]


def amplitude(out: np.ndarray, out_rate: int, src: np.ndarray, src_rate: int) -> float:
    """Output loudness over the source's: sqrt of energy (sum of squares per second) ratio."""
    return float(np.sqrt((out ** 2).sum() / out_rate / ((src ** 2).sum() / src_rate)))


def envelope(x: np.ndarray, rate: int) -> np.ndarray:
    n = int(rate * WINDOW_S)
    return np.sqrt((x[: len(x) // n * n].reshape(-1, n) ** 2).mean(axis=1))


def sounding(env: np.ndarray) -> tuple[float, float]:
    """(start, end) in seconds of what is louder than 2% of the peak."""
    loud = np.nonzero(env > 0.02 * env.max())[0]
    return loud[0] * WINDOW_S, (loud[-1] + 1) * WINDOW_S


def find(part: np.ndarray, whole: np.ndarray) -> tuple[float, float]:
    """Where envelope ``part`` sits in envelope ``whole``: (offset in seconds, correlation)."""
    scores = np.correlate(whole - whole.mean(), part - part.mean(), "valid")
    at = int(np.argmax(scores))
    return at * WINDOW_S, float(np.corrcoef(whole[at: at + len(part)], part)[0, 1])


# -- tests -----------------------------------------------------------------------------------
def test_a_prompt_comes_out_whole_and_as_loud_as_its_file(played, wavs):
    report, out = played.get("full")
    assert report["error"] is None and report["played"] == [True] and report["ended"]
    pcm, rate = sdl_output(report, out)
    src, src_rate = wav_samples(wavs[SHORT])
    for channel in pcm.T:  # the mono prompt on every speaker, at the file's own loudness
        assert 0.93 < amplitude(channel, rate, src, src_rate) < 1.07
    heard, said = envelope(pcm[:, 0], rate), envelope(src, src_rate)
    offset, match = find(said, heard)
    assert match > 0.9  # the same sound, not noise of the right loudness
    assert offset < 1.0  # it started at once
    start, end = sounding(heard)
    wav_start, wav_end = sounding(said)
    assert abs((end - start) - (wav_end - wav_start)) < 0.1  # all of it, not a piece
    assert len(pcm) / rate < offset + len(src) / src_rate + 1.0  # and then silence, no repeat


def test_half_volume_is_half_the_amplitude(played, wavs):
    full_pcm, rate = sdl_output(*played.get("full"))
    report, out = played.get("half")
    assert report["error"] is None and report["played"] == [True] and report["ended"]
    half_pcm, half_rate = sdl_output(report, out)
    src, src_rate = wav_samples(wavs[SHORT])
    ratio = amplitude(half_pcm, half_rate, src, src_rate) / amplitude(full_pcm, rate, src, src_rate)
    assert 0.47 < ratio < 0.53
    assert find(envelope(src, src_rate), envelope(half_pcm[:, 0], half_rate))[1] > 0.9


def test_quiet_hours_at_zero_play_nothing(played):
    report, out = played.get("quiet")
    assert report["error"] is None and report["played"] == [False]
    # the player does not even open the mixer: SDL never opens its device, no file appears
    assert report["spec"] is None and not out.exists()


def test_the_next_prompt_cuts_the_one_playing(played, wavs):
    report, out = played.get("cut")
    assert report["error"] is None and report["played"] == [True, True] and report["ended"]
    pcm, rate = sdl_output(report, out)
    heard = envelope(pcm[:, 0], rate)
    short, short_rate = wav_samples(wavs[SHORT])
    first_src, first_rate = wav_samples(wavs[LONG])
    said = envelope(short, short_rate)
    start, end = sounding(heard)
    offset, match = find(said, heard)
    gap = report["gap_s"]  # between the two play() calls, by the child's clock
    assert match > 0.9  # the second prompt is heard, whole ...
    # ... from when it was asked for (the output never runs ahead of the clock; it may lag)
    assert 0.5 < offset - start < gap + 0.2
    assert abs(end - (offset + sounding(said)[1])) < 0.1  # and after it, nothing: the first is gone
    # before the switch: the first prompt, as loud as its own opening
    before = pcm[: int((offset - 0.05) * rate), 0]
    opening = first_src[: int((offset - start) * first_rate)]
    assert 0.7 < amplitude(before, rate, opening, first_rate) < 1.3
    assert end - start < gap + len(short) / short_rate + 0.5 < len(first_src) / first_rate


def test_a_device_sdl_cannot_open_is_a_typed_error(played):
    report, out = played.get("no_device")
    name, message = report["error"]
    assert name == "PlaybackUnavailable" and message.endswith(": no sound device")
    assert report["played"] == [] and report["spec"] is None and not out.parent.exists()
