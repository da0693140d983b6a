"""GET /api/v1/health, /api/v1/freshness and /api/v1/builds/last: the published build, its
as-of date and how fresh each source was when it was built."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from app.api import service
from app.api.deps import JsonContext, TableContext
from app.api.encoders import Result
from app.api.models import BuildInfo, Freshness, Health
from app.api.problems import Problem
from app.api.routers import documented

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=Health,
    summary="The build in service",
    responses=documented(304, 401, 429, 503, tabular=False),
)
async def health(ctx: JsonContext) -> Response:
    """The published build's id, as-of date, worst source freshness and its build record."""
    scope = ctx.scope
    return await ctx.answer(("health",), lambda build: service.health(build, scope))


@router.get(
    "/freshness",
    response_model=Freshness,
    summary="Source freshness",
    responses=documented(304, 401, 406, 429, 503),
)
async def freshness(ctx: TableContext) -> Response:
    """Per source table: the newest load and its age when the build ran, against the warn and
    error thresholds."""
    scope = ctx.scope
    return await ctx.answer(("freshness",), lambda build: service.freshness(build, scope))


@router.get(
    "/builds/last",
    response_model=BuildInfo,
    summary="The last build",
    responses=documented(304, 401, 404, 429, 503, tabular=False),
)
async def last_build(ctx: JsonContext) -> Response:
    """The record of the build in service: when it ran, models, tests, failures."""
    scope = ctx.scope

    def produce(build):  # type: ignore[no-untyped-def]
        record = service.last_build(build, scope)
        if record is None:
            raise Problem(
                404, "not-found", "This warehouse has no build record: run `andon build`."
            )
        return Result(record)

    return await ctx.answer(("builds/last",), produce)
