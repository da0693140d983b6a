"""GET and POST /api/v1/query: governed metrics, the same request as `metrics.query`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from app.api import service
from app.api.deps import TableContext
from app.api.models import Lang, QueryRequest, QueryResponse
from app.api.routers import documented

router = APIRouter(tags=["query"])

ERRORS = (304, 401, 406, 422, 429, 503)


async def _answer(ctx: TableContext, request) -> Response:  # type: ignore[no-untyped-def]
    scope = ctx.scope
    return await ctx.answer(
        ("query", request),
        lambda build: service.run_query(build, request, scope),
        action="query",
        limit_rows=True,
        detail={
            "metrics": list(request.metrics),
            "by": list(request.by),
            "where": {d: list(v) for d, v in request.where},
            "period": [str(request.start), str(request.end)],
        },
    )


@router.get(
    "/query",
    response_model=QueryResponse,
    summary="Query governed metrics",
    responses=documented(*ERRORS),
)
async def get_query(
    ctx: TableContext,
    metrics: Annotated[
        list[str],
        Query(description="Metric names, comma-separated or repeated.", examples=["oee"]),
    ],
    by: Annotated[
        list[str] | None,
        Query(description="Dimensions (or a grain) to group by.", examples=["line"]),
    ] = None,
    where: Annotated[
        list[str] | None,
        Query(description="DIMENSION=KEY[,KEY…], repeatable.", examples=["plant=SZ"]),
    ] = None,
    from_: Annotated[
        str | None, Query(alias="from", description="First day included, YYYY-MM-DD.")
    ] = None,
    to: Annotated[str | None, Query(description="First day excluded, YYYY-MM-DD.")] = None,
    grain: Annotated[Literal["day", "week", "month", "quarter", "year"] | None, Query()] = None,
    compare: Annotated[
        Literal["previous_period", "previous", "same_period_last_year", "last_year"] | None,
        Query(),
    ] = None,
    lang: Annotated[Lang, Query(description="Labels' language.")] = "en",
) -> Response:
    """Metrics grouped by dimensions over [from, to), in the token's plants only (a `where`
    on another plant gives no rows). Errors say what to change: an unknown metric, a
    dimension the metric does not allow, a bad date, too many rows."""
    request = service.make_request(
        metrics, by, service.parse_where(where), from_, to, grain, compare, lang
    )
    return await _answer(ctx, request)


@router.post(
    "/query",
    response_model=QueryResponse,
    summary="Query governed metrics (JSON body)",
    responses=documented(*ERRORS),
)
async def post_query(body: QueryRequest, ctx: TableContext) -> Response:
    """The same as GET /query, with the request as a JSON body."""
    request = service.make_request(
        body.metrics,
        body.by,
        service.parse_where(body.where),
        _day(body.from_),
        _day(body.to),
        body.grain,
        body.compare,
        body.lang,
    )
    return await _answer(ctx, request)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None
