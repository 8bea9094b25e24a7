"""The udev rules that give the kiosk's devices stable names, made from one table of models.

``systemd/kiosk-devices.csv`` lists each model the fleet uses: its role (``idcard``,
``printer``, ``scanner``), USB vendor and product id, the kernel subsystem of its device node
(``tty`` for serial lines, ``usbmisc`` for a USB printer's ``/dev/usb/lp*``, ``input`` for a
keyboard-wedge scanner's evdev node), an optional USB port path and the model's name.
Each row becomes one rule: ``/dev/kiosk/<role>`` with the role's group and mode 0660.

Two devices on the same adapter chip (an ID reader and a serial printer, both behind a
CH340) look alike to udev: give each its row with ``port``, the USB port path it is plugged
into (``KERNELS`` of the USB device, e.g. ``1-1.2``, shown by ``udevadm info -a``).

    python -m provisioning.udev_rules                 # print the rules
    python -m provisioning.udev_rules --out FILE      # write them
    python -m provisioning.udev_rules --check FILE    # exit 1 when FILE is not up to date
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from dataclasses import dataclass
from pathlib import Path

#: The repository's table and the rules made from it (shipped side by side).
SYSTEMD_DIR = Path(__file__).resolve().parent.parent / "systemd"
DEFAULT_CSV = SYSTEMD_DIR / "kiosk-devices.csv"
DEFAULT_RULES = SYSTEMD_DIR / "99-kiosk.rules"

ROLES = ("idcard", "printer", "scanner")
#: subsystem -> (the device-node match, the group that may open it)
SUBSYSTEMS = {
    "tty": ('SUBSYSTEM=="tty"', "dialout"),
    "usbmisc": ('SUBSYSTEM=="usbmisc", KERNEL=="lp[0-9]*"', "lp"),
    "input": ('SUBSYSTEM=="input", KERNEL=="event[0-9]*", ENV{ID_INPUT_KEYBOARD}=="1"', "input"),
}
#: What else each subsystem's devices need: ModemManager must not probe a serial reader
#: with AT commands; cage (libinput) must not type a scanner's keystrokes into the screen.
EXTRA = {
    "tty": ', ENV{ID_MM_DEVICE_IGNORE}="1"',
    "usbmisc": "",
    "input": ', ENV{LIBINPUT_IGNORE_DEVICE}="1"',
}
MODE = "0660"
COLUMNS = ("role", "vendor", "product", "subsystem", "port", "model")
_HEX4 = re.compile(r"[0-9a-f]{4}")
_PORT = re.compile(r"[0-9]+-[0-9]+(\.[0-9]+)*")
_MODEL = re.compile(r"[^\"\n\r]{1,120}")


class DeviceTableError(Exception):
    """A row of the table is wrong; the message names the file and line."""


@dataclass(frozen=True)
class Model:
    role: str
    vendor: str
    product: str
    subsystem: str
    port: str
    model: str
    line: int = 0

    @property
    def group(self) -> str:
        return SUBSYSTEMS[self.subsystem][1]

    def rule(self) -> str:
        match, group = SUBSYSTEMS[self.subsystem]
        port = f', KERNELS=="{self.port}"' if self.port else ""
        return (f'{match}{port}, ATTRS{{idVendor}}=="{self.vendor}", ATTRS{{idProduct}}=="{self.product}", '
                f'SYMLINK+="kiosk/{self.role}", GROUP="{group}", MODE="{MODE}"{EXTRA[self.subsystem]}')


def _model(row: dict[str, str], where: str, line: int) -> Model:
    values = {key: (row.get(key) or "").strip() for key in COLUMNS}
    values["vendor"], values["product"] = values["vendor"].lower(), values["product"].lower()
    checks = (("role", values["role"] in ROLES, f"one of {', '.join(ROLES)}"),
              ("vendor", bool(_HEX4.fullmatch(values["vendor"])), "four hex digits, e.g. 1a86"),
              ("product", bool(_HEX4.fullmatch(values["product"])), "four hex digits, e.g. 7523"),
              ("subsystem", values["subsystem"] in SUBSYSTEMS, f"one of {', '.join(SUBSYSTEMS)}"),
              ("port", not values["port"] or bool(_PORT.fullmatch(values["port"])),
               "empty or a USB port path such as 1-1.2"),
              ("model", bool(_MODEL.fullmatch(values["model"])), "a name of 1-120 characters without quotes"))
    for key, ok, want in checks:
        if not ok:
            raise DeviceTableError(f"{where}:{line}: {key}: {values[key]!r} is not {want}")
    return Model(**values, line=line)


def parse_table(text: str, where: str = "<table>") -> list[Model]:
    """The models of a table; lines starting with ``#`` are comments."""
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")]
    if not lines:
        raise DeviceTableError(f"{where}: empty table")
    reader = csv.DictReader([line for _, line in lines])
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise DeviceTableError(f"{where}:{lines[0][0]}: the header must be {','.join(COLUMNS)}")
    models = []
    for (line, _), row in zip(lines[1:], reader):
        if None in row:
            raise DeviceTableError(f"{where}:{line}: more than {len(COLUMNS)} columns (quote a name with commas)")
        models.append(_model(row, where, line))
    _check_unambiguous(models, where)
    return models


