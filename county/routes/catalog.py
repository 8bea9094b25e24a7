"""``GET /api/v1/catalog``: the catalog in the kiosk's own format, with an ETag; 304 when
``If-None-Match`` names it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from county.context import county
from county.docs import SIGNED_ERRORS, signed_only
from kiosk import wire

router = APIRouter()


@router.get("/catalog", response_model=None, summary="The service catalog (事项清单)",
            openapi_extra=signed_only([{"name": "If-None-Match", "in": "header", "required": False,
                                        "schema": {"type": "string"}, "description": "an ETag from before"}]),
            responses={200: {"model": wire.CatalogResponse, "description": "the catalog, with an ETag header",
                             "headers": {"ETag": {"schema": {"type": "string"}}}},
                       304: {"description": "unchanged since the ETag in If-None-Match"}, **SIGNED_ERRORS})
async def catalog(request: Request) -> Response:
    c = county(request)
    await c.auth.signed(request)
    served = c.catalog
    headers = {"ETag": served.etag, "Cache-Control": "no-cache"}
    if served.matches(request.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)
    return Response(served.body, media_type="application/json", headers=headers)
