"""``POST /api/v1/beacons``: the last beacon per device and a bounded history are kept; the
acknowledgements are stored on their commands; the answer is the server's time and every
command queued for this device that no beacon has acknowledged yet (resent until one does)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from county import db as t
from county.bodies import parse
from county.context import County, county
from county.docs import BODY_ERRORS, SIGNED_ERRORS, json_body
from county.errors import ApiError
from county.timefmt import stamp
from kiosk import wire

router = APIRouter()
SEQ_LIMIT = 2 ** 31 - 1  # the seq columns are INTEGER (32 bits in PostgreSQL)


def _keep(c: County, device_id: str, beacon: wire.Beacon) -> list[dict[str, Any]]:
    now = c.clock()
    text = json.dumps(beacon.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
    with c.db.begin() as conn:
        conn.execute(insert(t.beacon_history).values(device_id=device_id, seq=beacon.seq, body=text, received_at=now))
        cut = conn.execute(select(t.beacon_history.c.id).where(t.beacon_history.c.device_id == device_id)
                           .order_by(t.beacon_history.c.id.desc()).offset(c.beacon_history).limit(1)).scalar()
        if cut is not None:
            conn.execute(delete(t.beacon_history).where(t.beacon_history.c.device_id == device_id,
                                                        t.beacon_history.c.id <= cut))
        for ack in beacon.acks:
            conn.execute(update(t.commands).where(t.commands.c.id == ack.command_id,
                                                  t.commands.c.device_id == device_id,
                                                  t.commands.c.acked_at.is_(None))
                         .values(acked_at=now, ack_ok=ack.ok, ack_message=ack.message))
        pending = conn.execute(select(t.commands).where(t.commands.c.device_id == device_id,
                                                        t.commands.c.acked_at.is_(None))
                               .order_by(t.commands.c.created_at, t.commands.c.id)).all()
        for row in pending:
            conn.execute(update(t.commands).where(t.commands.c.id == row.id)
                         .values(sent_count=row.sent_count + 1, last_sent_at=now))
    _last(c, device_id, beacon.seq, text, now)
    return [{"id": r.id, "type": r.type, "args": json.loads(r.args)} for r in pending]


def _last(c: County, device_id: str, seq: int, text: str, now: float) -> None:
    values = {"seq": seq, "body": text, "received_at": now}
    for _ in range(3):
        with c.db.begin() as conn:
            if conn.execute(update(t.beacons_last).where(t.beacons_last.c.device_id == device_id)
                            .values(**values)).rowcount:
                return
        try:
            with c.db.begin() as conn:
                conn.execute(insert(t.beacons_last).values(device_id=device_id, **values))
            return
        except IntegrityError:  # a beacon of the same device raced in: update it then
            continue


@router.post("/beacons", response_model=None, summary="Device health beacon (设备健康信标)",
             openapi_extra=json_body(wire.Beacon),
             responses={200: {"model": wire.BeaconReply, "description": "server time and the commands not yet acknowledged"},
                        **BODY_ERRORS, **SIGNED_ERRORS})
async def beacon(request: Request) -> JSONResponse:
    c = county(request)
    signed = await c.auth.signed(request)
    body = parse(wire.Beacon, signed.body)
    if body.device_id != signed.device_id or body.identity.device_id != signed.device_id:
        raise ApiError(422, "invalid", "the beacon's device_id must be the signing device")
    if body.seq > SEQ_LIMIT:
        raise ApiError(422, "invalid", f"seq: must be at most {SEQ_LIMIT}")
    commands = await run_in_threadpool(_keep, c, signed.device_id, body)
    return JSONResponse({"server_time": stamp(c.clock()), "commands": commands})