def _check_unambiguous(models: list[Model], where: str) -> None:
    """One device must get one name: rows sharing a chip must each name a different port."""
    seen: dict[tuple[str, str, str], list[Model]] = {}
    for m in models:
        seen.setdefault((m.vendor, m.product, m.subsystem), []).append(m)
    for (vendor, product, subsystem), rows in seen.items():
        if len(rows) < 2:
            continue
        ports = [m.port for m in rows]
        if "" in ports or len(set(ports)) != len(ports):
            lines = ", ".join(str(m.line) for m in rows)
            raise DeviceTableError(
                f"{where}: lines {lines}: {vendor}:{product} on {subsystem} appears more than once; "
                f"give each row a different port (the USB port path, e.g. 1-1.2)")


def render(models: list[Model], source: str = "systemd/kiosk-devices.csv") -> str:
    out = [
        "# Stable names for the kiosk's devices: /dev/kiosk/idcard, /dev/kiosk/printer, /dev/kiosk/scanner.",
        f"# Made by `python -m provisioning.udev_rules` from {source}; edit the table, not this file.",
        "# Installed as /etc/udev/rules.d/99-kiosk.rules; see systemd/README.md.",
        "",
        'ACTION=="remove", GOTO="kiosk_end"',
        'SUBSYSTEM!="tty|usbmisc|input", GOTO="kiosk_end"',
    ]
    for role in ROLES:
        for m in (m for m in models if m.role == role):
            out += ["", f"# {m.role}: {m.model}", m.rule()]
    out += ["", 'LABEL="kiosk_end"', ""]
    return "\n".join(out)


def rules_from(csv_path: Path = DEFAULT_CSV) -> str:
    try:
        text = Path(csv_path).read_text(encoding="utf-8")
    except OSError as err:
        raise DeviceTableError(f"{csv_path}: cannot read: {err.strerror or err}") from None
    return render(parse_table(text, str(csv_path)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m provisioning.udev_rules",
                                     description="Make 99-kiosk.rules from the table of device models.")
    parser.add_argument("--csv", default=str(DEFAULT_CSV), help="the table (default: systemd/kiosk-devices.csv)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--out", help="write the rules to this file")
    what.add_argument("--check", metavar="FILE", help="exit 1 when FILE differs from the rules made now")
    args = parser.parse_args(argv)
    try:
        rules = rules_from(Path(args.csv))
    except DeviceTableError as err:
        print(f"udev_rules: {err}", file=sys.stderr)
        return 2
    if args.check:
        try:
            current = Path(args.check).read_text(encoding="utf-8")
        except OSError as err:
            print(f"udev_rules: {args.check}: cannot read: {err.strerror or err}", file=sys.stderr)
            return 1
        if current != rules:
            print(f"udev_rules: {args.check} is not made from {args.csv}; run with --out {args.check}",
                  file=sys.stderr)
            return 1
        return 0
    if args.out:
        Path(args.out).write_text(rules, encoding="utf-8")
    else:
        sys.stdout.write(rules)
    return 0


if __name__ == "__main__":
    sys.exit(main())
