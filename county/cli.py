"""``county``: the reference county backend. Built by the county backend issue (#4)."""

import sys


def main(argv: list[str] | None = None) -> int:
    print("county: not built yet (the county backend issue adds it)", file=sys.stderr)
    return 2
