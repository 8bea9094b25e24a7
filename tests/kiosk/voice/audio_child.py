"""Child process of test_audio_out: plays prompt WAVs with the kiosk's own player.

    python audio_child.py WAV VOLUME [WAV2 AFTER_S]

Run with ``SDL_AUDIODRIVER=disk`` and ``SDL_DISKAUDIOFILE=<file>``: SDL mixes into that file
instead of a sound card (SDL chooses its audio driver once, at init, so this needs its own
process). Plays WAV at VOLUME; with WAV2, plays it AFTER_S seconds later at the same volume
(the new prompt stops the first); waits for the end, closes the mixer so the file is whole,
and prints one JSON line: the mixer's output format (read from SDL_mixer itself), what was
played, and a typed error's name and text if the player refused.
"""

import ctypes
import json
import sys
import time
from pathlib import Path

from kivy.clock import Clock

from kiosk.voice.player import KivyPlayer, PlaybackUnavailable

TAIL_S = 0.3  # after the end: the mixer writes its last buffer


def run_clock(seconds: float, until=lambda: False) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not until():
        Clock.tick()
        time.sleep(0.01)


def mixer():
    """The SDL_mixer library Kivy loaded (same file, so the same open mixer); None if none."""
    with open("/proc/self/maps") as maps:
        paths = [line.split()[-1] for line in maps if "libSDL2_mixer" in line]
    return ctypes.CDLL(paths[0]) if paths else None


def mixer_spec(lib) -> dict | None:
    freq, fmt, channels = ctypes.c_int(), ctypes.c_uint16(), ctypes.c_int()
    if lib is None or not lib.Mix_QuerySpec(ctypes.byref(freq), ctypes.byref(fmt), ctypes.byref(channels)):
        return None
    return {"rate": freq.value, "format": fmt.value, "channels": channels.value}


def main(argv: list[str]) -> dict:
    wav, volume = Path(argv[0]), float(argv[1])
    player = KivyPlayer()
    report = {"error": None, "played": [], "spec": None, "gap_s": None}
    try:
        player.play(wav, volume)
        report["played"].append(player.playing)
        if len(argv) > 2:
            started = time.monotonic()
            run_clock(float(argv[3]))
            player.play(Path(argv[2]), volume)
            report["gap_s"] = time.monotonic() - started
            report["played"].append(player.playing)
        run_clock(60, until=lambda: not player.playing)
        report["ended"] = not player.playing
        run_clock(TAIL_S)
    except PlaybackUnavailable as err:
        report["error"] = [type(err).__name__, str(err)]
    lib = mixer()
    report["spec"] = mixer_spec(lib)
    player.close()
    if report["spec"] is not None:
        lib.Mix_CloseAudio()  # closes SDL's disk device: the file is flushed and whole
    return report


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])), file=sys.__stdout__)
