"""``POST /api/v1/ratings`` (好差评): ``Idempotency-Key: rating:{txn_id}``; 201, 200 for a
repeat with the same body bytes, 404 ``unknown_txn``, 409 ``idempotency_conflict``."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from county import db as t
from county.bodies import parse
from county.context import County, county
from county.docs import BODY_ERRORS, SIGNED_ERRORS, RatingAck, err, json_body
from county.errors import ApiError
from kiosk import wire

router = APIRouter()


def _check(c: County, txn_id: str, digest: str) -> int | None:
    with c.db.connect() as conn:
        if conn.execute(select(t.transactions.c.txn_id).where(t.transactions.c.txn_id == txn_id)).first() is None:
            raise ApiError(404, "unknown_txn", "no transaction with this number")
        stored = conn.execute(select(t.ratings.c.body_sha256).where(t.ratings.c.txn_id == txn_id)).scalar()
    if stored is None:
        return None
    if stored != digest:
        raise ApiError(409, "idempotency_conflict", "this transaction was rated before with another body")
    return 200


def _rate(c: County, device_id: str, rating: wire.RatingIn, body: bytes) -> int:
    digest = hashlib.sha256(body).hexdigest()
    status = _check(c, rating.txn_id, digest)
    if status is not None:
        return status
    try:
        with c.db.begin() as conn:
            conn.execute(insert(t.ratings).values(txn_id=rating.txn_id, device_id=device_id, score=rating.score,
                                                  body=body, body_sha256=digest, received_at=c.clock()))
    except IntegrityError:
        return _check(c, rating.txn_id, digest) or 200
    return 201


@router.post("/ratings", status_code=201, response_model=None, summary="Rate a transaction (好差评)",
             openapi_extra=json_body(wire.RatingIn, extra_params=[
                 {"name": "Idempotency-Key", "in": "header", "required": True, "schema": {"type": "string"},
                  "description": "rating:{txn_id}"}]),
             responses={201: {"model": RatingAck, "description": "stored"},
                        200: {"model": RatingAck, "description": "a repeat with the same body"},
                        404: err("unknown_txn: no such transaction"),
                        409: err("idempotency_conflict: rated before with another body"),
                        **BODY_ERRORS, **SIGNED_ERRORS})
async def post_rating(request: Request) -> JSONResponse:
    c = county(request)
    signed = await c.auth.signed(request)
    rating = parse(wire.RatingIn, signed.body)
    if request.headers.get("idempotency-key") != f"rating:{rating.txn_id}":
        raise ApiError(422, "invalid", "the Idempotency-Key header must be rating:{txn_id}")
    status = await run_in_threadpool(_rate, c, signed.device_id, rating, signed.body)
    return JSONResponse({"txn_id": rating.txn_id, "score": rating.score}, status_code=status)
