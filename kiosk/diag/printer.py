"""``kiosk-diag printer``: the receipt printer's status, and a sample receipt.

- ``printer status --port PORT [--baud N] [--json]``: asks DLE EOT 1–4 and prints
  ``state``, ``paper`` (ok / low / out / unknown), ``cover_open``, ``online`` and the
  offline and error causes, and the queries left ``unanswered`` (a printer that answers
  DLE EOT 1 but not 2–4 is ``offline``, not ready). Exit 0 whenever the printer answered
  (paper out included);
  a silent or missing port is exit 1 with one line on stderr, within about a second.
- ``printer receipt --sample (--out FILE | --port PORT) [--width 58|80]``: the ESC/POS
  bytes of a sample 受理回执 (receipt number, masked citizen, QR code, the machine's
  identity card), written to a file or printed (after a status check).
"""

from __future__ import annotations

import argparse
import os
from datetime import datetime
from typing import Any

from kiosk.diag.output import DiagError, emit

#: The sample: a made-up citizen, printed masked by the real receipt composer.
SAMPLE = {
    "item": "zz-fwzlba",
    "receipt_no": "ZZ-EQ-0001-20261122-000042",
    "time": datetime(2026, 11, 22, 14, 3, 27),
    "name": "张小三",
    "id_number": "11010519491231002X",
}
SAMPLE_IDENTITY = {
    "device_id": "ZZ-EQ-0001",
    "name": "政务服务自助一体机",
    "category": "24小时自助服务终端",
    "maintainer": "二七区政务服务中心",
    "phone": "0371-68665010",
}


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("printer", help="receipt printer diagnostics")
    sub = group.add_subparsers(dest="command", required=True, metavar="COMMAND")

    status = sub.add_parser("status", help="ask the printer for its real-time status")
    status.add_argument("--port", required=True, help="serial port, e.g. /dev/kiosk/printer")
    status.add_argument("--baud", type=int, default=9600, help="baud rate (default 9600)")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(func=status_command)

    receipt = sub.add_parser("receipt", help="write or print a sample receipt")
    receipt.add_argument("--sample", action="store_true",
                         help="the sample 受理回执 (the only receipt this command makes)")
    receipt.add_argument("--out", help="write the ESC/POS bytes to this file")
    receipt.add_argument("--port", help="print on the printer at this serial port")
    receipt.add_argument("--baud", type=int, default=9600, help="baud rate (default 9600)")
    receipt.add_argument("--width", choices=("58", "80"), default="80", help="paper width in mm")
    receipt.add_argument("--json", action="store_true", help="print JSON")
    receipt.set_defaults(func=receipt_command)


def sample_receipt(sample: dict[str, Any] | None = None, identity: dict[str, str] | None = None):
    """The sample 受理回执, composed by ``kiosk.receipts`` exactly as a real one is."""
    from kiosk.catalog.loader import load_shipped
    from kiosk.identity import Identity
    from kiosk.receipts import acceptance_receipt, promised_date

    s = {**SAMPLE, **(sample or {})}
    item = load_shipped().get(s["item"])
    if item is None:
        raise DiagError(f"no catalog item {s['item']}")
    limit = item.guide.time_limit
    return acceptance_receipt(s["receipt_no"], item, s["name"], s["id_number"], s["time"],
                              promised_date(s["time"].date(), limit.promised_days, limit.unit),
                              Identity(**(identity or SAMPLE_IDENTITY)), delivered=True)


def _status_dict(status: Any) -> dict[str, Any]:
    from drivers.printer.status import classify

    state, reason = classify(status)
    return {"state": state.value, "paper": status.paper.value, "cover_open": status.cover_open,
            "online": status.online, "offline_causes": list(status.offline_causes),
            "error_causes": list(status.error_causes), "unanswered": list(status.unanswered),
            "reason": reason}


def status_command(args: argparse.Namespace) -> int:
    from drivers.printer.transport import SerialTransport

    with SerialTransport(args.port, args.baud) as transport:
        status = transport.status()
    if not status.answered:
        raise DiagError(f"no answer from a printer at {args.port} (DLE EOT 1 timed out)")
    emit(_status_dict(status), args.json)
    return 0


def receipt_command(args: argparse.Namespace) -> int:
    from drivers.printer.document import paper_length_mm, render
    from drivers.printer.profiles import get_profile

    if not args.sample:
        raise DiagError("only the sample receipt can be made here: add --sample", exit_code=2)
    if not args.out and not args.port:
        raise DiagError("give --out FILE or --port PORT", exit_code=2)
    profile = get_profile(args.width)
    doc = sample_receipt()
    data = render(doc, profile)
    result: dict[str, Any] = {"bytes": len(data), "width": profile.paper_mm,
                              "paper_mm": paper_length_mm(doc, profile)}
    if args.out:
        try:
            with open(args.out, "wb") as out:
                out.write(data)
        except OSError as err:
            raise DiagError(f"cannot write {args.out}: {err.strerror or err}") from err
        result["out"] = os.path.abspath(args.out)
    if args.port:
        result.update(_print(args.port, args.baud, data))
    emit(result, args.json)
    return 0


def _print(port: str, baud: int, data: bytes) -> dict[str, Any]:
    """Print ``data`` once, checked before and after, without the polling thread."""
    from drivers.errors import DeviceTimeout
    from drivers.printer.transport import SerialTransport

    with SerialTransport(port, baud) as transport:
        before = transport.status()
        if not before.answered:
            raise DeviceTimeout(f"no answer from a printer at {port} (DLE EOT 1 timed out)")
        ready = _status_dict(before)
        if ready["state"] != "online":
            raise DiagError(f"printer not ready: {ready['reason']} (paper {ready['paper']})")
        transport.write(data)
        after = transport.status()
    if not after.answered:
        raise DiagError("printer stopped answering after the job; it may not have printed")
    checked = _status_dict(after)
    if checked["state"] not in ("online", "busy"):
        raise DiagError(f"printer stopped during the job: {checked['reason']}")
    return {"printed": True, "status_after": checked}
