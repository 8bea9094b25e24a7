"""``POST /api/v1/enroll`` (not signed): a single-use, expiring token binds a device id to its key.

The same device id with the same key may enroll again (a re-provisioned machine that kept its
key; a fresh token is still spent, and the identity card is updated); with another key it is
409 ``already_enrolled`` and the token is not spent.
"""

from __future__ import annotations

import hashlib
import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import insert, select, update
from starlette.concurrency import run_in_threadpool

from county import db as t
from county.bodies import parse, require_json
from county.context import County, county
from county.docs import BODY_ERRORS, err, json_body
from county.errors import ApiError
from county.timefmt import stamp
from kiosk import wire
from kiosk.signing import load_public_key

router = APIRouter()
ENROLL_LIMIT = 64 * 1024


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _enroll(c: County, request: wire.EnrollRequest) -> dict[str, str]:
    now = c.clock()
    with c.db.begin() as conn:
        row = conn.execute(select(t.tokens).where(t.tokens.c.token_hash == token_hash(request.token))).first()
        if row is None or row.used_at is not None or row.expires_at <= now:
            raise ApiError(403, "bad_token", "unknown, expired or used enrollment token")
        known = conn.execute(select(t.devices.c.public_key).where(t.devices.c.device_id == request.device_id)).scalar()
        if known is not None and known != request.public_key:
            raise ApiError(409, "already_enrolled", "this device id is enrolled with another key")
        spent = conn.execute(update(t.tokens).where(t.tokens.c.token_hash == row.token_hash,
                                                    t.tokens.c.used_at.is_(None))
                             .values(used_at=now, device_id=request.device_id))
        if spent.rowcount != 1:  # another request spent it a moment ago
            raise ApiError(403, "bad_token", "unknown, expired or used enrollment token")
        identity = json.dumps(request.identity.model_dump(mode="json"), ensure_ascii=False)
        if known is None:
            conn.execute(insert(t.devices).values(device_id=request.device_id, public_key=request.public_key,
                                                  identity=identity, enrolled_at=now, updated_at=now))
        else:
            conn.execute(update(t.devices).where(t.devices.c.device_id == request.device_id)
                         .values(identity=identity, updated_at=now))
    return {"device_id": request.device_id, "enrolled_at": stamp(now)}


@router.post("/enroll", status_code=201, response_model=None, summary="Enroll a device (not signed)",
             openapi_extra=json_body(wire.EnrollRequest, signed=False),
             responses={201: {"model": wire.EnrollResponse, "description": "enrolled (again, for the same key)"},
                        403: err("bad_token: unknown, expired or used token"),
                        409: err("already_enrolled: the device id is enrolled with another key"),
                        429: err("rate_limited (by client address)"), **BODY_ERRORS})
async def enroll(request: Request) -> JSONResponse:
    c = county(request)
    c.auth.unsigned(request)
    body = await c.auth.body(request, ENROLL_LIMIT)
    require_json(request.headers.get("content-type"))
    enroll_request = parse(wire.EnrollRequest, body)
    if enroll_request.identity.device_id != enroll_request.device_id:
        raise ApiError(422, "invalid", "identity.device_id must be the device_id")
    try:
        load_public_key(enroll_request.public_key)
    except ValueError as error:
        raise ApiError(422, "invalid", f"public_key: {error}") from None
    answer = await run_in_threadpool(_enroll, c, enroll_request)
    return JSONResponse(answer, status_code=201)
