"""Make the Ansible inventory of a fleet from a CSV of machines.

    python provisioning/ansible/inventory_from_csv.py machines.csv [--backend URL] [-o inventory.yml]

The CSV has a header row with the columns ``device_id, host, name, category, maintainer,
phone, location, model, serial`` (any order; ``device_id``, ``host``, ``maintainer`` and
``phone`` must be filled in, an empty ``name`` or ``category`` takes init's default). Each row
is checked with the rules ``kiosk-provision init`` applies (kiosk.identity.Identity: the device
id pattern, the phone, the lengths), so a typo is caught at the desk, not at the machine.
Every bad row gets one line, ``FILE:LINE: column: what is wrong``; then nothing is written and
the exit status is 1.

The inventory names each machine by its device id (so ``host_vars/ZZ-EQ-0001.yml`` holds that
machine's vaulted enrollment token) with ``ansible_host`` from the ``host`` column, in the
group ``kiosks`` that site.yml provisions.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

import yaml
from pydantic import ValidationError

from kiosk.config import Backend
from kiosk.identity import Identity
from kiosk.validation import first_error

COLUMNS = ("device_id", "host", "name", "category", "maintainer", "phone", "location", "model", "serial")
REQUIRED = ("device_id", "host", "maintainer", "phone")
IDENTITY_FIELDS = COLUMNS[2:]
GROUP = "kiosks"
# a DNS name, an IPv4 address or an IPv6 address: no spaces, commas or shell characters
HOST_PATTERN = re.compile(r"^[A-Za-z0-9_.:\[\]-]{1,253}$")


class CsvError(Exception):
    """The CSV cannot be turned into an inventory; the message has one line per problem."""


def read_rows(path: Path, encoding: str) -> list[tuple[int, dict[str, str]]]:
    """The data rows with the line each starts on; header problems raise at once.
    A row with more cells than the header has them under the key ``None``."""
    try:
        text = path.read_text(encoding=encoding)
    except UnicodeDecodeError:
        raise CsvError(f"{path}: not {encoding} text; save it as \"CSV UTF-8\" or pass --encoding gb18030") from None
    except OSError as err:
        raise CsvError(f"{path}: {err.strerror}") from None
    reader = csv.reader(text.splitlines(keepends=True))
    header = [name.strip() for name in next(reader, [])]
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise CsvError(f"{path}:1: unknown column {unknown[0]!r} (the columns are {', '.join(COLUMNS)})")
    twice = [name for index, name in enumerate(header) if name in header[:index]]
    if twice:
        raise CsvError(f"{path}:1: column {twice[0]!r} appears twice")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise CsvError(f"{path}:1: missing column {missing[0]!r} (the columns are {', '.join(COLUMNS)})")
    rows = []
    line = reader.line_num + 1  # where the next row starts (a quoted cell may span lines)
    for cells in reader:
        if any(cell.strip() for cell in cells):
            row: dict = dict(zip(header, (cell.strip() for cell in cells)))
            if len(cells) > len(header):
                row[None] = cells[len(header):]
            rows.append((line, row))
        line = reader.line_num + 1
    return rows


def check_row(row: dict) -> tuple[str, str, dict[str, str]]:
    """(device id, host, identity fields given) or ValueError naming the column."""
    if row.get(None):
        raise ValueError(f"{len(row) - 1 + len(row[None])} cells, the header has {len(row) - 1} columns")
    host = row.get("host", "")
    if not HOST_PATTERN.match(host):
        raise ValueError("host: a host name or IP address, without spaces" if host else "host: empty")
    fields = {key: row[key] for key in IDENTITY_FIELDS if row.get(key)}
    data = {"device_id": row.get("device_id", ""), **fields}
    try:
        identity = Identity(**data)
    except ValidationError as err:
        raise ValueError(first_error(err, data=data)) from None
    return identity.device_id, host, {key: getattr(identity, key) for key in fields}


def build_inventory(path: Path, backend: str | None = None, encoding: str = "utf-8-sig") -> dict:
    """The inventory as a dict, or CsvError with one line per bad row."""
    problems: list[str] = []
    if backend is not None:
        try:
            Backend(url=backend)
        except ValidationError as err:
            problems.append(f"--backend: {first_error(err).partition(': ')[2]}")
    hosts: dict[str, dict] = {}
    first_line: dict[str, int] = {}
    for line, row in read_rows(path, encoding):
        try:
            device_id, host, identity = check_row(row)
            for key, value in (("device_id", device_id), ("host", host)):
                earlier = first_line.get(f"{key}={value}")
                if earlier:
                    raise ValueError(f"{key}: {value} is already on line {earlier}")
        except ValueError as err:
            problems.append(f"{path}:{line}: {err}")
            continue
        first_line[f"device_id={device_id}"] = first_line[f"host={host}"] = line
        hosts[device_id] = {"ansible_host": host, "kiosk_device_id": device_id, "kiosk_identity": identity}
    if not hosts and not problems:
        problems.append(f"{path}: no machines (a header row, then one row per machine)")
    if problems:
        raise CsvError("\n".join(problems))
    group: dict = {"hosts": hosts}
    if backend is not None:
        group["vars"] = {"kiosk_backend_url": backend}
    return {"all": {"children": {GROUP: group}}}


def render(inventory: dict, source: Path) -> str:
    head = (f"# Made by provisioning/ansible/inventory_from_csv.py from {source.name}:\n"
            "# change the CSV and make it again rather than editing this file.\n")
    return head + yaml.safe_dump(inventory, allow_unicode=True, sort_keys=False, default_flow_style=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="inventory_from_csv.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", type=Path, help="the machines, one row each (" + ", ".join(COLUMNS) + ")")
    parser.add_argument("--backend", help="the county backend's base URL, written as kiosk_backend_url")
    parser.add_argument("-o", "--output", type=Path, help="write the inventory here (default: print it)")
    parser.add_argument("--encoding", default="utf-8-sig", help="the CSV's encoding (default UTF-8; gb18030 for "
                                                                "a sheet saved by an older Excel)")
    args = parser.parse_args(argv)
    try:
        text = render(build_inventory(args.csv, args.backend, args.encoding), args.csv)
    except CsvError as err:
        print(err, file=sys.stderr)
        return 1
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"{args.output}: {text.count('ansible_host:')} machines", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
