"""The API's request and response models: they validate what comes in and make the OpenAPI
document (/api/v1/openapi.json) describe every answer.

Names come in every language of metrics.i18n.LANGS as flat `label_<lang>` fields (label_en,
label_zh, label_vi), so CSV, Excel and Parquet answers hold them as columns too."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from metrics.i18n import LANGS

Lang = Literal[LANGS]  # type: ignore[valid-type]
VI_VALUES = "The Vietnamese name: the English one where the warehouse has none."


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Column(Model):
    name: str
    type: str = Field(description="The Polars type of the column, e.g. Float64, String, Date.")


class Table(Model):
    """Every tabular answer in JSON: its columns, its rows (one object per row) and their count;
    the same rows come as CSV, XLSX, Parquet or Arrow IPC with `format=`."""

    build_id: str = Field(description="The published build that answered (also X-Andon-Build).")
    columns: list[Column]
    row_count: int


class MetricFormat(Model):
    style: Literal["percent", "number"] | str
    decimals: int | None = None


class MetricInfo(Model):
    name: str = Field(examples=["oee"])
    area: str
    label_en: str = Field(examples=["OEE"])
    label_zh: str = Field(examples=["设备综合效率"])
    label_vi: str = Field(examples=["Hiệu suất thiết bị tổng thể (OEE)"])
    description: str
    unit: str
    format: MetricFormat
    direction: str = Field(examples=["higher_is_better"])
    target: float | None
    amber_band: float | None = Field(
        description="How far on the wrong side of the target a value is amber rather than red, "
        "in the metric's units (0.02 of a percent metric = 2 percentage points): the "
        "registry's amber_band, else 2 % of |target|; null without a target.",
        examples=[0.02],
    )
    owner: str = Field(description="The role that owns the metric (contacts.yaml).")
    dimensions: list[str] = Field(description="What it may be grouped (`by`) and filtered by.")
    required_dimensions: list[str]
    formula: str


class CatalogueRow(Model):
    model_config = ConfigDict(extra="allow")
    name: str
    label_en: str
    label_zh: str
    label_vi: str
    unit: str
    target: float | None
    amber_band: float | None
    owner: str
    dimensions: list[str]


class Catalogue(Table):
    metrics: list[CatalogueRow] = Field(
        description="One row per metric (JSON: dimensions as a list; CSV/XLSX: as text)."
    )


class DimensionInfo(Model):
    name: str = Field(examples=["line"])
    label_en: str
    label_zh: str
    label_vi: str = Field(examples=["Dây chuyền"])
    key: str = Field(description="The key column in query answers, e.g. line_id.")
    metrics: list[str] = Field(description="The metrics that allow it.")


class Grain(Model):
    name: str
    label_en: str
    label_zh: str
    label_vi: str


class DimensionList(Table):
    grains: list[Grain]
    dimensions: list[DimensionInfo]


class DimensionValue(Model):
    model_config = ConfigDict(extra="allow")  # the keys of the dimensions above it (plant)
    key: str = Field(examples=["SZ-SMT1"])
    label_en: str
    label_zh: str
    label_vi: str = Field(description=VI_VALUES)


class DimensionValues(Table):
    dimension: str
    scope: str | list[str] = Field(description="The token's plants ('all' for every plant).")
    values: list[DimensionValue]


class QueryRequest(Model):
    """The same request as `metrics.query` (POST body; GET takes the same as parameters)."""

    metrics: list[str] = Field(min_length=1, examples=[["oee", "availability"]])
    by: list[str] = Field(default_factory=list, examples=[["line"]])
    where: dict[str, str | list[str]] = Field(
        default_factory=dict, examples=[{"plant": ["SZ"]}], description="{dimension: key(s)}"
    )
    from_: date | None = Field(default=None, alias="from", description="First day included.")
    to: date | None = Field(default=None, description="First day excluded.")
    grain: Literal["day", "week", "month", "quarter", "year"] | None = None
    compare: Literal["previous_period", "previous", "same_period_last_year", "last_year"] | None = (
        None
    )
    lang: Lang = Field(default="en", description="The language of the labels.")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class QueryEcho(Model):
    metrics: list[str]
    by: list[str]
    where: dict[str, list[str]]
    from_: str | None = Field(alias="from")
    to: str | None
    grain: str | None
    compare: str | None
    lang: str


class QueryResponse(Table):
    request: QueryEcho = Field(description="The request as normalised (what the ETag covers).")
    scope: str | list[str]
    rows: list[dict[str, Any]] = Field(
        description="period, then <key> and <dimension>_label per dimension, then one column "
        "per metric (and <metric>_previous/_last_year, <metric>_delta with compare)."
    )


class AskResponse(Model):
    model_config = ConfigDict(extra="allow")
    question: str
    lang: str
    as_of: str | None
    answered: bool = Field(description="False when the answer is a question back.")
    interpretation: dict[str, Any] | None
    summary: str
    sql: str | None
    confidence: float
    clarification: str | None
    candidates: list[str]
    chart: dict[str, Any] | None
    build_id: str
    scope: str | list[str]
    columns: list[Column] | None = None
    rows: list[dict[str, Any]] | None = None
    row_count: int | None = None


class BuildInfo(Model):
    model_config = ConfigDict(extra="allow")
    build_id: str
    started_at: str | None
    finished_at: str | None
    status: str | None


class Health(Model):
    status: Literal["ok"]
    build_id: str
    as_of: str = Field(description="The warehouse's as-of date ('today' of its data).")
    freshness: Literal["pass", "warn", "error"] = Field(
        description="The worst source freshness status of the build."
    )
    last_build: BuildInfo | None
    grains: list[str]


class SourceFreshness(Model):
    model_config = ConfigDict(extra="allow")
    source: str
    entity: str
    status: str
    max_loaded_at: str | None
    age_hours: float | None


class Freshness(Table):
    as_of: str
    sources: list[SourceFreshness]


class Alert(Model):
    model_config = ConfigDict(extra="allow")
    rule: str
    entity: str
    status: str
    period: str | None
    value: float | None
    message: str | None
    plant: str | None
    token: str = Field(description="The ack token: POST /api/v1/alerts/{token}/ack.")
    opened_at: str
    level: int
    acked_at: str | None
    acked_by: str | None


class AlertList(Table):
    scope: str | list[str]
    alerts: list[Alert]


class AckRequest(Model):
    by: str | None = Field(
        default=None, description="Who acknowledged, when not the token's user (free text)."
    )


class TokenInfo(Model):
    id: str
    user: str
    name: str
    created_at: str
    created_by: str
    expires_at: str | None
    last_used_at: str | None
    revoked_at: str | None
    revoked_by: str | None


class TokenList(Model):
    tokens: list[TokenInfo]


class NewTokenRequest(Model):
    name: str = Field(min_length=1, max_length=100, examples=["MES dashboard"])
    expires_days: int | None = Field(default=None, ge=1, description="Default: never.")


class NewTokenResponse(TokenInfo):
    token: str = Field(description="The token itself: shown in this answer only.")
