"""Render every voice prompt ahead of time (an image build or provisioning step).

    python -m kiosk.voice.render --config /etc/kiosk/kiosk.toml   # into [voice] cache_dir
    python -m kiosk.voice.render --out DIR                         # default voices, into DIR

Prints one line per language and exits 0; exits 1 with one line if espeak-ng is missing or a
prompt cannot be rendered. ``--prune`` removes cached files of prompts no longer used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.voice import prompts
from kiosk.voice.synth import Synthesiser, VoiceError


def render_all(synth: Synthesiser, prune: bool = False) -> dict[str, int]:
    """Render every prompt of every language; prompts rendered (or found) per language."""
    counts: dict[str, int] = {}
    kept: set[Path] = set()
    for lang, _key, text in prompts.every_prompt():
        kept.add(synth.render(text, lang))
        counts[lang] = counts.get(lang, 0) + 1
    if prune:
        synth.prune(kept)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.voice.render", description=__doc__.split("\n")[0])
    parser.add_argument("--config", help="the kiosk's config (its [voice] section and data_dir)")
    parser.add_argument("--out", help="folder for the WAV files (default: from the config)")
    parser.add_argument("--prune", action="store_true", help="remove files of prompts no longer used")
    args = parser.parse_args(argv)
    from kiosk.config import ConfigError, Voice, load_config

    try:
        if args.config:
            config = load_config(args.config)
            settings = config.voice
            default = config.path(settings.cache_dir) if settings.cache_dir else config.data_dir / "voice"
        elif args.out:
            settings, default = Voice(), None
        else:
            parser.error("give --config or --out")
        out = Path(args.out) if args.out else default
        synth = Synthesiser.from_settings(settings, out)
        counts = render_all(synth, prune=args.prune)
    except (ConfigError, VoiceError, OSError) as err:
        print(f"voice render: {err}", file=sys.stderr)
        return 1
    for lang, n in counts.items():
        print(f"{lang}: {n} prompts ({synth.voice(lang)}) in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
