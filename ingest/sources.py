"""Source systems as configuration (`sources.yaml`): which databases and inboxes feed Andon.

Each source names its kind (a database dialect or the file inbox), how to connect (secrets
only through environment variables: a password or a whole URL is never written in the file),
its own cron, and per contract entity either a table/view or a SELECT, the column mapping to
the contract and the watermark that makes pulls incremental. The file is validated as
`SourcesFile`: unknown keys, unknown entities and renames to columns a contract lacks are
refused with the file, the key and the line. sources.schema.json beside this module is
exported from the model (`SCHEMA`).

    sources:
      mes_db:
        kind: postgresql
        connection: {host: mes-db, port: 5432, database: mes, user: andon,
                     password_env: ANDON_MES_DB_PASSWORD}
        schedule: "*/15 * * * *"
        entities:
          equipment_states:
            table: public.machine_state_log
            columns: {machine_no: equipment_id, t_start: start_ts, t_end: end_ts}
            watermark: {column: updated_at, lookback: 2h}
      plant_inbox:
        kind: files
        inbox: /srv/andon/inbox
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from croniter import croniter
from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from ingest.contracts import Contract
from ingest.mapping import normalize
from warehouse.config import (
    ConfigError,
    NonEmptyStr,
    Problems,
    SchemaFile,
    StrictModel,
    load_model,
)

ENV_VAR = "ANDON_SOURCES"
DEFAULT_NAME = "sources.yaml"
DATABASE_KINDS = ("postgresql", "mysql", "mariadb", "sqlserver", "oracle", "sqlite")
KINDS = (*DATABASE_KINDS, "files")
# sqlglot dialect and the URL scheme ConnectorX reads, per kind.
DIALECTS = {
    "postgresql": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlserver": "tsql",
    "oracle": "oracle",
    "sqlite": "sqlite",
}
SCHEMES = {
    "postgresql": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlserver": "mssql",
    "oracle": "oracle",
}
DEFAULT_PORTS = {
    "postgresql": 5432,
    "mysql": 3306,
    "mariadb": 3306,
    "sqlserver": 1433,
    "oracle": 1521,
}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)


def parse_duration(text: str) -> timedelta:
    """'90s', '15m', '2h', '3d' → a timedelta."""
    found = _DURATION.match(str(text))
    if not found:
        raise ValueError(f"{text!r} is not a duration (a number and s, m, h or d: '2h', '30m')")
    return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


class Connection(StrictModel):
    """How to reach a database. Secrets come from environment variables only."""

    url_env: Annotated[str, Field(pattern=_ENV_NAME)] | None = Field(
        None, description="Environment variable holding the whole connection URL."
    )
    host: NonEmptyStr | None = None
    port: Annotated[int, Field(gt=0, lt=65536)] | None = None
    database: NonEmptyStr | None = Field(None, description="Database name (sqlite: the file).")
    user: NonEmptyStr | None = None
    password_env: Annotated[str, Field(pattern=_ENV_NAME)] | None = Field(
        None, description="Environment variable holding the password."
    )
    options: dict[NonEmptyStr, NonEmptyStr] = Field(
        default_factory=dict, description="Extra URL query options (e.g. sslmode: require)."
    )

    @model_validator(mode="before")
    @classmethod
    def _no_secrets_here(cls, data: object) -> object:
        if isinstance(data, dict):
            for key, instead in (("password", "password_env"), ("url", "url_env")):
                if key in data:
                    raise ValueError(
                        f"{key} is never written in sources.yaml: put it in an environment"
                        f" variable and name that variable in {instead}"
                    )
        return data

    @model_validator(mode="after")
    def _one_way(self) -> Connection:
        if self.url_env and (self.host or self.database or self.user or self.password_env):
            raise ValueError("give either url_env or host/port/database/user/password_env")
        if not self.url_env and not self.database:
            raise ValueError("give url_env, or at least database (and host, user, password_env)")
        return self


class Watermark(StrictModel):
    """What makes a pull incremental: the rows whose column is past the last pull's highest
    value less the look-back (late updates inside the look-back are read again)."""

    column: NonEmptyStr = Field(description="Source column: an updated-at time or a rising id.")
    type: Literal["timestamp", "id"] = "timestamp"
    lookback: str | int = Field(
        0,
        description="How far before the last high mark to read again: a duration for a "
        "timestamp ('2h', '30m', '1d'), a count for an id (1000).",
    )

    @model_validator(mode="after")
    def _lookback_fits(self) -> Watermark:
        if self.type == "id":
            if isinstance(self.lookback, str) and not self.lookback.strip().isdigit():
                raise ValueError("an id watermark's lookback is a whole number of ids")
        elif not (isinstance(self.lookback, int) and self.lookback == 0):
            parse_duration(str(self.lookback))
        return self

    @property
    def lookback_value(self) -> timedelta | int:
        if self.type == "id":
            return int(self.lookback)
        if isinstance(self.lookback, int):
            return timedelta(0)
        return parse_duration(self.lookback)


class EntityPull(StrictModel):
    """One contract entity read from a database: a table/view or a SELECT."""

    table: NonEmptyStr | None = Field(None, description="Table or view, optionally schema.table.")
    query: NonEmptyStr | None = Field(None, description="A SELECT returning the entity's rows.")
    columns: dict[NonEmptyStr, NonEmptyStr] = Field(
        default_factory=dict,
        description="Source column → contract column; a source column already named like a "
        "contract column needs no entry.",
    )
    watermark: Watermark | None = Field(
        None, description="Without one every pull reads the whole table (fine for master data)."
    )

    @model_validator(mode="after")
    def _table_or_query(self) -> EntityPull:
        if (self.table is None) == (self.query is None):
            raise ValueError("give exactly one of table or query")
        targets = list(self.columns.values())
        twice = sorted({t for t in targets if targets.count(t) > 1})
        if twice:
            raise ValueError(f"several source columns map to {', '.join(twice)}")
        return self

    @property
    def renames(self) -> dict[str, str]:
        """Normalized source column → contract column."""
        return {normalize(source): target for source, target in self.columns.items()}


class Source(StrictModel):
    """One source system: a database Andon pulls from, or a file inbox."""

    kind: Literal[KINDS]  # type: ignore[valid-type]
    description: str = ""
    connection: Connection | None = None
    inbox: Path | None = Field(None, description="kind files: the inbox folder.")
    watch: bool = Field(
        True, description="kind files: land new files as they arrive (checked every few seconds)."
    )
    schedule: NonEmptyStr | None = Field(
        None, description="Cron expression of the pulls, e.g. '*/15 * * * *' (MES every 15 min)."
    )
    timezone: NonEmptyStr = Field("UTC", description="Time zone the cron is read in.")
    timeout_s: Annotated[int, Field(gt=0)] = Field(
        600, description="A pull of one entity that takes longer fails (its data is kept)."
    )
    entities: dict[NonEmptyStr, EntityPull] = Field(default_factory=dict)
    _name: str = PrivateAttr("")

    @property
    def name(self) -> str:
        return self._name

    @property
    def is_database(self) -> bool:
        return self.kind != "files"

    @property
    def dialect(self) -> str:
        return DIALECTS[self.kind]

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None and not croniter.is_valid(value):
            raise ValueError(f"{value!r} is not a cron expression (e.g. '*/15 * * * *')")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Shanghai)") from None
        return value

    @model_validator(mode="after")
    def _fits_kind(self, info: ValidationInfo) -> Source:
        problems = Problems()
        if self.kind == "files":
            if self.inbox is None:
                problems.add(("inbox",), "a files source needs its inbox folder")
            for key in ("connection", "entities"):
                if getattr(self, key):
                    problems.add((key,), f"a files source has no {key}")
        else:
            if self.connection is None:
                problems.add(("connection",), f"a {self.kind} source needs its connection")
            if self.inbox is not None:
                problems.add(("inbox",), "only a files source has an inbox")
            if not self.entities:
                problems.add(("entities",), "name at least one entity to pull")
        contracts: dict[str, Contract] = (info.context or {}).get("contracts") or {}
        for entity, pull in self.entities.items():
            contract = contracts.get(entity)
            if contract is None and contracts:
                problems.add(
                    ("entities", entity),
                    f"unknown entity {entity!r}; entities are {', '.join(sorted(contracts))}",
                )
                continue
            for source, target in pull.columns.items():
                if contract is not None and target not in contract.names:
                    problems.add(
                        ("entities", entity, "columns", source),
                        f"{target} is not a column of {contract.system}/{entity};"
                        f" columns are {', '.join(contract.names)}",
                    )
        problems.check("Source")
        return self

    def url(self) -> str:
        """The connection URL with the secret filled in from the environment (never logged:
        messages use `redacted()`). Raises ConfigError naming a missing variable."""
        conn = self.connection
        assert conn is not None
        if conn.url_env:
            return _env(conn.url_env, self.name)
        if self.kind == "sqlite":
            return f"sqlite://{Path(conn.database).expanduser().resolve()}"  # type: ignore[arg-type]
        password = _env(conn.password_env, self.name) if conn.password_env else ""
        user = quote(conn.user or "", safe="")
        auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
        host = conn.host or "localhost"
        port = conn.port or DEFAULT_PORTS[self.kind]
        query = "&".join(f"{quote(k)}={quote(v)}" for k, v in conn.options.items())
        database = quote(conn.database or "", safe="")
        return f"{SCHEMES[self.kind]}://{auth}{host}:{port}/{database}" + (
            f"?{query}" if query else ""
        )

    def redacted(self) -> str:
        """Where the source is, for messages: no user name's password, no URL secrets."""
        conn = self.connection
        if conn is None:
            return str(self.inbox)
        if conn.url_env:
            return f"{self.kind} (URL from ${conn.url_env})"
        if self.kind == "sqlite":
            return f"sqlite {conn.database}"
        port = conn.port or DEFAULT_PORTS[self.kind]
        user = f"{conn.user}@" if conn.user else ""
        user = f"{conn.user}@" if conn.user else ""
        return f"{self.kind} {user}{conn.host or 'localhost'}:{port}/{conn.database}"

    def scrub(self, text: str) -> str:
        """The text without any secret of this source or any connection URL (a driver may
        echo its URL): every message about a source goes through here."""
        for secret in sorted(self.secrets(), key=len, reverse=True):
            text = text.replace(secret, "***")
        try:
            url = self.url() if self.connection is not None else ""
        except ConfigError:
            url = ""
        if url:
            text = text.replace(url, self.redacted())
        return _URL.sub("<connection URL>", text)

    def secrets(self) -> list[str]:
        """Every secret value this source uses, to scrub from any message."""
        conn = self.connection
        if conn is None:
            return []
        found = []
        for var in (conn.url_env, conn.password_env):
            value = os.environ.get(var or "")
            if value:
                found += [value, quote(value, safe="")]
        return [s for s in found if len(s) >= 3]


