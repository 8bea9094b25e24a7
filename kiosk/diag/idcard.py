"""``kiosk-diag idcard read --port PORT [--baud N] [--timeout S] [--json]``: read one card.

The reader test maintenance staff run: it prints the whole card (``card_type``, ``name``,
``gender``, ``nation``, ``birth``, ``address``, ``id_number``, ``authority``,
``valid_from``, ``valid_to`` and what the card type adds; dates ``YYYY-MM-DD``), plus the
reader's SAM id. No card, a silent port, a missing port or a broken line: one line on
stderr, a non-zero exit, within the timeout.
"""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.diag.output import DiagError, emit

#: Exit codes (2 stays argparse's usage error): 3 no card placed, 4 no reader at the port,
#: 5 the reader does not answer or the line is broken, 6 the reader reports a fault,
#: 7 the card cannot be read or its data is invalid.
EXIT_NO_CARD, EXIT_NO_DEVICE, EXIT_UNAVAILABLE, EXIT_HARDWARE, EXIT_BAD_CARD = 3, 4, 5, 6, 7


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("idcard", help="ID card reader diagnostics")
    sub = group.add_subparsers(dest="command", required=True, metavar="COMMAND")
    read = sub.add_parser("read", help="read one card and print it",
                          description="Read one ID card and print all of it (the reader test).",
                          epilog="Exit status: 0 card printed; 2 usage error; 3 no card placed; 4 no reader "
                                 "at the port; 5 reader silent or line broken; 6 reader fault (SAM); "
                                 "7 card unreadable or its data invalid.")
    read.add_argument("--port", required=True, help="serial port of the reader, e.g. /dev/kiosk/idcard")
    read.add_argument("--baud", type=int, default=115200, help="baud rate (default 115200)")
    read.add_argument("--timeout", type=_positive, default=10.0,
                      help="seconds to wait for a card, all included (default 10)")
    read.add_argument("--fingerprint", action="store_true", help="read the fingerprint too (30 10)")
    read.add_argument("--json", action="store_true", help="print one JSON document")
    read.set_defaults(func=read_command)


def _positive(text: str) -> float:
    value = float(text)
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError("timeout must be between 0 and 600 seconds")
    return value


def read_command(args: argparse.Namespace) -> int:
    from drivers.errors import (
        CodecError,
        DeviceNotFound,
        DeviceUnavailable,
        HardwareError,
        UserActionNeeded,
    )
    from drivers.idcard.errors import NoCard
    from drivers.idcard.reader import IdCardReader

    reader = IdCardReader(args.port, baudrate=args.baud, fingerprint=args.fingerprint)
    try:
        card = reader.read_once(timeout=args.timeout)
    except NoCard as err:
        raise DiagError(f"no card: {err}", EXIT_NO_CARD) from err
    except DeviceNotFound as err:
        raise DiagError(str(err), EXIT_NO_DEVICE) from err
    except DeviceUnavailable as err:
        raise DiagError(f"reader unavailable: {err}", EXIT_UNAVAILABLE) from err
    except HardwareError as err:
        raise DiagError(f"reader fault: {err}", EXIT_HARDWARE) from err
    except (UserActionNeeded, CodecError) as err:
        raise DiagError(f"card not read: {err}", EXIT_BAD_CARD) from err
    result = card.to_dict()
    result["sam_id"] = reader.sam_id
    emit(result, args.json)
    return 0
