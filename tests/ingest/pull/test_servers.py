"""The pull tests' own machinery: real servers start, authenticate by password, survive a
restart, and hold the sample factory in source-shaped tables with the right rows."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import connectorx as cx
import pymysql
import pytest

from ingest.contracts import load_contracts
from ingest.sources import load_sources
from tests.dbservers import MariaDBServer, PostgresServer
from tests.ingest.pull.source_factory import (
    ENTITIES,
    TABLES,
    UPDATED_MARK,
    combined_sources,
    load_slice,
)

MES = [e for e in ENTITIES if load_contracts()[e].system == "mes"]
ERP_WMS = [e for e in ENTITIES if load_contracts()[e].system in ("erp", "wms")]


@pytest.fixture(scope="module")
def mes_slice(postgres_server, sample_warehouse):  # noqa: ANN001, ANN201
    return load_slice(postgres_server, sample_warehouse, MES)


@pytest.fixture(scope="module")
def erp_wms_slice(mariadb_server, sample_warehouse):  # noqa: ANN001, ANN201
    return load_slice(mariadb_server, sample_warehouse, ERP_WMS)


def test_postgres_password_auth(postgres_server: PostgresServer) -> None:
    import psycopg

    with postgres_server.connect() as con:
        assert con.execute("select current_user").fetchone() == ("andon",)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(
            host=postgres_server.host,
            port=postgres_server.port,
            user=postgres_server.user,
            password="wrong",
            dbname=postgres_server.database,
        )
    assert cx.read_sql(postgres_server.url(), "select 1 as x", return_type="arrow").num_rows == 1


def test_mariadb_password_auth(mariadb_server: MariaDBServer) -> None:
    assert mariadb_server.execute("select current_user()")[0][0] == "andon@127.0.0.1"
    with pytest.raises(pymysql.err.OperationalError) as refused:
        pymysql.connect(
            host=mariadb_server.host,
            port=mariadb_server.port,
            user=mariadb_server.user,
            password="wrong",
            database=mariadb_server.database,
        )
    assert refused.value.args[0] == 1045  # access denied
    assert cx.read_sql(mariadb_server.url(), "select 1 as x", return_type="arrow").num_rows == 1


@pytest.mark.parametrize("kind", ["postgresql", "mariadb"])
def test_restart_keeps_data(db_server, kind: str) -> None:  # noqa: ANN001
    server = db_server(kind)
    server.execute("create table kept (x int)")
    server.execute("insert into kept values (1), (2), (3)")
    port, data = server.port, server.dir
    server.stop()
    assert not server.running
    with pytest.raises(Exception):  # noqa: B017 - psycopg or pymysql: nobody listens
        server.connect()
    server.start()
    assert (server.port, server.dir) == (port, data)
    assert server.execute("select count(*) from kept")[0][0] == 3
    server.close()
    assert data is not None and not data.exists()


def test_missing_binaries_name_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANDON_TEST_PG_BINDIR", "/nonexistent/bin")
    assert "postgresql-15" in (PostgresServer.unavailable() or "")
    monkeypatch.setattr(MariaDBServer, "_binaries", classmethod(lambda cls: {"mariadbd": None}))
    reason = MariaDBServer.unavailable() or ""
    assert "mariadbd not found" in reason and "mariadb-server" in reason


def _distinct_keys(warehouse: Path, entity: str) -> int:
    """Independently of the factory: how many distinct keys landed in raw.<entity>."""
    from warehouse.connections import connect_read

    key = ", ".join(load_contracts()[entity].key)
    con = connect_read(warehouse)
    try:
        return con.execute(
            f"select count(*) from (select distinct {key} from raw.{entity})"
        ).fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("which", ["mes_slice", "erp_wms_slice"])
def test_slice_holds_one_row_per_landed_key(request, sample_warehouse: Path, which: str) -> None:  # noqa: ANN001
    loaded = request.getfixturevalue(which)
    for entity in loaded.entities:
        assert loaded.counts[entity] == _distinct_keys(sample_warehouse, entity), entity
    assert loaded.seconds < 20
    # the source's own column names, not Andon's
    con = loaded.connect(loaded.entities[0])
    try:
        cur = con.cursor()
        table = TABLES[loaded.entities[0]]
        cur.execute(f"select * from {loaded.qualified(loaded.entities[0])} where 1 = 0")
        names = [d[0] for d in cur.description]
    finally:
        con.close()
    assert names == ["id", *(s for s, _ in table.columns), "updated_at"]


@pytest.mark.parametrize("which", ["mes_slice", "erp_wms_slice"])
def test_sources_dict_is_a_valid_sources_yaml(
    request,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    which: str,  # noqa: ANN001
) -> None:
    loaded = request.getfixturevalue(which)
    monkeypatch.setenv(loaded.password_env, loaded.server.password)
    sources = load_sources(loaded.write_sources(tmp_path / "sources.yaml"))
    pulls = {e: p for s in sources.databases for e, p in s.entities.items()}
    assert sorted(pulls) == sorted(loaded.entities)
    assert any(p.query for p in pulls.values()) == (which == "erp_wms_slice")
    assert all(p.watermark is None for e, p in pulls.items() if TABLES[e].watermark is None)
    for source in sources.databases:
        entity = next(iter(source.entities))
        pull = source.entities[entity]
        sql = pull.query or f"select * from {pull.table}"
        rows = cx.read_sql(source.url(), sql, return_type="arrow").num_rows
        assert rows == loaded.counts[entity]


def test_combined_sources(mes_slice, erp_wms_slice, tmp_path: Path) -> None:  # noqa: ANN001
    import yaml

    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(combined_sources(mes_slice, erp_wms_slice)))
    sources = load_sources(path)
    assert sorted(sources.sources) == ["erp_db", "mes_db", "wms_db"]
    assert sorted(e for s in sources.databases for e in s.entities) == sorted(ENTITIES)


def test_changes(postgres_server: PostgresServer, mariadb_server, sample_warehouse: Path) -> None:  # noqa: ANN001
    cases = [
        (postgres_server, "equipment_states", "state"),
        (mariadb_server, "sales_order_lines", "customer_id"),
    ]
    for server, entity, renamed in cases:
        loaded = load_slice(server, sample_warehouse, [entity])
        rows, top = loaded.count(entity), loaded.max_updated_at(entity)
        assert loaded.insert_rows(entity, 5) == 5
        assert loaded.count(entity) == rows + 5
        assert loaded.max_updated_at(entity) == top + timedelta(minutes=1)
        keys = loaded.update_rows(entity, 2)
        assert loaded.max_updated_at(entity) == top + timedelta(minutes=2)
        late = loaded.update_rows(entity, 1, age=timedelta(hours=1), newest=True)
        assert loaded.max_updated_at(entity) == top + timedelta(minutes=2)  # moved back
        assert loaded.count(entity) == rows + 5  # updates add no rows
        contract = load_contracts()[entity]
        at = [contract.names.index(k) for k in contract.key]
        current = {tuple(r[i] for i in at): r for r in loaded.rows(entity)}
        assert set(keys + late) <= set(current) and len(set(keys + late)) == 3
        if entity == "equipment_states":  # reason_text got the mark
            texts = [current[k][contract.names.index("reason_text")] for k in keys + late]
            assert all(t.endswith(UPDATED_MARK) for t in texts)
        assert loaded.rename_column(entity, renamed, "renamed") in ("kunnr", "state_cd")
        with pytest.raises(Exception):  # noqa: B017 - the mapped column is gone
            loaded.rows(entity)
