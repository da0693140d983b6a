"""GET /api/v1/dimensions and /api/v1/dimensions/{name}/values: what metrics are grouped and
filtered by, and the values (with labels) in the token's plants."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from app.api import service
from app.api.deps import TableContext
from app.api.models import DimensionList, DimensionValues
from app.api.routers import documented

router = APIRouter(prefix="/dimensions", tags=["dimensions"])


@router.get(
    "",
    response_model=DimensionList,
    summary="The dimensions and time grains",
    responses=documented(304, 401, 406, 429),
)
async def list_dimensions(ctx: TableContext) -> Response:
    """Each dimension with its labels, its key column and the metrics that allow it."""
    return await ctx.answer(("dimensions",), service.dimensions)


@router.get(
    "/{name}/values",
    response_model=DimensionValues,
    summary="A dimension's values",
    responses=documented(304, 401, 404, 406, 429),
)
async def dimension_values(name: str, ctx: TableContext) -> Response:
    """The values of the dimension in the token's plants (another plant's lines never show),
    with English and Chinese labels and the keys of the dimensions above them."""
    dim = service.known_dimension(name)
    scope = ctx.scope
    return await ctx.answer(
        ("values", dim), lambda build: service.dimension_values(build, dim, scope)
    )
