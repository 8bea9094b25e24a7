"""espeak-ng renders prompts into real WAV files, once: the second time the cache answers and
no process starts. No espeak-ng: a typed error naming the package."""

import subprocess
import wave

import pytest

from kiosk.i18n import tr
from kiosk.voice import prompts
from kiosk.voice.render import main as render_main
from kiosk.voice.synth import SpeechFailed, SpeechUnavailable, Synthesiser, wav_frames

VOICES = {"zh": "cmn", "en": "en"}


class CountingRun:
    """subprocess.run, counted: the real espeak-ng runs."""

    def __init__(self):
        self.calls = []

    def __call__(self, cmd, **kwargs):
        self.calls.append(cmd)
        return subprocess.run(cmd, **kwargs)


def test_a_mandarin_prompt_becomes_a_real_wav_file(tmp_path):
    synth = Synthesiser(tmp_path, VOICES)
    path = synth.render(tr("voice_identify", "zh"), "zh")
    assert path.parent == tmp_path and path.suffix == ".wav"
    head = path.read_bytes()[:12]
    assert head[:4] == b"RIFF" and head[8:12] == b"WAVE"
    with wave.open(str(path)) as w:
        frames, rate = w.getnframes(), w.getframerate()
    assert frames > 0 and frames == wav_frames(path)
    assert frames / rate > 1.0  # a sentence, not a click
    assert not list(tmp_path.glob("*.tmp"))  # written whole, then renamed


def test_the_second_time_the_cache_answers_without_a_process(tmp_path):
    run = CountingRun()
    synth = Synthesiser(tmp_path, VOICES, run=run)
    text = tr("voice_home", "zh")
    first = synth.render(text, "zh")
    stamp = first.stat().st_mtime_ns
    assert len(run.calls) == 1 and synth.processes == 1
    assert run.calls[0][:3] == [run.calls[0][0], "-v", "cmn"]
    again = synth.render(text, "zh")
    assert again == first and again.stat().st_mtime_ns == stamp
    assert len(run.calls) == 1 and synth.processes == 1
    # another text, voice or rate is another file
    other = Synthesiser(tmp_path, VOICES, rate_wpm=170, run=run)
    assert other.path_for(text, "zh") != first
    assert synth.path_for(text, "en") != first
    assert synth.path_for(tr("voice_face", "zh"), "zh") != first


def test_english_uses_the_english_voice(tmp_path):
    run = CountingRun()
    path = Synthesiser(tmp_path, VOICES, run=run).render(tr("voice_home", "en"), "en")
    assert run.calls[0][2] == "en" and wav_frames(path) > 0


def test_a_text_that_looks_like_an_option_is_only_spoken(tmp_path):
    synth = Synthesiser(tmp_path, VOICES)
    path = synth.render("--help -w /tmp/x", "en")  # read on stdin, never as arguments
    assert wav_frames(path) > 0


def test_missing_espeak_is_a_typed_error(tmp_path):
    for binary in ("/nonexistent/espeak-ng", "no-such-espeak-ng"):
        synth = Synthesiser(tmp_path, VOICES, binary=binary)
        with pytest.raises(SpeechUnavailable, match="apt-get install espeak-ng"):
            synth.render("你好", "zh")
    assert not list(tmp_path.iterdir())


def test_an_unknown_voice_fails_for_that_prompt(tmp_path):
    synth = Synthesiser(tmp_path, {"zh": "nosuchvoice"})
    with pytest.raises(SpeechFailed, match="exit"):
        synth.render("你好", "zh")
    assert not list(tmp_path.iterdir())  # no half file left


def test_not_a_wav_is_refused(tmp_path):
    bad = tmp_path / "x.wav"
    bad.write_bytes(b"ID3 not a wave at all")
    with pytest.raises(SpeechFailed):
        wav_frames(bad)


def test_render_step_makes_every_prompt_once_and_prunes(tmp_path, capsys):
    stale = tmp_path / "0123.wav"
    tmp_path.mkdir(exist_ok=True)
    stale.write_bytes(b"old")
    assert render_main(["--out", str(tmp_path), "--prune"]) == 0
    out = capsys.readouterr().out
    assert f"zh: {len(prompts.ALL_KEYS)} prompts (cmn)" in out and "en:" in out
    files = list(tmp_path.glob("*.wav"))
    assert len(files) == 2 * len(prompts.ALL_KEYS) and not stale.exists()
    assert all(wav_frames(f) > 0 for f in files)


def test_every_screen_has_a_prompt_in_both_languages():
    from kiosk.ui.screens import SCREENS

    assert set(prompts.SCREEN_PROMPTS) == set(SCREENS)
    for lang in ("zh", "en"):
        for key in prompts.ALL_KEYS:
            assert tr(key, lang).strip()
    assert all(not any("\u3400" <= ch <= "\u9fff" for ch in tr(k, "en")) for k in prompts.ALL_KEYS)
