"""Real source databases for the pull tests: one PostgreSQL and one MariaDB server per test
process (each pytest-xdist worker starts its own), started on first use, stopped at the end.

A server that cannot start fails the test that asked for it, with the reason (a missing
binary names its Debian package, a start-up failure shows the server's log) - it is never
skipped. Tests load their own copy of the sample factory into a fresh database with
`source_factory.load_slice(server, sample_warehouse, entities)`. A test that stops or
restarts a server uses `db_server(kind)` (a private server), never the shared one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.dbservers import SERVERS, MariaDBServer, PostgresServer, ServerError


def _started(kind: str) -> PostgresServer | MariaDBServer:
    cls = SERVERS[kind]
    reason = cls.unavailable()
    if reason:
        pytest.fail(reason, pytrace=False)
    server = cls()
    try:
        server.start()
    except ServerError as error:
        server.close()
        pytest.fail(str(error), pytrace=False)
    return server  # type: ignore[return-value]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """This process's PostgreSQL server (shared: never stop it; create databases freely)."""
    server = _started("postgresql")
    yield server  # type: ignore[misc]
    server.close()


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[MariaDBServer]:
    """This process's MariaDB server (shared: never stop it; create databases freely)."""
    server = _started("mariadb")
    yield server  # type: ignore[misc]
    server.close()


@pytest.fixture
def db_server() -> Iterator[Callable[[str], PostgresServer | MariaDBServer]]:
    """`db_server("postgresql" | "mariadb")`: a private server of the test's own (to stop,
    restart, break), closed and removed when the test ends."""
    started: list[PostgresServer | MariaDBServer] = []

    def make(kind: str) -> PostgresServer | MariaDBServer:
        started.append(_started(kind))
        return started[-1]

    yield make
    for server in started:
        server.close()


@pytest.fixture(scope="session")
def sample_warehouse(landed_warehouse) -> Path:  # noqa: ANN001 - tests/conftest.py fixture
    """The sample inbox ingested into a warehouse: what load_slice reads (read-only)."""
    return landed_warehouse[0]
