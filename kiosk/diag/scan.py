"""``kiosk-diag scan decode IMAGE... [--json]``: the QR codes in image files.

For a technician checking a camera still or a code a citizen says will not scan: one
line per image, ``{"image": ..., "codes": [{"format": ..., "text": ..., "encoding": ...}]}``.
A code whose bytes are not text gets ``"text": null`` and an ``"error"`` code instead; a
file that cannot be read (missing, not an image, or not a regular file: a FIFO or a
device is refused at once, never waited on) gets an ``"error"`` key in its line. The exit status is 0 when
every image was read (an image without codes is no failure) and 1 with one line on
stderr when any could not be.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from kiosk.diag.output import DiagError

EPILOG = ("Exit status: 0 when every image could be read, even one with no code in it; "
          "1 when any image could not be read (its line carries an \"error\" key, the other "
          "images are still decoded, and stderr says how many failed).")


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("scan", help="QR scanner diagnostics")
    sub = group.add_subparsers(dest="command", required=True, metavar="COMMAND")
    decode = sub.add_parser("decode", help="decode the QR codes in image files",
                            description=__doc__.splitlines()[0], epilog=EPILOG)
    decode.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, ...)")
    decode.add_argument("--json", action="store_true", help="one JSON line per image")
    decode.set_defaults(func=decode_command)


def decode_image(path: str) -> dict[str, Any]:
    """The line for one image (never raises for a bad file or a bad code)."""
    from drivers.errors import CodecError, DriverError
    from drivers.scanner.decode import load_image, read_symbols
    from drivers.scanner.text import decode_payload

    try:
        symbols = read_symbols(load_image(path))
    except DriverError as err:
        return {"image": path, "codes": [], "error": str(err), "error_code": err.code}
    codes = []
    for symbol in symbols:
        try:
            text, encoding = decode_payload(symbol.raw)
        except CodecError as err:
            codes.append({"format": symbol.format, "text": None, "error": err.code})
        else:
            codes.append({"format": symbol.format, "text": text, "encoding": encoding})
    return {"image": path, "codes": codes}


def decode_command(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.images:
        line = decode_image(path)
        failed += "error" in line
        if args.json:
            print(json.dumps(line, ensure_ascii=False), flush=True)
        else:
            _print_plain(line)
    if failed:
        raise DiagError(f"{failed} of {len(args.images)} image(s) could not be read")
    return 0


def _print_plain(line: dict[str, Any]) -> None:
    if "error" in line:
        print(f"{line['image']}: error: {line['error']}")
        return
    print(f"{line['image']}: {len(line['codes'])} code(s)")
    for code in line["codes"]:
        shown = code["text"] if code["text"] is not None else f"<{code['error']}>"
        print(f"  {code['format']}: {shown}")
