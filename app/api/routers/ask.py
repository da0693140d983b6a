"""GET /api/v1/ask: a question in plain English or Chinese → its reading and data, or a
question back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from app.api import service
from app.api.deps import TableContext
from app.api.models import AskResponse, Lang
from app.api.problems import Problem
from app.api.routers import documented
from metrics.errors import MetricError
from metrics.nlq.ask import MAX_LENGTH
from metrics.timeexpr import parse_date

router = APIRouter(tags=["ask"])


@router.get(
    "/ask",
    response_model=AskResponse,
    summary="Ask in plain words",
    responses=documented(304, 401, 406, 422, 429, 503),
)
async def ask(
    ctx: TableContext,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_LENGTH,
            description="The question.",
            examples=["上个月各产线的OEE"],
        ),
    ],
    as_of: Annotated[
        str | None, Query(description="The day 'today' means (default: the warehouse's).")
    ] = None,
    lang: Annotated[Lang | None, Query()] = None,
) -> Response:
    """The interpretation, the SQL and the rows, in the token's plants; a question naming
    another plant's plant or line is answered with a question back, never with data. In
    CSV/XLSX/Parquet/Arrow a question back is a 422 problem listing the choices."""
    try:
        day = parse_date(as_of, "as_of")
    except MetricError as error:
        raise Problem(422, "bad-request", str(error)) from None
    scope, tabular = ctx.scope, ctx.format.tabular
    question = " ".join(q.split())
    return await ctx.answer(
        ("ask", question, day, lang, tabular),
        lambda build: service.run_ask(build, question, day, lang, scope, tabular),
        action="ask",
        limit_rows=True,
        detail={"question": question},
    )
