"""GET /api/v1/alerts and POST /api/v1/alerts/{token}/ack: open alerts of the token's plants,
and acknowledging one (as the token's user, if their role may)."""

from __future__ import annotations

from typing import Annotated

import polars as pl
from fastapi import APIRouter, Body
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api import service
from app.api.deps import JsonContext, TableContext
from app.api.encoders import Result, encode
from app.api.models import AckRequest, Alert, AlertList
from app.api.problems import Problem
from app.api.routers import documented
from app.reports.access import Caller, Refused
from app.reports.alerts import acknowledge, open_alerts
from app.reports.state import StateStore

router = APIRouter(prefix="/alerts", tags=["alerts"])

ALERT_SCHEMA = {
    "rule": pl.String,
    "entity": pl.String,
    "status": pl.String,
    "period": pl.String,
    "value": pl.Float64,
    "message": pl.String,
    "plant": pl.String,
    "role": pl.String,
    "token": pl.String,
    "opened_at": pl.String,
    "notified_at": pl.String,
    "level": pl.Int64,
    "acked_at": pl.String,
    "acked_by": pl.String,
    "cleared_at": pl.String,
}


@router.get(
    "",
    response_model=AlertList,
    summary="Open alerts",
    responses=documented(401, 406, 429),
)
async def list_alerts(ctx: TableContext) -> Response:
    """The open alerts of the token's plants, oldest first (not cached: alerts change
    between builds)."""
    state_file, scope = ctx.runtime.settings.state, ctx.scope

    def produce(build):  # type: ignore[no-untyped-def]
        state = StateStore(state_file)
        try:
            rows = open_alerts(state, scope)
        finally:
            state.close()
        frame = pl.DataFrame(rows, schema=ALERT_SCHEMA)
        return Result({"build_id": build.id, "scope": service.scope_doc(scope)}, frame, "alerts")

    return await ctx.answer(("alerts",), produce, immutable=False)


@router.post(
    "/{token}/ack",
    response_model=Alert,
    summary="Acknowledge an alert",
    responses=documented(401, 403, 404, 429, tabular=False),
)
async def ack_alert(
    token: str, ctx: JsonContext, body: Annotated[AckRequest | None, Body()] = None
) -> Response:
    """Acknowledge the alert with this ack token, as the token's user: only alerts of their
    plants (another plant's token is refused exactly like an unknown one, 404) and only if
    their role may acknowledge (403). Acknowledging twice changes nothing."""
    settings = ctx.runtime.settings
    caller = Caller.signed_in(ctx.user, settings.state, via=f"api:{ctx.caller.token.id}")
    by = body.by if body and body.by else ""

    def run() -> dict:
        state = StateStore(settings.state)
        try:
            return acknowledge(state, token, caller, by)
        finally:
            state.close()

    try:
        alert = await run_in_threadpool(run)
    except Refused as error:
        status = 404 if error.key == "alert_unknown_token" else 403
        raise Problem(status, "not-found" if status == 404 else "forbidden", str(error)) from None
    content = await run_in_threadpool(encode, Result(alert), ctx.format)
    return Response(
        content, media_type=ctx.format.media_type, headers={"Cache-Control": "no-store"}
    )
