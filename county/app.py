"""The reference county backend: ``create_app(db_url)`` gives the FastAPI app of county-api.md.

Everything under ``/api/v1`` (the contract), ``/fleet`` (the operators' page) and
``/healthz``. The catalog is read from the kiosk's shipped format (``catalog_dir``, else
``COUNTY_CATALOG``, else the kiosk's ``assets/catalog``).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from county import docs, errors
from county.auth import BODY_IDLE_S, Authenticator, RateLimiter
from county.context import County, ServedCatalog
from county.db import Database
from county.routes import beacons, blobs, catalog, certificates, enroll, fleet_page, ratings, transactions
from kiosk.wire import API_PREFIX

access = logging.getLogger("county.access")

VERSION = "1.0.0"
#: Per device: a burst of this many requests, then this many a second.
RATE_BURST = 120
RATE_PER_S = 20.0


def create_app(db_url: str, *, clock: Callable[[], float] = time.time, catalog_dir: str | None = None,
               rate_per_s: float = RATE_PER_S, rate_burst: int = RATE_BURST, beacon_history: int = 1000,
               database: Database | None = None, body_idle_s: float = BODY_IDLE_S) -> FastAPI:
    database = database or Database(db_url)
    limiter = RateLimiter(rate_per_s, rate_burst)
    served = ServedCatalog(catalog_dir or os.environ.get("COUNTY_CATALOG") or None)
    app = FastAPI(title="County gateway API (reference backend)", version=VERSION,
                  description="county-api.md, version 1: the county side of the kiosk fleet. Every request "
                              "under /api/v1 but /enroll is signed with the device's Ed25519 key. Errors are "
                              '{"error", "message"}.', docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    auth = Authenticator(database, clock, limiter, body_idle_s)
    app.state.county = County(db=database, clock=clock, auth=auth, catalog=served, beacon_history=beacon_history)
    errors.install(app)
    for module in (enroll, blobs, transactions, ratings, certificates, catalog, beacons):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(fleet_page.router)

    @app.get("/healthz", summary="Liveness for the load balancer", response_model=None,
             responses={200: {"description": "up; the catalog version served",
                              "content": {"application/json": {}}}})
    async def healthz() -> JSONResponse:
        return JSONResponse({"ok": True, "catalog_version": served.catalog.version})

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            app.openapi_schema = docs.add_body_schemas(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.middleware("http")
    async def access_log(request: Request, call_next: Any) -> Any:
        """One scrubbed line per request: method, path (never the query or a body), status,
        the claimed device and the time taken. Receipt numbers and blob hashes are not personal.
        An unexpected exception ends here as 500 ``internal`` with its type only in the log: let
        through, the server would log its traceback, and a database error's quotes the body."""
        started = time.monotonic()
        try:
            response = await call_next(request)
        except Exception as exc:  # noqa: BLE001 - the last line of defence, by design
            errors.log.error("internal error on %s %s: %s", request.method, request.url.path[:120], type(exc).__name__)
            response = errors.error_response(500, "internal", "internal error")
        access.info("%s %s %s device=%s %.0fms", request.method, request.url.path[:120], response.status_code,
                    request.headers.get("x-kiosk-device", "-")[:32], (time.monotonic() - started) * 1000)
        return response

    return app


def app_from_env() -> FastAPI:
    """The factory ``county serve`` gives uvicorn (so that ``--workers N`` works):
    ``COUNTY_DB`` and ``COUNTY_CATALOG`` from the environment."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return create_app(os.environ.get("COUNTY_DB", "sqlite:///county.db"))
