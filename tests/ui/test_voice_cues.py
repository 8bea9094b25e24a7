"""语音播报 on cue: each screen a citizen reaches plays its prompt once — a real WAV rendered
by espeak-ng, played by a real (silent: SDL's dummy audio) Kivy player that also records
what it was given; quiet hours turn the volume down; 长辈模式 speaks even when prompts are
otherwise for elders only; no espeak-ng keeps the kiosk serving, with voice off, logged once."""

import logging
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

os.environ.setdefault("SDL_AUDIODRIVER", "dummy")  # real playback, no sound

from kiosk import i18n  # noqa: E402
from kiosk.config import Voice  # noqa: E402
from kiosk.session import State  # noqa: E402
from kiosk.voice import VoiceGuide, attach  # noqa: E402
from kiosk.voice.player import KivyPlayer, PlaybackUnavailable  # noqa: E402
from kiosk.voice.synth import Synthesiser, wav_frames  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)
NIGHT = datetime(2026, 11, 23, 23, 0, tzinfo=ZONE)


class RecordingPlayer(KivyPlayer):
    """Kivy's player, that also notes each (file, volume) it is asked to play."""

    def __init__(self):
        super().__init__()
        self.played: list[tuple[Path, float]] = []

    def play(self, path, volume):
        self.played.append((Path(path), volume))
        super().play(path, volume)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("voice-cache")  # shared: each prompt rendered once


def voiced(kiosk, cache, settings=None, when=DAY, **options):
    settings = settings or Voice()
    synth = Synthesiser.from_settings(settings, cache)
    player = RecordingPlayer()
    guide = VoiceGuide(settings, synth, player, wall=lambda: when, zone=ZONE, prerender=False, **options)
    return guide.attach(kiosk.app), player


def prompt_file(guide, key, lang="zh"):
    return guide.synth.path_for(i18n.tr(key, lang), lang)


def wait_played(kiosk, player, n):
    kiosk.wait(lambda: len(player.played) >= n, timeout=20, what=f"{n} prompts played")
    kiosk.idle(5)  # and nothing more comes
    assert len(player.played) == n, [p.name for p, _ in player.played]


def test_each_screen_plays_its_prompt_once(kiosk, cache):
    guide, player = voiced(kiosk, cache)
    kiosk.idle(3)
    assert player.played == []  # the kiosk's start is silent
    kiosk.tap(kiosk.screen.ids.tile_apply)
    wait_played(kiosk, player, 1)
    kiosk.tap(kiosk.screen.item_tiles["zz-gljt"])
    wait_played(kiosk, player, 2)
    kiosk.tap(kiosk.screen.ids.start_button)
    assert kiosk.screen_name == "identify"
    wait_played(kiosk, player, 3)
    kiosk.tap(kiosk.screen.ids.cancel_button)
    assert kiosk.screen_name == "home"
    wait_played(kiosk, player, 4)
    keys = ["voice_catalog", "voice_guide", "voice_identify", "voice_home"]
    assert [p for p, _ in player.played] == [prompt_file(guide, k) for k in keys]
    for path, volume in player.played:
        assert path.is_file() and wav_frames(path) > 0 and volume == 0.8
    assert player._sound is not None and player._sound.source == str(player.played[-1][0])


def test_quiet_hours_turn_the_volume_down(kiosk, cache):
    guide, player = voiced(kiosk, cache, Voice(volume=90, quiet_volume=25), when=NIGHT)
    kiosk.tap(kiosk.screen.ids.tile_apply)
    wait_played(kiosk, player, 1)
    assert player.played[0] == (prompt_file(guide, "voice_catalog"), 0.25)
    guide._wall = lambda: DAY.replace(hour=7, minute=0)  # quiet hours are over
    kiosk.tap(kiosk.screen.ids.cancel_button)  # back home
    wait_played(kiosk, player, 2)
    assert player.played[1][1] == 0.9


def test_the_idle_warning_speaks_and_an_idle_end_is_silent(kiosk, cache):
    guide, player = voiced(kiosk, cache)
    kiosk.tap(kiosk.screen.ids.tile_apply)
    kiosk.tap(kiosk.screen.item_tiles["zz-gljt"])
    wait_played(kiosk, player, 2)
    kiosk.clock.advance(kiosk.session.idle_timeout_s)
    kiosk.app.tick()
    assert kiosk.session.state is State.IDLE_WARNING
    wait_played(kiosk, player, 3)
    assert player.played[-1][0] == prompt_file(guide, "voice_idle_warning")
    kiosk.clock.advance(kiosk.services.config.session.idle_countdown_s)
    kiosk.app.tick()
    assert kiosk.screen_name == "home"
    kiosk.idle(10)
    assert len(player.played) == 3  # nobody is there: home says nothing


