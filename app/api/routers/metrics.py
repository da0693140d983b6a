"""GET /api/v1/metrics and /api/v1/metrics/{name}: the governed metric catalogue."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from app.api import service
from app.api.deps import JsonContext, TableContext
from app.api.encoders import Result
from app.api.models import Catalogue, MetricInfo
from app.api.routers import documented

router = APIRouter(prefix="/metrics", tags=["metrics"])


@router.get(
    "",
    response_model=Catalogue,
    summary="The metric catalogue",
    responses=documented(304, 401, 406, 429),
)
async def list_metrics(ctx: TableContext) -> Response:
    """Every governed KPI with its labels in English and Chinese, unit, format, target,
    owner and the dimensions it may be grouped and filtered by."""
    return await ctx.answer(("metrics",), service.catalogue)


@router.get(
    "/{name}",
    response_model=MetricInfo,
    summary="One metric",
    responses=documented(304, 401, 404, 406, 429, tabular=False),
)
async def get_metric(name: str, ctx: JsonContext) -> Response:
    """One metric's definition; an unknown name gets a 404 listing the known ones."""
    known = service.known_metric(name)
    return await ctx.answer(("metric", known), lambda build: Result(service.metric_doc(known)))
