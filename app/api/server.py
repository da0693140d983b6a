"""Serving the API with uvicorn: `serve(host, port, ...)` (what `andon api` runs) and
`Server`, a uvicorn server in a background thread (tests and the benchmark)."""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import replace
from typing import Any

import uvicorn

from app.api.app import create_app
from app.api.settings import ApiSettings
from warehouse.location import ENV_VAR, STATE_ENV_VAR


def config(app: Any, host: str, port: int, log_level: str = "info") -> uvicorn.Config:
    # no X-Forwarded-For rewriting: the API trusts no proxy's idea of the client's address
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        proxy_headers=False,
        server_header=False,
        access_log=log_level == "debug",
    )


WORKERS_ENV = "ANDON_API_WORKERS"


def app_from_env() -> Any:
    """The app of one worker process (`--workers N`): settings from the ANDON_* variables
    the parent set; each worker takes its share of the per-token rate and burst, so a token
    gets the configured limit across all of them."""
    workers = max(1, int(os.environ.get(WORKERS_ENV, "1")))
    settings = ApiSettings.from_env()
    return create_app(
        settings.warehouse,
        settings.state,
        rate=settings.rate / workers,
        burst=max(1, settings.burst // workers),
        threads=settings.threads or max(1, (os.cpu_count() or 1) // workers),
    )


def serve(
    host: str,
    port: int,
    *,
    workers: int = 1,
    warehouse: str | os.PathLike[str] | None = None,
    **overrides: Any,
) -> None:
    """Serve the API; with several `workers`, one process each (uvicorn's supervisor)."""
    if workers <= 1:
        uvicorn.Server(config(create_app(warehouse, **overrides), host, port)).run()
        return
    settings = replace(ApiSettings.from_env(warehouse), **overrides).checked()
    os.environ.update(
        {
            ENV_VAR: str(settings.warehouse),
            STATE_ENV_VAR: str(settings.state),
            WORKERS_ENV: str(workers),
            **{
                f"ANDON_API_{name.upper()}": str(getattr(settings, name))
                for name in (
                    "rate",
                    "burst",
                    "max_rows",
                    "cache_entries",
                    "auth_cache_s",
                    "threads",
                )
            },
        }
    )
    from uvicorn.supervisors import Multiprocess

    chosen = uvicorn.Config(
        "app.api.server:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        server_header=False,
        access_log=False,
    )
    sock = chosen.bind_socket()
    # uvicorn's own socket has protocol 0, so asyncio never turns Nagle off on accepted
    # connections (40 ms per keep-alive response); accepted sockets inherit this on Linux
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(chosen, sockets=[sock]).run()


class Server:
    """A uvicorn server for `app` on host:port in a thread; `start` waits until it listens."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.server = uvicorn.Server(config(app, host, port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, name="andon-api", daemon=True)
        self.host = host
        self.port = port

    def start(self, timeout: float = 20.0) -> Server:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the API server did not start on {self.host}:{self.port}")
            time.sleep(0.02)
        sockets = [s for srv in self.server.servers for s in srv.sockets]
        self.port = sockets[0].getsockname()[1]
        return self

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
