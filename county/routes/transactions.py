"""Transactions and progress.

- ``POST /api/v1/transactions``: ``Idempotency-Key`` must be the ``txn_id``, whose device part
  must be the signing device. 201 with the ack; 200 with the very same ack for a repeat with
  the same body bytes; 409 ``idempotency_conflict`` for another body; 422 ``invalid`` when the
  item's own rules fail (unknown item, identity method, eligibility, the form by
  ``kiosk.catalog.forms.validate_all``, materials, face photo, signature); 422
  ``missing_blobs`` listing every blob not stored.
- ``GET /api/v1/transactions/{txn_id}``: progress by receipt number. Decision: any kiosk
  enrolled with this county's backend may ask about any number this backend holds (one
  backend is one county: a citizen may apply at one machine and ask at another); the answer
  carries only masked personal data, and the per-device rate limit bounds enumeration.
- ``POST /api/v1/transactions/query``: by id number (in the body, so never in a URL or an
  access log), newest first, at most 50.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from county import cases
from county.bodies import parse
from county.context import county
from county.docs import BODY_ERRORS, SIGNED_ERRORS, err, json_body, signed_only
from county.errors import ApiError
from kiosk import wire

router = APIRouter()

IDEMPOTENCY = [{"name": "Idempotency-Key", "in": "header", "required": True, "schema": {"type": "string"},
                "description": "the txn_id"}]


@router.post("/transactions", status_code=201, response_model=None, summary="Submit a transaction (办件)",
             openapi_extra=json_body(wire.TransactionIn, extra_params=IDEMPOTENCY),
             responses={201: {"model": wire.TransactionAck, "description": "received"},
                        200: {"model": wire.TransactionAck, "description": "a repeat: the same ack again"},
                        409: err("idempotency_conflict: this txn_id came before with another body"),
                        **BODY_ERRORS,
                        422: err("missing_blobs (with missing: every sha256 not stored) or invalid (the body breaks "
                                 "the schema, the Idempotency-Key is not the txn_id, the txn_id is not numbered by "
                                 "the signing device, or the item's own rules fail)"),
                        **SIGNED_ERRORS})
async def post_transaction(request: Request) -> Response:
    c = county(request)
    signed = await c.auth.signed(request)
    txn = parse(wire.TransactionIn, signed.body)
    status, ack = await run_in_threadpool(cases.accept, c.db, c.catalog.catalog, signed.device_id,
                                          request.headers.get("idempotency-key"), signed.body, txn, c.clock())
    return Response(ack, status_code=status, media_type="application/json")


@router.post("/transactions/query", response_model=None, summary="Progress by the applicant's id number",
             openapi_extra=json_body(wire.ProgressQuery),
             responses={200: {"model": wire.ProgressList, "description": "newest first, names and numbers masked"},
                        **BODY_ERRORS, **SIGNED_ERRORS})
async def query(request: Request) -> JSONResponse:
    c = county(request)
    signed = await c.auth.signed(request)
    asked = parse(wire.ProgressQuery, signed.body)
    found = await run_in_threadpool(cases.by_id_number, c.db, asked.id_number)
    return JSONResponse({"transactions": found})


@router.get("/transactions/{txn_id}", response_model=None, summary="Progress by receipt number (受理编号)",
            openapi_extra=signed_only(),
            responses={200: {"model": wire.Progress, "description": "names and numbers masked"},
                       404: err("not_found: no such receipt number"), **SIGNED_ERRORS})
async def progress(txn_id: str, request: Request) -> JSONResponse:
    c = county(request)
    await c.auth.signed(request)
    found = await run_in_threadpool(cases.progress, c.db, txn_id) if wire.is_txn_id(txn_id) else None
    if found is None:
        raise ApiError(404, "not_found", "no transaction with this number")
    return JSONResponse(found)
