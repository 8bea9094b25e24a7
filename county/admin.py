"""What the county's operators do (the ``county`` command and the ``/fleet`` page): tokens,
remote commands, and the fleet's views read from the database."""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import insert, select

from county import db as t
from county.db import Database
from county.routes.enroll import token_hash
from county.timefmt import stamp
from kiosk import wire

FLEET_HISTORY = 20  # recent beacons read per kiosk to estimate its interval


def create_token(database: Database, now: float, ttl_s: float = 72 * 3600, note: str = "") -> dict[str, str]:
    """A single-use enrollment token; only its hash is stored."""
    token = "ct-" + secrets.token_urlsafe(24)
    with database.begin() as conn:
        conn.execute(insert(t.tokens).values(token_hash=token_hash(token), created_at=now, expires_at=now + ttl_s,
                                             note=note[:200]))
    return {"token": token, "expires_at": stamp(now + ttl_s)}


def send_command(database: Database, device_id: str, type_: str, args: dict[str, Any], now: float) -> dict[str, Any]:
    """Queue a command for a device; it goes out with every beacon answer until acknowledged.
    Unknown types are allowed (the kiosk acknowledges them with ``ok: false``)."""
    if not isinstance(args, dict):
        raise ValueError("--args must be a JSON object")
    if not 1 <= len(type_) <= 64:
        raise ValueError("the command type must be 1 to 64 characters")
    with database.begin() as conn:
        if conn.execute(select(t.devices.c.device_id).where(t.devices.c.device_id == device_id)).first() is None:
            raise KeyError(device_id)
        command_id = "cmd-" + secrets.token_hex(8)
        conn.execute(insert(t.commands).values(id=command_id, device_id=device_id, type=type_,
                                               args=json.dumps(args, ensure_ascii=False), created_at=now,
                                               sent_count=0))
    known = type_ in wire.COMMAND_TYPES
    return {"id": command_id, "device_id": device_id, "type": type_, "args": args, "known_type": known}


def list_commands(database: Database, device_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    query = select(t.commands).order_by(t.commands.c.created_at.desc()).limit(limit)
    if device_id:
        query = query.where(t.commands.c.device_id == device_id)
    with database.connect() as conn:
        return [{"id": r.id, "device_id": r.device_id, "type": r.type, "args": json.loads(r.args),
                 "created_at": stamp(r.created_at), "sent_count": r.sent_count,
                 "acked_at": stamp(r.acked_at) if r.acked_at is not None else None,
                 "ok": r.ack_ok, "message": r.ack_message} for r in conn.execute(query)]


def kiosk_views(database: Database) -> list[Any]:
    """Every enrolled kiosk as the fleet module's ``KioskView``."""
    from county.fleet import KioskView, estimate_interval

    views = []
    with database.connect() as conn:
        last = {r.device_id: r for r in conn.execute(select(t.beacons_last))}
        for dev in conn.execute(select(t.devices).order_by(t.devices.c.device_id)):
            recent = conn.execute(select(t.beacon_history.c.body).where(t.beacon_history.c.device_id == dev.device_id)
                                  .order_by(t.beacon_history.c.id.desc()).limit(FLEET_HISTORY)).scalars().all()
            sent = [json.loads(b).get("sent_at") for b in recent]
            beacon = last.get(dev.device_id)
            views.append(KioskView(device_id=dev.device_id, identity=json.loads(dev.identity),
                                   enrolled_at=dev.enrolled_at,
                                   last_beacon=json.loads(beacon.body) if beacon is not None else None,
                                   last_beacon_at=beacon.received_at if beacon is not None else None,
                                   beacon_interval_s=estimate_interval([s for s in sent if s])))
    return views


def fleet_rows(database: Database, now: float) -> list[Any]:
    from county.fleet import fleet_rows as rows

    return rows(kiosk_views(database), now)
