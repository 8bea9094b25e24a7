"""Shared output rules of ``kiosk-diag``: JSON with ``--json``, a one-line reason on failure."""

from __future__ import annotations

import json
import sys
from typing import Any


class DiagError(Exception):
    """A failure to report as one line on stderr with a non-zero exit."""

    def __init__(self, reason: str, exit_code: int = 1) -> None:
        super().__init__(reason)
        self.exit_code = exit_code


def emit(value: Any, as_json: bool) -> None:
    """Print ``value``: one JSON document with ``--json``, else ``key: value`` lines."""
    if as_json:
        print(json.dumps(value, ensure_ascii=False, sort_keys=False))
        return
    if isinstance(value, dict):
        for key, item in value.items():
            text = json.dumps(item, ensure_ascii=False) if isinstance(item, (dict, list)) else item
            print(f"{key}: {text}")
    else:
        print(value)


def one_line(text: str) -> str:
    return " ".join(str(text).split()) or "failed"
