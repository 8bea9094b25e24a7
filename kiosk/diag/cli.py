"""Entry point of ``kiosk-diag``. Each device group lives in its own module with a
``register(subparsers)`` function; heavy imports stay inside the commands so that
``kiosk-diag --help`` is quick."""

from __future__ import annotations

import argparse
import logging
import sys

from drivers.errors import DriverError
from kiosk.diag import health, idcard, outbox, printer, scan
from kiosk.diag.output import DiagError, one_line
from kiosk.service import cli as service

GROUPS = (idcard, printer, scan, outbox, health, service)


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line on stderr (exit 2), as every other failure."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {one_line(message)} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="kiosk-diag", description="Kiosk diagnostics")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    sub = parser.add_subparsers(dest="group", required=True, metavar="GROUP", parser_class=OneLineParser)
    for group in GROUPS:
        group.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.CRITICAL)
    try:
        return int(args.func(args) or 0)
    except DiagError as err:
        print(f"kiosk-diag: {one_line(str(err))}", file=sys.stderr)
        return err.exit_code
    except DriverError as err:
        print(f"kiosk-diag: {one_line(str(err))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kiosk-diag: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # never a traceback on a maintenance terminal
        print(f"kiosk-diag: unexpected {type(err).__name__}: {one_line(str(err))}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