def test_elder_only_speaks_in_elder_mode(kiosk, cache):
    guide, player = voiced(kiosk, cache, Voice(elder_only=True))
    kiosk.tap(kiosk.screen.ids.tile_apply)
    kiosk.idle(10)
    assert player.played == []
    kiosk.tap(kiosk.screen.ids.cancel_button)
    kiosk.idle(3)
    assert kiosk.screen_name == "home"
    kiosk.tap(kiosk.screen.ids.elder_button)
    wait_played(kiosk, player, 1)
    assert player.played[0][0] == prompt_file(guide, "voice_elder_on")
    kiosk.tap(kiosk.screen.ids.tile_apply)
    wait_played(kiosk, player, 2)
    assert player.played[1][0] == prompt_file(guide, "voice_catalog")


def test_english_prompts_follow_the_language(kiosk, cache):
    guide, player = voiced(kiosk, cache)
    i18n.set_language("en")
    try:
        kiosk.tap(kiosk.screen.ids.tile_apply)
        wait_played(kiosk, player, 1)
    finally:
        i18n.set_language("zh")
    assert player.played[0][0] == prompt_file(guide, "voice_catalog", "en")


def test_without_espeak_the_kiosk_serves_in_silence(kiosk, tmp_path, caplog):
    settings = Voice()
    synth = Synthesiser.from_settings(settings, tmp_path, binary="/nonexistent/espeak-ng")
    player = RecordingPlayer()
    guide = VoiceGuide(settings, synth, player, wall=lambda: DAY, prerender=False).attach(kiosk.app)
    with caplog.at_level(logging.WARNING, logger="kiosk.voice.guide"):
        kiosk.tap(kiosk.screen.ids.tile_apply)
        kiosk.wait(lambda: guide.broken, timeout=10, what="voice off")
        kiosk.tap(kiosk.screen.item_tiles["zz-gljt"])
        kiosk.tap(kiosk.screen.ids.start_button)
        kiosk.idle(5)
    assert kiosk.screen_name == "identify"  # the visit goes on
    assert player.played == []
    offs = [r for r in caplog.records if "voice off" in r.getMessage()]
    assert len(offs) == 1 and "espeak-ng" in offs[0].getMessage()


def test_attach_reads_the_config_and_the_env_switch_mutes(kiosk, monkeypatch):
    monkeypatch.setenv("KIOSK_VOICE", "off")
    muted = attach(kiosk.app, player=RecordingPlayer())
    assert muted.muted and not muted.active
    monkeypatch.delenv("KIOSK_VOICE")
    player = RecordingPlayer()
    guide = attach(kiosk.app, player=player)
    assert guide.synth.cache_dir == kiosk.services.config.data_dir / "voice"
    assert guide.synth.voices == {"zh": "cmn", "en": "en"}
    kiosk.tap(kiosk.screen.ids.tile_apply)
    wait_played(kiosk, player, 1)
    assert player.played[0][0].parent == kiosk.services.config.data_dir / "voice"
    assert muted.player.played == []


class NoDevicePlayer(RecordingPlayer):
    """What KivyPlayer raises on a machine without a sound device (SDL opens none)."""

    def play(self, path, volume):
        self.played.append((Path(path), volume))
        raise PlaybackUnavailable(f"{Path(path).name}: no sound device")


def test_no_sound_device_turns_voice_off_once(kiosk, cache, caplog):
    settings = Voice()
    player = NoDevicePlayer()
    guide = VoiceGuide(settings, Synthesiser.from_settings(settings, cache), player,
                       wall=lambda: DAY, prerender=False).attach(kiosk.app)
    with caplog.at_level(logging.WARNING, logger="kiosk.voice.guide"):
        kiosk.tap(kiosk.screen.ids.tile_apply)
        kiosk.wait(lambda: guide.broken, timeout=20, what="voice off")
        kiosk.tap(kiosk.screen.item_tiles["zz-gljt"])
        kiosk.idle(10)
    assert kiosk.screen_name == "guide" and len(player.played) == 1
    assert [r.getMessage() for r in caplog.records if "voice off" in r.getMessage()] == [
        "voice off: " + player.played[0][0].name + ": no sound device"]


def test_a_language_switch_says_the_screen_again_in_that_language(kiosk, cache):
    strings = pytest.importorskip("kiosk.ui.strings")
    if not hasattr(strings, "LANG"):
        pytest.skip("the UI has no language property yet")
    guide, player = voiced(kiosk, cache)
    kiosk.tap(kiosk.screen.ids.tile_apply)
    wait_played(kiosk, player, 1)
    try:
        strings.set_language("en")
        wait_played(kiosk, player, 2)
    finally:
        strings.set_language("zh")
    wait_played(kiosk, player, 3)
    assert [p for p, _ in player.played] == [prompt_file(guide, "voice_catalog", lang)
                                             for lang in ("zh", "en", "zh")]
