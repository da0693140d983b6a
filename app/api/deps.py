"""The dependencies every route needs (`Depends`): the caller (token → user → scope), the
output format, and `Context.answer`, which gives the immutable answer of one request on
the published build — its ETag, 304 on If-None-Match, the answer cache, the row limit and
the audit log — so routes only say what to compute (through `metrics`)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.responses import Response

from app.accounts import Action, User, can
from app.accounts.tokens import ApiToken
from app.api.encoders import FORMAT_NAMES, Format, Result, choose, encode
from app.api.problems import Problem, unauthorized
from app.api.runtime import Build, Runtime
from metrics.scope import Scope

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="A personal API token: `andon tokens create --user NAME` shows it once.",
)
MAX_CACHED_BODY = 8 * 1024 * 1024  # bytes; larger answers are encoded again each time


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def scope_key(scope: Scope) -> str:
    return "*" if scope.is_all else ",".join(scope.sorted())


@dataclass
class Caller:
    """Who calls: the token, its user (role and plants as granted now) and their scope."""

    token: ApiToken
    user: User

    @property
    def scope(self) -> Scope:
        return self.user.scope


async def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """The caller of this request, or the 401/403/429 problem (each audited)."""
    rt = runtime(request)
    path = request.url.path
    if credentials is None or credentials.scheme.lower() != "bearer":
        rt.audit.write(None, "api_call", {"via": "api", "path": path, "refused": "no token"}, False)
        raise unauthorized(
            "Send a personal API token as `Authorization: Bearer andon_pat_…`; make one with "
            "`andon tokens create --user NAME` (it is shown once)."
        )
    token, user = rt.identities.resolve(credentials.credentials)
    if token is None:
        rt.audit.write(
            None, "api_call", {"via": "api", "path": path, "refused": "unknown token"}, False
        )
        raise unauthorized(
            "This token is unknown, revoked or expired: make a new one with "
            "`andon tokens create --user NAME`."
        )
    if user is None or not user.active:
        rt.audit.write(
            token.username,
            "api_call",
            {"via": "api", "path": path, "token": token.id, "refused": "user disabled"},
            False,
        )
        raise unauthorized(
            f"The token's user {token.username!r} is disabled or gone: ask an administrator."
        )
    rt.limiter.take(token.id)
    if not can(user, Action.READ):
        rt.audit.write(
            user.username,
            "api_call",
            {"via": "api", "path": path, "token": token.id, "refused": "no plants"},
            False,
        )
        raise Problem(
            403,
            "forbidden",
            f"{user.username} has no plants granted, so there is nothing to read: ask an "
            "administrator to grant plants (`andon users grant`).",
        )
    return Caller(token, user)


FormatParam = Annotated[
    str | None,
    Query(
        alias="format",
        description="Output: " + " | ".join(FORMAT_NAMES) + " (wins over the Accept header).",
        examples=["json"],
    ),
]


@dataclass
class Context:
    request: Request
    runtime: Runtime
    caller: Caller
    format: Format
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def scope(self) -> Scope:
        return self.caller.scope

    @property
    def user(self) -> User:
        return self.caller.user

    def build(self) -> Build:
        return self.runtime.published.current()

    def audit(self, action: str, detail: dict[str, Any], status: int) -> None:
        self.runtime.audit.write(
            self.user.username,
            action,
            {
                "via": "api",
                "token": self.caller.token.id,
                "path": self.request.url.path,
                "format": self.format.name,
                "status": status,
                **detail,
            },
            status < 400,
        )

    async def answer(
        self,
        key: tuple[Any, ...],
        produce: Callable[[Build], Result],
        *,
        action: str = "api_call",
        detail: dict[str, Any] | None = None,
        immutable: bool = True,
        limit_rows: bool = False,
    ) -> Response:
        """The answer to `key` (a normalised request) on the current build, for this caller's
        scope, in the chosen format. With `immutable` (the answer depends only on the build,
        the request and the scope) it has an ETag, a matching If-None-Match gets 304, and
        it is cached per build. With `limit_rows` (metric answers) more rows than the
        limit get the "too many rows" problem."""
        detail = dict(detail or {})
        try:
            build = self.build()
            if not immutable:
                result = await run_in_threadpool(produce, build)
                body = await run_in_threadpool(encode, result, self.format)
                self.audit(action, {**detail, "rows": result.row_count}, 200)
                return self._response(body, {"Cache-Control": "no-store"}, build)
            scope = scope_key(self.scope)
            tag = etag(build.id, key, scope, self.format.name)
            headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
            if _matches(self.request.headers.get("if-none-match"), tag):
                self.audit(action, {**detail, "cached": "304"}, 304)
                return Response(status_code=304, headers={**headers, "X-Andon-Build": build.id})
            cache = self.runtime.cache
            encoded = cache.get(("body", build.id, key, scope, self.format.name))
            cached = encoded is not None
            if encoded is None:
                result = cache.get(("result", build.id, key, scope))
                if result is None or limit_rows:
                    # one trip to the thread pool: compute (if not cached), check, encode
                    result, body = await run_in_threadpool(
                        self._compute, build, result, produce, limit_rows
                    )
                    cache.put(("result", build.id, key, scope), result)
                else:
                    body = await run_in_threadpool(encode, result, self.format)
                encoded = (body, result.row_count)
                if len(body) <= MAX_CACHED_BODY:
                    cache.put(("body", build.id, key, scope, self.format.name), encoded)
            body, rows = encoded
            self.audit(action, {**detail, "rows": rows, "cached": cached}, 200)
            return self._response(body, headers, build)
        except Problem as problem:
            self.audit(action, {**detail, "problem": problem.detail}, problem.status)
            raise

    def _compute(
        self,
        build: Build,
        result: Result | None,
        produce: Callable[[Build], Result],
        limit_rows: bool,
    ) -> tuple[Result, bytes]:
        if result is None:
            result = produce(build)
        if limit_rows:
            self._check_rows(result)
        return result, encode(result, self.format)

    def _check_rows(self, result: Result) -> None:
        limit = self.runtime.settings.max_rows
        if result.row_count > limit:
            raise Problem(
                422,
                "too-many-rows",
                f"too many rows: the answer has {result.row_count:,} rows, more than the "
                f"limit of {limit:,}: narrow the request (fewer `by` dimensions, a coarser "
                "grain, a shorter from/to period or a `where` filter).",
                rows=result.row_count,
                limit=limit,
            )

    def _response(self, body: bytes, headers: dict[str, str], build: Build) -> Response:
        headers = {**headers, "X-Andon-Build": build.id}
        if self.format.name in ("xlsx", "parquet", "arrow"):
            name = self.request.url.path.rstrip("/").rsplit("/", 1)[-1] or "andon"
            headers["Content-Disposition"] = (
                f'attachment; filename="andon-{name}.{self.format.extension}"'
            )
        return Response(body, media_type=self.format.media_type, headers=headers)


def etag(build_id: str, key: tuple[Any, ...], scope: str, format_name: str) -> str:
    """A strong ETag: the same build, request, scope and format give the same bytes."""
    text = f"{build_id}\x1f{key!r}\x1f{scope}\x1f{format_name}"
    return '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + '"'


def _matches(header: str | None, tag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    candidates = {part.strip().removeprefix("W/") for part in header.split(",")}
    return tag in candidates


def context_for(*, tabular: bool = True) -> Callable[..., Any]:
    """The dependency giving a route its Context (tabular: may answer in every format)."""

    async def dependency(
        request: Request,
        who: Annotated[Caller, Depends(caller)],
        format: FormatParam = None,  # noqa: A002 - the parameter's public name
    ) -> Context:
        chosen = choose(format, request.headers.get("accept"), tabular=tabular)
        return Context(request, runtime(request), who, chosen)

    return dependency


TableContext = Annotated[Context, Depends(context_for(tabular=True))]
JsonContext = Annotated[Context, Depends(context_for(tabular=False))]
