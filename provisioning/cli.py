"""``kiosk-provision``: what a fleet operator runs on a new machine.

``init`` makes the device key, writes the config and data folder, and enrolls the machine
(kiosk core issue). ``install`` and ``verify`` come with the fleet issue.
"""

from __future__ import annotations

import argparse
import json
import sys

from pydantic import ValidationError

from kiosk.diag.output import one_line
from kiosk.validation import first_error


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {one_line(message)} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="kiosk-provision", description="Provision a kiosk")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    init = sub.add_parser("init", help="make keys, write the config, enroll with the county")
    init.add_argument("--dir", help="put config, keys, data (DIR/data) and runtime files (DIR/run) under DIR "
                                    "(default /etc/kiosk, /var/lib/kiosk, /run/kiosk)")
    init.add_argument("--device-id", required=True, help="fleet-unique id, e.g. ZZ-EQ-0001")
    init.add_argument("--backend", required=True, help="the county backend's base URL")
    init.add_argument("--token", required=True, help="single-use enrollment token (county token create)")
    for name, label in (("name", "设备名称"), ("category", "类别"), ("maintainer", "维护单位"),
                        ("phone", "联系电话"), ("location", "安放位置"), ("model", "hardware model"),
                        ("serial", "hardware serial number")):
        init.add_argument(f"--{name}", help=label)
    init.add_argument("--devices", choices=("serial", "emulated"), default="serial",
                      help="real devices at /dev/kiosk/* (default) or all emulated, for demos")
    init.add_argument("--json", action="store_true", help="print JSON")
    for name in ("install", "verify"):
        sub.add_parser(name, help="arrives with the fleet issue")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command != "init":
        print(f"kiosk-provision: {args.command} is not built yet (the fleet issue adds it)", file=sys.stderr)
        return 2
    from provisioning.init import ProvisionError, init

    fields = {k: getattr(args, k) for k in ("name", "category", "maintainer", "phone", "location", "model", "serial")}
    try:
        result = init(folder=args.dir, device_id=args.device_id, backend=args.backend, token=args.token,
                      identity_fields=fields, devices=args.devices)
    except ProvisionError as err:
        print(f"kiosk-provision: {one_line(str(err))}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"kiosk-provision: {one_line(str(err))}", file=sys.stderr)
        return 1
    except ValidationError as err:  # belt and braces: init checks its input first
        print(f"kiosk-provision: {first_error(err)}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
