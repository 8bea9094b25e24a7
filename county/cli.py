"""``county``: the reference county backend's command line.

    county serve --db URL [--host H] [--port P] [--catalog DIR] [--workers N]
    county token create [--ttl-hours H] [--note TEXT] [--json]
    county txn list [--status S] [--device D] [--limit N] [--json]
    county txn set-status TXN STATUS [--note TEXT] [--json]
    county command send DEVICE TYPE [--args JSON] [--json]
    county command list [--device D] [--json]
    county fleet [--json]

Every subcommand takes ``--db URL`` (or the ``COUNTY_DB`` environment variable): a SQLAlchemy
URL (``sqlite:///county.db``, ``postgresql://user:pass@host/db``) or a SQLite file path.
Exit codes: 0 done, 1 refused (unknown transaction or device, bad value), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any


class UsageError(Exception):
    pass


class Refused(Exception):
    pass


def _db_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None, help="database URL (default: $COUNTY_DB)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="county", description="the reference county backend of the kiosk fleet")
    sub = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the HTTP API (uvicorn)")
    _db_arg(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8600)
    serve.add_argument("--catalog", default=None, help="catalog folder (default: $COUNTY_CATALOG or the kiosk's)")
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])

    token = sub.add_parser("token", help="enrollment tokens").add_subparsers(dest="action", required=True)
    create = token.add_parser("create", help="print a new single-use enrollment token")
    _db_arg(create)
    create.add_argument("--ttl-hours", type=float, default=72.0, help="valid for this long (default 72)")
    create.add_argument("--note", default="", help="what it is for (kept with it)")
    create.add_argument("--json", action="store_true")

    txn = sub.add_parser("txn", help="transactions").add_subparsers(dest="action", required=True)
    listing = txn.add_parser("list", help="transactions, newest first")
    _db_arg(listing)
    listing.add_argument("--status", default=None)
    listing.add_argument("--device", default=None)
    listing.add_argument("--limit", type=int, default=100)
    listing.add_argument("--json", action="store_true")
    move = txn.add_parser("set-status", help="move a case along (adds to its history)")
    _db_arg(move)
    move.add_argument("txn_id")
    move.add_argument("status", help="received, reviewing, needs_more, approved, rejected, completed")
    move.add_argument("--note", default="")
    move.add_argument("--json", action="store_true")

    command = sub.add_parser("command", help="remote commands").add_subparsers(dest="action", required=True)
    send = command.add_parser("send", help="queue a command for a device's next beacon")
    _db_arg(send)
    send.add_argument("device_id")
    send.add_argument("type", help="reload_catalog, print_test_page, set_identity, restart_app, "
                                   "enter_maintenance, leave_maintenance")
    send.add_argument("--args", default="{}", help="JSON object")
    send.add_argument("--json", action="store_true")
    commands = command.add_parser("list", help="commands and their acknowledgements")
    _db_arg(commands)
    commands.add_argument("--device", default=None)
    commands.add_argument("--json", action="store_true")

    fleet = sub.add_parser("fleet", help="every kiosk's status colour and reasons")
    _db_arg(fleet)
    fleet.add_argument("--json", action="store_true")
    return parser


def _database(args: argparse.Namespace) -> Any:
    url = args.db or os.environ.get("COUNTY_DB")
    if not url:
        raise UsageError("no database: pass --db URL or set COUNTY_DB")
    from county.db import Database

    return Database(url)


def _emit(value: Any, as_json: bool, plain: str) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2) if as_json else plain)


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    url = args.db or os.environ.get("COUNTY_DB")
    if not url:
        raise UsageError("no database: pass --db URL or set COUNTY_DB")
    os.environ["COUNTY_DB"] = url
    if args.catalog:
        os.environ["COUNTY_CATALOG"] = args.catalog
    from county.db import Database

    Database(url).dispose()  # create or migrate the schema once, before the workers start
    # access_log off: uvicorn's line names the path and client; county.app logs a scrubbed one
    uvicorn.run("county.app:app_from_env", factory=True, host=args.host, port=args.port, workers=args.workers,
                access_log=False, log_level=args.log_level, server_header=False, proxy_headers=False)
    return 0


def token_create(args: argparse.Namespace) -> int:
    from county.admin import create_token

    if not 0 < args.ttl_hours <= 24 * 90:
        raise UsageError("--ttl-hours must be between 0 and 2160")
    made = create_token(_database(args), time.time(), args.ttl_hours * 3600, args.note)
    _emit(made, args.json, made["token"])
    if not args.json:
        print(f"single use, valid until {made['expires_at']}", file=sys.stderr)
    return 0


def txn_list(args: argparse.Namespace) -> int:
    from county.cases import listing

    rows = listing(_database(args), args.status, args.device, max(1, min(args.limit, 10000)))
    plain = "\n".join(f"{r['txn_id']}  {r['status']:<10}  {r['accepted_at']}  {r['item_code']}  {r['item_name']}"
                      f"  {r['applicant']}" for r in rows) or "(no transactions)"
    _emit(rows, args.json, plain)
    return 0


def txn_set_status(args: argparse.Namespace) -> int:
    from county.cases import set_status

    try:
        done = set_status(_database(args), args.txn_id, args.status, args.note, time.time())
    except KeyError:
        raise Refused(f"no transaction {args.txn_id}") from None
    except ValueError as err:
        raise Refused(str(err)) from None
    _emit(done, args.json, f"{done['txn_id']}: {done['status']} ({len(done['history'])} steps)")
    return 0


def command_send(args: argparse.Namespace) -> int:
    from county.admin import send_command
    from county.wire_check import check_command

    try:
        command_args = json.loads(args.args)
    except ValueError:
        raise UsageError("--args is not JSON") from None
    try:
        check_command(args.type, command_args)
        queued = send_command(_database(args), args.device_id, args.type, command_args, time.time())
    except KeyError:
        raise Refused(f"no enrolled device {args.device_id}") from None
    except ValueError as err:
        raise Refused(str(err)) from None
    _emit(queued, args.json, f"{queued['id']} queued for {queued['device_id']}: {queued['type']}")
    if not queued["known_type"]:
        print(f"note: {args.type} is not a command type the kiosk knows; it will answer ok: false",
              file=sys.stderr)
    return 0


def command_list(args: argparse.Namespace) -> int:
    from county.admin import list_commands

    rows = list_commands(_database(args), args.device)
    plain = "\n".join(f"{r['id']}  {r['device_id']}  {r['type']}  sent {r['sent_count']}x  "
                      + (f"acked {'ok' if r['ok'] else 'FAILED'} {r['message'] or ''}" if r["acked_at"] else "pending")
                      for r in rows) or "(no commands)"
    _emit(rows, args.json, plain)
    return 0


def fleet(args: argparse.Namespace) -> int:
    from county.admin import fleet_rows
    from county.fleet_html import fleet_json, fleet_text

    rows = fleet_rows(_database(args), time.time())
    if args.json:
        print(json.dumps(fleet_json(rows), ensure_ascii=False, indent=2))
    else:
        print(fleet_text(rows))
    return 0


HANDLERS = {("serve", None): serve, ("token", "create"): token_create, ("txn", "list"): txn_list,
            ("txn", "set-status"): txn_set_status, ("command", "send"): command_send,
            ("command", "list"): command_list, ("fleet", None): fleet}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = HANDLERS[(args.group, getattr(args, "action", None))]
    try:
        return handler(args)
    except UsageError as err:
        print(f"county: {err}", file=sys.stderr)
        return 2
    except Refused as err:
        print(f"county: {err}", file=sys.stderr)
        return 1
    except Exception as err:  # one line, never a traceback (a database URL may hold a password)
        print(f"county: {type(err).__name__}: {str(err).splitlines()[0][:200] if str(err) else ''}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
