"""``kiosk-diag service``: the service menu's staff, lock and audit log, from a terminal.

- ``add-staff --config F --name N``: add a member (or give them a new PIN). The PIN is read
  from standard input — asked twice, unechoed, on a terminal; one line when piped
  (``printf '%s\\n' "$PIN" | kiosk-diag service add-staff …``, as Ansible does). Never an
  argument, which every user could read in ``ps``.
- ``list-staff``, ``remove-staff --name N``;
- ``unlock``: clear a lockout (written to the audit log as ``console``);
- ``audit [--last N]``: the audit log's lines.

Run as root: the staff file sits in ``/etc/kiosk`` (group ``kiosk`` may read it).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from kiosk.diag.output import DiagError, emit

CONSOLE = "console"


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("service", help="the service menu's staff PINs, lock and audit log")
    sub = group.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func: Any, help_: str) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=help_)
        parser.add_argument("--config", required=True, help="the kiosk's config file")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.set_defaults(func=func)
        return parser

    add = command("add-staff", add_staff, "add a staff member (PIN read from stdin)")
    add.add_argument("--name", required=True, help="the member's name, as the audit log shows it")
    command("list-staff", list_staff, "the staff listed (names and dates, never hashes)")
    remove = command("remove-staff", remove_staff, "remove a staff member")
    remove.add_argument("--name", required=True)
    command("unlock", unlock, "clear a lock after wrong PINs")
    audit = command("audit", show_audit, "the audit log")
    audit.add_argument("--last", type=int, default=50, help="how many lines (newest last)")


def _config(path: str):
    from kiosk.config import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as err:
        raise DiagError(str(err), exit_code=2) from None


def _staff_file(config):
    from kiosk.service.pins import StaffFile

    return StaffFile(config.path(config.service.staff_file))


def read_pin(stream=None) -> str:
    """The PIN: twice and unechoed on a terminal, else one line of ``stream``."""
    stream = stream or sys.stdin
    if stream.isatty():
        first = getpass.getpass("PIN (6-8 digits): ")
        if getpass.getpass("PIN again: ") != first:
            raise DiagError("the two PINs differ", exit_code=2)
        return first
    return stream.readline().strip()


def add_staff(args: argparse.Namespace) -> int:
    from kiosk.service.audit import AuditLog, audit_path
    from kiosk.service.pins import PinRejected, StaffFileError

    config = _config(args.config)
    pin = read_pin()
    try:
        member = _staff_file(config).add(args.name, pin)
    except (PinRejected, ValueError) as err:
        raise DiagError(str(err), exit_code=2) from None
    except StaffFileError as err:
        raise DiagError(str(err)) from None
    _audit(AuditLog(audit_path(config.data_dir)), "staff_added", name=member.name)
    emit({"added": member.name, "added_at": member.added_at}, args.json)
    return 0


def list_staff(args: argparse.Namespace) -> int:
    from kiosk.service.pins import StaffFileError

    try:
        staff = _staff_file(_config(args.config)).load()
    except StaffFileError as err:
        raise DiagError(str(err)) from None
    emit({"staff": [{"name": m.name, "added_at": m.added_at} for m in staff]}, args.json)
    return 0


def remove_staff(args: argparse.Namespace) -> int:
    from kiosk.service.audit import AuditLog, audit_path
    from kiosk.service.pins import StaffFileError

    config = _config(args.config)
    try:
        removed = _staff_file(config).remove(args.name)
    except StaffFileError as err:
        raise DiagError(str(err)) from None
    if not removed:
        raise DiagError(f"no staff member named {args.name}")
    _audit(AuditLog(audit_path(config.data_dir)), "staff_removed", name=args.name)
    emit({"removed": args.name}, args.json)
    return 0


def unlock(args: argparse.Namespace) -> int:
    from kiosk.service.gate import Gate

    gate = Gate.from_config(_config(args.config))
    was = gate.lockout.seconds_left()
    gate.lockout.succeeded()
    _audit(gate.audit, "menu_unlocked", seconds_left=was)
    emit({"unlocked": True, "was_locked_s": was}, args.json)
    return 0


def show_audit(args: argparse.Namespace) -> int:
    from kiosk.service.audit import AuditLog, audit_path

    config = _config(args.config)
    entries = AuditLog(audit_path(config.data_dir)).entries()[-max(1, args.last):]
    rows = [{"at": e.at.isoformat(timespec="seconds"), "who": e.who, "action": e.action, "ok": e.ok,
             "details": e.details} for e in entries]
    if args.json:
        emit({"entries": rows}, True)
    else:
        for row in rows:
            emit(f"{row['at']}  {row['who'] or '-'}  {row['action']}  {'ok' if row['ok'] else 'FAILED'}  "
                 f"{row['details'] or ''}".rstrip(), False)
    return 0


def _audit(log, action: str, **details: Any) -> None:
    try:
        log.write(CONSOLE, action, **details)
        _owned_like_data_dir(log.path.parent)
    except OSError as err:
        raise DiagError(f"done, but the audit log could not be written: {err.strerror or err}") from None


def _owned_like_data_dir(folder) -> None:
    """Run as root, files made here must stay the kiosk user's (the UI appends to them)."""
    import os

    if os.geteuid() != 0:
        return
    owner = folder.parent.stat()
    for path in [folder, *folder.iterdir()]:
        os.chown(path, owner.st_uid, owner.st_gid, follow_symlinks=False)
