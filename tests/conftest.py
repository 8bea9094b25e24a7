"""Test-wide settings: Kivy headless and quiet, never reading the command line."""

import os
import tempfile

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIOSK_VOICE", "off")  # voice prompts muted in tests (their own tests turn them on)
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")  # real playback, no sound device needed
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
