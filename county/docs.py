"""What the OpenAPI file says beyond what FastAPI infers: request bodies read by hand (the
signature covers the exact bytes, so the routes parse them themselves), the signing headers,
and every error answer in the contract's form."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from kiosk.signing import HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP

#: wire models referenced as request bodies; the OpenAPI builder adds their schemas.
BODY_MODELS: dict[str, type[BaseModel]] = {}


class Error(BaseModel):
    """Every error answer. ``missing`` comes with ``missing_blobs``; ``server_time`` with ``clock_skew``."""

    error: str = Field(description="bad_token, already_enrolled, bad_signature, clock_skew, replayed_nonce, "
                                   "hash_mismatch, too_large, idempotency_conflict, missing_blobs, invalid, "
                                   "malformed, no_record, not_found, unknown_txn, unsupported_media_type, "
                                   "rate_limited, timeout, method_not_allowed, internal")
    message: str = ""
    missing: list[str] | None = Field(None, description="with missing_blobs: every sha256 not stored")
    server_time: str | None = Field(None, description="with clock_skew: the server's time, RFC 3339")


class Stored(BaseModel):
    sha256: str
    size: int


class RatingAck(BaseModel):
    txn_id: str
    score: int


def err(text: str) -> dict[str, Any]:
    return {"model": Error, "description": text}


SIGNED_ERRORS: dict[int | str, dict[str, Any]] = {
    401: err("bad_signature (unknown device, bad or missing signature), clock_skew (with server_time), "
             "replayed_nonce"),
    429: err("rate_limited: this device sent too many requests; Retry-After says when to come back"),
}
SLOW_BODY: dict[int | str, dict[str, Any]] = {
    408: err("timeout: the body came too slowly (nothing for 30 s, or not all of it in 600 s)"),
}
BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    400: err("malformed: the body is not strict UTF-8 JSON (no duplicate keys, NaN or Infinity)"),
    **SLOW_BODY,
    413: err("too_large: the body is over 1 MiB"),
    415: err("unsupported_media_type: the body is not sent as application/json"),
    422: err("invalid: the body breaks the schema (message names the first problem), or holds an integer "
             "beyond 64 bits or a NUL in a text"),
}

SIGNING_HEADERS = [
    {"name": HEADER_DEVICE, "in": "header", "required": True, "schema": {"type": "string", "pattern": "^[A-Z0-9-]{3,32}$"},
     "description": "the device id"},
    {"name": HEADER_TIMESTAMP, "in": "header", "required": True, "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
     "description": "Unix time, whole seconds; more than 300 s from the server's clock is clock_skew"},
    {"name": HEADER_NONCE, "in": "header", "required": True, "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
     "description": "random per request; one seen in the last 600 s is replayed_nonce"},
    {"name": HEADER_SIGNATURE, "in": "header", "required": True, "schema": {"type": "string"},
     "description": "base64 Ed25519 signature of METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nsha256(body)"},
]


def json_body(model: type[BaseModel], *, signed: bool = True, extra_params: list[dict[str, Any]] | None = None
              ) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads ``model`` as its JSON body."""
    BODY_MODELS[model.__name__] = model
    return {
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}},
        "parameters": (SIGNING_HEADERS if signed else []) + (extra_params or []),
    }


def signed_only(extra_params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"parameters": SIGNING_HEADERS + (extra_params or [])}


def add_body_schemas(schema: dict[str, Any]) -> dict[str, Any]:
    """Put the body models (and the models they use) into ``components.schemas``."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, model in sorted(BODY_MODELS.items()):
        doc = model.model_json_schema(ref_template="#/components/schemas/{model}", mode="validation")
        for sub, sub_doc in doc.pop("$defs", {}).items():
            components.setdefault(sub, sub_doc)
        components[name] = doc
    # FastAPI's own 422 shape never goes out: the handler answers in the contract's form
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            answer = operation.get("responses", {}).get("422")
            if answer and "HTTPValidationError" in str(answer):
                operation["responses"]["422"] = {
                    "description": "invalid: a parameter breaks its schema",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return schema
