"""``kiosk-agent``: outbox delivery and health beacons. Built by the core issue (#3)."""

import sys


def main(argv: list[str] | None = None) -> int:
    print("kiosk-agent: not built yet (the kiosk core issue adds it)", file=sys.stderr)
    return 2
