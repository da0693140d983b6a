"""The app factory: `create_app(warehouse=None, state=None, ...)` wires the routers under
/api/v1, the problem handlers, the runtime (published connection, caches, rate limiter,
audit writer) and the interactive docs, served from the fastapi-offline package's bundled
Swagger UI and ReDoc assets (nothing is loaded from a CDN)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from app.api import problems
from app.api.routers import alerts, ask, dimensions, health, query, tokens
from app.api.routers import metrics as metrics_router
from app.api.runtime import Runtime
from app.api.settings import ApiSettings

PREFIX = "/api/v1"
DESCRIPTION = """Andon's governed KPIs for other systems: the metric catalogue, dimension
values, metric queries, questions in plain words, the build's freshness, and alerts.

Every call needs a personal API token (`andon tokens create --user NAME`) sent as
`Authorization: Bearer andon_pat_…`; it carries its user's role and plants, and every answer
holds only those plants' rows. Tabular answers come as JSON, CSV, XLSX, Parquet or Arrow IPC
(`format=` or the Accept header). Answers of one published build never change: they carry
an ETag, and `If-None-Match` gets 304. Errors are `application/problem+json`."""


def create_app(
    warehouse: str | os.PathLike[str] | None = None,
    state: str | os.PathLike[str] | None = None,
    **overrides: Any,
) -> FastAPI:
    """The API for the warehouse `warehouse` (default $ANDON_WAREHOUSE or
    warehouse/andon.duckdb) and state store `state` (default beside it); `overrides` set
    ApiSettings fields (rate, burst, max_rows, cache_entries)."""
    settings = replace(ApiSettings.from_env(warehouse, state), **overrides).checked()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.runtime.close()

    app = FastAPIOffline(
        title="Andon metrics API",
        version="1",
        description=DESCRIPTION,
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url="/api/docs",
        redoc_url="/api/redoc",
        static_url="/api/docs-static",
        lifespan=lifespan,
    )
    app.state.runtime = Runtime(settings)
    problems.install(app)
    for module in (metrics_router, dimensions, query, ask, health, alerts, tokens):
        app.include_router(module.router, prefix=PREFIX)
    return app


def settings_of(app: FastAPI) -> ApiSettings:
    return app.state.runtime.settings


def state_file(app: FastAPI) -> Path:
    return settings_of(app).state