def _env(var: str, source: str) -> str:
    value = os.environ.get(var)
    if not value:
        raise ConfigError(
            DEFAULT_NAME,
            [(f"sources.{source}.connection", None, f"environment variable {var} is not set")],
        )
    return value


class SourcesFile(StrictModel):
    """Every source system Andon reads, by name."""

    sources: dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")], Source] = Field(
        default_factory=dict
    )
    _path: Path | None = PrivateAttr(None)

    @property
    def path(self) -> Path | None:
        return self._path

    @model_validator(mode="after")
    def _one_source_per_entity(self) -> SourcesFile:
        problems = Problems()
        owner: dict[str, str] = {}
        for name, source in self.sources.items():
            source._name = name
            for entity in source.entities:
                if entity in owner:
                    problems.add(
                        ("sources", name, "entities", entity),
                        f"{entity} is already pulled by source {owner[entity]!r}",
                    )
                owner[entity] = name
        problems.check("SourcesFile")
        return self

    @property
    def databases(self) -> list[Source]:
        return [s for s in self.sources.values() if s.is_database]

    @property
    def inboxes(self) -> list[Source]:
        return [s for s in self.sources.values() if not s.is_database]

    def get(self, name: str) -> Source:
        try:
            return self.sources[name]
        except KeyError:
            known = ", ".join(self.sources) or "none"
            raise KeyError(f"no source {name!r} in {self.path} (sources: {known})") from None


SCHEMA = SchemaFile(
    SourcesFile, "Andon source systems", Path(__file__).with_name("sources.schema.json")
)


def sources_path(override: str | os.PathLike[str] | None = None) -> Path:
    """The sources file: an explicit path, else $ANDON_SOURCES, else ./sources.yaml."""
    chosen = override or os.environ.get(ENV_VAR) or DEFAULT_NAME
    return Path(chosen).expanduser().resolve()


def load_sources(path: Path, contracts: dict[str, Contract] | None = None) -> SourcesFile:
    """Read and validate a sources file (ConfigError naming file, key and line)."""
    from ingest.contracts import load_contracts

    loaded = load_model(
        Path(path), SourcesFile, context={"contracts": contracts or load_contracts()}
    )
    loaded._path = Path(path)
    for name, source in loaded.sources.items():
        source._name = name
    return loaded
