"""GET/POST /api/v1/tokens and DELETE /api/v1/tokens/{id}: a user's own API tokens — list
them, make another (shown once) and revoke one; an admin sees and revokes everyone's."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from app.accounts import Role
from app.accounts.tokens import TokenError, may_manage
from app.api.deps import JsonContext
from app.api.encoders import Result, encode
from app.api.models import NewTokenRequest, NewTokenResponse, TokenInfo, TokenList
from app.api.problems import Problem
from app.api.routers import documented

router = APIRouter(prefix="/tokens", tags=["tokens"])


def _json(ctx: JsonContext, document: dict, status: int = 200) -> Response:
    return Response(
        encode(Result(document), ctx.format),
        status_code=status,
        media_type=ctx.format.media_type,
        headers={"Cache-Control": "no-store"},
    )


@router.get(
    "",
    response_model=TokenList,
    summary="API tokens",
    responses=documented(401, 429, tabular=False),
)
async def list_tokens(ctx: JsonContext) -> Response:
    """The caller's own tokens (an admin's: everyone's), never their text."""
    owner = None if ctx.user.role is Role.ADMIN else ctx.user.username
    rows = await run_in_threadpool(ctx.runtime.tokens.list, owner)
    return _json(ctx, {"tokens": [t.as_dict() for t in rows]})


@router.post(
    "",
    response_model=NewTokenResponse,
    status_code=201,
    summary="Make an API token",
    responses=documented(401, 422, 429, tabular=False),
)
async def create_token(body: NewTokenRequest, ctx: JsonContext) -> Response:
    """Another token for the caller's own user: its text is in this answer only."""
    expires = timedelta(days=body.expires_days) if body.expires_days else None
    try:
        made = await run_in_threadpool(
            lambda: ctx.runtime.tokens.create(
                ctx.user.username, name=body.name, actor=ctx.user.username, expires_in=expires
            )
        )
    except TokenError as error:
        raise Problem(422, "bad-request", str(error)) from None
    ctx.runtime.audit.write(
        ctx.user.username,
        "token_create",
        {"via": "api", "user": ctx.user.username, "token": made.info.id, "name": made.info.name},
        True,
    )
    return _json(ctx, {**made.info.as_dict(), "token": made.token}, 201)


@router.delete(
    "/{token_id}",
    response_model=TokenInfo,
    summary="Revoke an API token",
    responses=documented(401, 404, 429, tabular=False),
)
async def revoke_token(token_id: str, ctx: JsonContext) -> Response:
    """Revoke one of the caller's tokens (an admin: anyone's); another user's token is
    refused exactly like an unknown one."""
    tokens = ctx.runtime.tokens
    found = await run_in_threadpool(tokens.get, token_id)
    if found is None or not may_manage(ctx.user, found.username):
        raise Problem(
            404, "not-found", f"No API token {token_id!r} of yours: GET /api/v1/tokens lists them."
        )
    revoked = await run_in_threadpool(lambda: tokens.revoke(token_id, actor=ctx.user.username))
    ctx.runtime.audit.write(
        ctx.user.username,
        "token_revoke",
        {"via": "api", "user": found.username, "token": found.id},
        True,
    )
    return _json(ctx, revoked.as_dict())
