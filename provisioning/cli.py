"""``kiosk-provision``: enroll and install a machine. Built by the core (#3) and fleet (#7) issues."""

import sys


def main(argv: list[str] | None = None) -> int:
    print("kiosk-provision: not built yet (the core and fleet issues add it)", file=sys.stderr)
    return 2
