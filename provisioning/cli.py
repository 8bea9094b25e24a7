"""``kiosk-provision``: what a fleet operator runs on a new machine.

``init`` makes the device key, writes the config and data folder, and enrolls the machine;
``install`` makes the kiosk user and its folders and installs and enables the units and
udev rules (:mod:`provisioning.install`); ``verify`` prints the readiness report and exits
1 when the machine is not ready (:mod:`provisioning.verify`). Each prints JSON with
``--json`` and says why it failed in one line on stderr.
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
    install = sub.add_parser("install", help="make the kiosk user and folders, install and enable the units (root)")
    install.add_argument("--root", default="/", metavar="DIR",
                         help="install into the tree at DIR instead of / (image building, tests)")
    install.add_argument("--user", default="kiosk", metavar="NAME", help="the user the kiosk runs as (default kiosk)")
    install.add_argument("--prefix", default="/opt/kiosk", metavar="DIR",
                         help="where the package lives: the units start PREFIX/venv/bin/kiosk (default /opt/kiosk)")
    install.add_argument("--no-enable", dest="enable", action="store_false",
                         help="install the units, do not enable them")
    install.add_argument("--kmsdrm", action="store_true",
                         help="run the UI on SDL's KMSDRM without the cage compositor (installs the drop-in)")
    install.add_argument("--json", action="store_true", help="print JSON")
    verify = sub.add_parser("verify", help="the readiness report; exit 1 when not ready")
    verify.add_argument("--config", metavar="FILE", help="the kiosk's config (default /etc/kiosk/kiosk.toml)")
    verify.add_argument("--no-backend", dest="backend", action="store_false",
                        help="do not ask the county backend (no backend, enrollment or clock skew check)")
    verify.add_argument("--timeout", type=float, default=5.0, metavar="S",
                        help="seconds to wait for the backend (default 5)")
    verify.add_argument("--json", action="store_true", help="print JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "install":
        return run_install(args)
    if args.command == "verify":
        from provisioning.verify import verify

        if not 0 < args.timeout <= 120:
            print("kiosk-provision: --timeout must be between 0 and 120 seconds", file=sys.stderr)
            return 2
        return verify(args.config, as_json=args.json, probe_backend=args.backend, timeout_s=args.timeout)
    return run_init(args)


def run_install(args: argparse.Namespace) -> int:
    from provisioning.install import InstallError, install

    try:
        result = install(root=args.root, user=args.user, prefix=args.prefix, enable=args.enable, kmsdrm=args.kmsdrm)
    except (InstallError, OSError) as err:
        print(f"kiosk-provision: {one_line(str(err))}", file=sys.stderr)
        return 1
    print(json.dumps(result.to_json(), ensure_ascii=False) if args.json else result.to_text())
    return 0


def run_init(args: argparse.Namespace) -> int:
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
