"""``GET /fleet``: the fleet page for the county's operators (server-rendered by
``county.fleet_html``; no personal data is on it). Not signed: serve it on the county's
internal network only, or behind the reverse proxy's own login."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from county import admin
from county.context import county

router = APIRouter()


@router.get("/fleet", response_class=HTMLResponse, summary="Fleet status page (设备运行监控)",
            responses={200: {"content": {"text/html": {}}, "description": "every kiosk's colour and reasons"}})
async def fleet(request: Request) -> HTMLResponse:
    from county.fleet_html import render_fleet

    c = county(request)
    now = c.clock()
    rows = await run_in_threadpool(admin.fleet_rows, c.db, now)
    return HTMLResponse(render_fleet(rows, now), headers={"Cache-Control": "no-store"})
