"""``POST /api/v1/certificates``: a certificate from the synthetic records (``county.certificates``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from county import certificates as records
from county.bodies import parse
from county.context import county
from county.docs import BODY_ERRORS, SIGNED_ERRORS, err, json_body
from county.errors import ApiError
from kiosk import wire

router = APIRouter()


@router.post("/certificates", response_model=None, summary="Print a certificate (证明打印)",
             openapi_extra=json_body(wire.CertificateRequest),
             responses={200: {"model": wire.Certificate, "description": "name and number masked in the lines"},
                        404: err("no_record: no record of this kind for this id number (or an unknown kind)"),
                        **BODY_ERRORS, **SIGNED_ERRORS})
async def certificate(request: Request) -> JSONResponse:
    c = county(request)
    signed = await c.auth.signed(request)
    asked = parse(wire.CertificateRequest, signed.body)
    found = records.certificate(asked.kind, asked.id_number, c.clock())
    if found is None:
        raise ApiError(404, "no_record", "no record for this id number")
    return JSONResponse(found)
