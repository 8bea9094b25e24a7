"""``PUT /api/v1/blobs/{sha256}``: content-addressed images (JPEG or PNG, at most 5 MiB).

Refused early: 413 by ``Content-Length`` before a byte is read, and while reading a body
sent without one; the body is never held beyond the limit. 201 when stored now, 200 when it
was already there, 400 ``hash_mismatch`` when the bytes do not hash to the name, 415 when the
type is not ``image/jpeg`` or ``image/png`` or the bytes do not start as that type says.
"""

from __future__ import annotations

import hashlib
import re

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from county import db as t
from county.context import County, county
from county.docs import SIGNED_ERRORS, SLOW_BODY, Stored, err, signed_only
from county.errors import ApiError
from kiosk import wire

router = APIRouter()
MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


def _store(c: County, device_id: str, sha256: str, content_type: str, data: bytes) -> int:
    with c.db.connect() as conn:
        if conn.execute(select(t.blobs.c.sha256).where(t.blobs.c.sha256 == sha256)).first() is not None:
            return 200
    try:
        with c.db.begin() as conn:
            conn.execute(insert(t.blobs).values(sha256=sha256, content_type=content_type, size=len(data), data=data,
                                                device_id=device_id, stored_at=c.clock()))
    except IntegrityError:  # the same blob raced in
        return 200
    return 201


@router.put("/blobs/{sha256}", status_code=201, response_model=None, summary="Store a blob by its SHA-256",
            openapi_extra={**signed_only(), "requestBody": {"required": True, "content": {
                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}}}}},
            responses={201: {"model": Stored, "description": "stored now"},
                       200: {"model": Stored, "description": "already stored"},
                       400: err("hash_mismatch: the bytes do not hash to the name (or the name is not a sha256)"),
                       413: err("too_large: over 5 MiB"),
                       415: err("unsupported_media_type: only image/jpeg and image/png"), **SLOW_BODY,
                       **SIGNED_ERRORS})
async def put_blob(sha256: str, request: Request) -> JSONResponse:
    c = county(request)
    signed = await c.auth.signed(request, limit=wire.MAX_BLOB_BYTES, json_body=False)
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ApiError(400, "hash_mismatch", "the name is not a lowercase hex sha256")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in wire.BLOB_TYPES:
        raise ApiError(415, "unsupported_media_type", "only image/jpeg and image/png are stored")
    data = signed.body
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ApiError(400, "hash_mismatch", "the bytes do not hash to the name")
    if not data.startswith(MAGIC[content_type]):
        raise ApiError(415, "unsupported_media_type", f"the bytes are not {content_type}")
    status = await run_in_threadpool(_store, c, signed.device_id, sha256, content_type, data)
    return JSONResponse({"sha256": sha256, "size": len(data)}, status_code=status)
