"""Andon's HTTP API (FastAPI on uvicorn): the governed metrics for other systems, behind
personal API tokens, in the token's plants only. See README "HTTP API".

    from app.api import create_app
    app = create_app(warehouse="warehouse/andon.duckdb")   # then: uvicorn, or `andon api`
"""

from app.api.app import create_app

__all__ = ["create_app"]
