"""``kiosk``: the appliance's entry point.

``kiosk --simulate`` runs with every device emulated. Until the citizen UI lands (its own
issue), it plays the device simulation script and exits; ``kiosk --config FILE`` (real
devices) arrives with the kiosk core.
"""

from __future__ import annotations

import argparse
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kiosk", description="政务服务自助一体机")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--simulate", action="store_true", help="every device emulated")
    mode.add_argument("--config", metavar="FILE", help="the kiosk on real devices")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.config:
        print("kiosk: running on real devices needs the kiosk core (not built yet)", file=sys.stderr)
        return 2
    from kiosk.simulation.demo import main as demo

    return demo()


if __name__ == "__main__":
    sys.exit(main())
