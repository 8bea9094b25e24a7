"""The contract's error form, ``{"error": "<code>", "message": "<text>"}``, for every answer
that is not a success — ours, FastAPI's own validation answers and Starlette's 404/405 alike.

Codes this backend uses besides the contract's own (documented in ``county/openapi.json``):

- ``malformed`` (400): the body is not strict UTF-8 JSON (duplicate keys, NaN, Infinity).
- ``invalid`` (422): the body is JSON but breaks the schema (or holds an integer beyond 64
  bits or a NUL in a text), a header is wrong (``Idempotency-Key``), or a transaction fails
  its item's own rules.
- ``timeout`` (408): the body came too slowly; the kiosk retries it (county-api.md).
- ``not_found`` (404), ``method_not_allowed`` (405), ``unsupported_media_type`` (415: a JSON
  body not sent as ``application/json``, a blob not JPEG or PNG),
  ``rate_limited`` (429, with ``Retry-After``), ``internal`` (500, never expected).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("county")

HTTP_CODES = {400: "malformed", 401: "bad_signature", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 406: "not_acceptable", 413: "too_large",
              408: "timeout", 415: "unsupported_media_type", 422: "invalid", 429: "rate_limited"}


class ApiError(Exception):
    """An answer in the contract's error form; ``extra`` adds keys (``missing``, ``server_time``)."""

    def __init__(self, status: int, code: str, message: str = "", *, extra: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {code}")
        self.status, self.code, self.message = status, code, message
        self.extra = extra or {}
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        body = {"error": self.code, "message": self.message, **self.extra}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def error_response(status: int, code: str, message: str = "", **extra: Any) -> JSONResponse:
    return ApiError(status, code, message, extra=extra).response()


def describe(err: ValidationError | RequestValidationError) -> str:
    """The first problem of a validation error, without the input value (it may be personal)."""
    errors = err.errors()
    if not errors:
        return "invalid body"
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    return f"{where}: {first.get('msg', 'invalid')}"[:300] + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid", describe(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
        detail = exc.detail if isinstance(exc.detail, str) else ""
        return JSONResponse({"error": code, "message": detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        # the type only: a message could quote a body
        log.error("internal error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return error_response(500, "internal", "internal error")
