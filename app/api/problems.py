"""Errors as `application/problem+json` (RFC 9457): a type, a title, the status and a detail
the caller can act on. Routes raise `Problem`; FastAPI's own errors (validation, 404, 405)
are turned into the same shape by the handlers `install` adds."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

log = logging.getLogger("andon.api")
PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "urn:andon:problem:"  # a name per kind of problem (TITLES), not a page to fetch

TITLES = {
    "unauthorized": "A valid API token is needed",
    "forbidden": "Not allowed for this token's user",
    "not-found": "Nothing here",
    "bad-request": "The request cannot be answered",
    "too-many-rows": "Too many rows",
    "rate-limited": "Too many requests",
    "not-acceptable": "No such output format",
    "not-published": "No published warehouse",
    "clarification-needed": "The question needs a clarification",
    "method-not-allowed": "Method not allowed",
}


class Problem(Exception):
    """An error response: `kind` names its type (TITLES), `detail` says what to do."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": TYPE_BASE + self.kind,
            "title": TITLES.get(self.kind, self.kind.replace("-", " ").capitalize()),
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body

    def response(self, instance: str | None = None) -> Response:
        return Response(
            json.dumps(self.body(instance), ensure_ascii=False, default=str),
            status_code=self.status,
            media_type=PROBLEM_JSON,
            headers=self.headers,
        )


def unauthorized(detail: str) -> Problem:
    return Problem(
        401, "unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="andon"'}
    )


def _validation_detail(error: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    errors = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ()) if part not in ("query", "body"))
        errors.append({"field": where, "message": item.get("msg", "")})
    text = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "malformed request"
    return f"Fix these and send it again: {text}.", errors


def install(app: FastAPI) -> None:
    """Every error of `app` as problem+json."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> Response:
        request.state.problem = error
        return error.response(request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        detail, errors = _validation_detail(error)
        problem = Problem(422, "bad-request", detail, errors=errors)
        request.state.problem = problem
        return problem.response(request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        log.exception("%s %s failed", request.method, request.url.path)
        problem = Problem(
            500,
            "internal-error",
            "The server failed to answer this request; its log has the details. Retry, and "
            "report it to the administrators if it persists.",
        )
        return problem.response(request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            problem = Problem(
                404,
                "not-found",
                f"No endpoint {request.url.path}: the API's endpoints are listed at /api/docs "
                "(and /api/v1/openapi.json).",
            )
        elif error.status_code == 405:
            problem = Problem(
                405,
                "method-not-allowed",
                f"{request.method} is not allowed on {request.url.path}: see /api/docs.",
                headers=dict(error.headers or {}),
            )
        else:
            problem = Problem(error.status_code, "bad-request", str(error.detail))
        return problem.response(request.url.path)


# For the OpenAPI document: what an error response of any route looks like.
PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
    "required": ["type", "title", "status", "detail"],
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The problem responses a route documents."""
    meaning = {
        304: "Not modified: the answer for this build and request is the one you have (ETag)",
        400: "Bad request",
        401: "No token, or an unknown, revoked or expired one",
        403: "The token's user may not do this",
        404: "Unknown metric, dimension or alert",
        406: "No such output format",
        422: "The request cannot be answered as asked (the detail says what to change)",
        429: "Too many requests for this token: retry after Retry-After seconds",
        503: "No published warehouse yet",
    }
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        if code == 304:
            out[code] = {"description": meaning[code]}
        else:
            out[code] = {
                "description": meaning[code],
                "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
            }
    return out
