"""``kiosk``: the appliance's entry point.

- ``kiosk --config FILE``: the citizen UI on the configured (real) devices.
- ``kiosk --simulate``: the citizen UI with every device emulated behind its real driver.
- ``kiosk --simulate --devices-only``: no screen: the device simulation played as a script
  (each device driven through its real driver, printed line by line), for machines
  without a display.
- ``kiosk --simulate --tour DIR``: one scripted citizen visit through every main screen,
  tapping the real widgets; a PNG of each screen and the receipt's ESC/POS bytes
  (``receipt.bin``) in DIR; exit 0 once the transaction reached the county backend
  (:mod:`kiosk.simulation.tour`). Run it under X (``xvfb-run``) to get real pictures.
"""

from __future__ import annotations

import argparse
import logging
import sys

from kiosk.diag.output import one_line


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {one_line(message)} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="kiosk", description="政务服务自助一体机")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--simulate", action="store_true", help="every device emulated")
    mode.add_argument("--config", metavar="FILE", help="the kiosk on its configured devices")
    parser.add_argument("--devices-only", action="store_true",
                        help="with --simulate: no screen, play the device simulation script")
    parser.add_argument("--tour", metavar="DIR",
                        help="with --simulate: play the guided tour, pictures and receipt into DIR")
    parser.add_argument("--windowed", action="store_true", help="a development window instead of full screen")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    quiet = logging.ERROR if args.devices_only else logging.WARNING  # the script prints events itself
    logging.basicConfig(level=logging.INFO if args.verbose else quiet,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.tour is not None:
        if not args.simulate or args.devices_only:
            print("kiosk: --tour goes with --simulate (and not with --devices-only)", file=sys.stderr)
            return 2
        return tour(args.tour, args.verbose)
    if args.devices_only:
        if not args.simulate:
            print("kiosk: --devices-only goes with --simulate", file=sys.stderr)
            return 2
        from kiosk.simulation.demo import main as demo

        return demo()
    config = None
    if args.config:
        from kiosk.config import ConfigError, load_config

        try:
            config = load_config(args.config)
        except ConfigError as err:
            print(f"kiosk: {one_line(str(err))}", file=sys.stderr)
            return 2
    from kiosk.ui.app import run
    from kiosk.ui.theme import FontMissing

    try:
        return run(config, simulate=args.simulate, windowed=args.windowed)
    except FontMissing as err:
        print(f"kiosk: {one_line(str(err))}", file=sys.stderr)
        return 1


def tour(folder: str, verbose: bool) -> int:
    import os

    os.environ.setdefault("KIVY_NO_ARGS", "1")  # never parse the kiosk's own command line
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # Kivy logs through ``logging`` as set above
    import importlib

    importlib.import_module("kivy")  # it sets its logger's level: set it back

    logging.getLogger("kivy").setLevel(logging.INFO if verbose else logging.WARNING)
    from kiosk.simulation.tour import run_tour
    from kiosk.ui.theme import FontMissing

    try:
        return run_tour(folder)
    except FontMissing as err:
        print(f"kiosk: {one_line(str(err))}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
