"""The OpenAPI file kept in the repository (``county/openapi.json``), generated from the app.

``python -m county.openapi`` rewrites it; ``python -m county.openapi --check`` exits 1 when it
has drifted from the code (a test does the same)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

PATH = Path(__file__).with_name("openapi.json")


def generate() -> dict[str, Any]:
    from county.app import create_app

    return create_app("sqlite://").openapi()


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = render(generate())
    if "--check" in args:
        if not PATH.exists() or PATH.read_text(encoding="utf-8") != text:
            print(f"{PATH} is out of date: run python -m county.openapi", file=sys.stderr)
            return 1
        return 0
    PATH.write_text(text, encoding="utf-8")
    print(f"wrote {PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
