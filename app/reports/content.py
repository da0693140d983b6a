"""What a report shows for one slice and period: KPI cards with target status and the
section tables, queried once through the governed metrics layer and shared by every format.
Every query carries the copy's plant scope (app/reports/access.py `copy_scope`, narrowed to
the caller's): given, never defaulted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl
from sqlglot import exp

import metrics
from app.reports.definitions import Report, Section
from metrics.formatting import NULL, format_value, is_missing
from metrics.i18n import t
from metrics.periods import Period
from metrics.registry import Metric, load_registry
from metrics.scope import Scope, scoped_table
from metrics.status import status_key, target_status


@dataclass(frozen=True)
class Kpi:
    metric: Metric
    value: float | None
    previous: float | None
    status: str
    lang: str = "en"

    def text(self) -> str:
        return format_value(self.metric, self.value, lang=self.lang)

    def status_text(self) -> str:
        """The status in the report's language ("no data" for a target without a value)."""
        return t(status_key(self.metric, self.status), self.lang)

    def target_text(self) -> str:
        return format_value(self.metric, self.metric.target, lang=self.lang)

    def delta_text(self) -> str:
        if self.value is None or self.previous is None:
            return NULL
        return format_value(self.metric, self.value - self.previous, lang=self.lang, delta=True)


@dataclass(frozen=True)
class SectionData:
    section: Section
    title: str
    frame: pl.DataFrame  # display columns: labels, then period, then metric values
    metrics: tuple[Metric, ...]
    headers: dict[str, str]  # column -> header in the report's language
    category: str | None  # the column a chart puts on its axis
    lang: str = "en"


@dataclass(frozen=True)
class ReportContent:
    report: Report
    lang: str
    period: Period
    slice_key: str
    slice_label: str
    kpis: tuple[Kpi, ...]
    sections: tuple[SectionData, ...]
    generated_at: datetime

    @property
    def title(self) -> str:
        return self.report.title_in(self.lang)

    def subtitle(self) -> str:
        parts = [] if self.slice_key == "all" else [self.slice_label]
        period = f"{t('reporting_period', self.lang)}: {self.period.label(self.lang)}"
        return " · ".join([*parts, period])


def _number(value: object) -> float | None:
    if is_missing(value):
        return None
    return float(value)  # type: ignore[arg-type]


def _filters(report: Report, slice_key: str, extra: dict) -> dict[str, tuple[str, ...]]:
    where = dict(report.where)
    if report.burst_per and slice_key != "all":
        where[report.burst_per] = (slice_key,)
    where.update(extra)
    return where


def build_content(
    report: Report,
    slice_key: str,
    lang: str,
    period: Period,
    con: duckdb.DuckDBPyConnection,
    *,
    scope: Scope,
    generated_at: datetime | None = None,
) -> ReportContent:
    """Query the KPIs and sections of one report copy, reading only `scope`'s plants."""
    registry = load_registry()
    where = _filters(report, slice_key, {})
    slice_label = slice_key
    kpis: list[Kpi] = []
    if report.kpis:
        by = [report.burst_per] if report.burst_per and slice_key != "all" else []
        frame = metrics.query(
            list(report.kpis),
            by=by,
            where=where,
            start=period.start,
            end=period.end,
            compare="previous_period" if report.compare else None,
            lang=lang,
            con=con,
            scope=scope,
        )
        row = frame.row(0, named=True) if frame.height else {}
        if by and row.get(f"{by[0]}_label"):
            slice_label = str(row[f"{by[0]}_label"])
        for name in report.kpis:
            metric = registry.metric(name)
            value = _number(row.get(name))
            previous = _number(row.get(f"{name}_previous"))
            kpis.append(Kpi(metric, value, previous, target_status(metric, value), lang))
    if report.burst_per and slice_key != "all" and slice_label == slice_key:
        slice_label = _label_of(report.burst_per, slice_key, lang, con, scope)  # no KPI row
    sections = [
        _section(section, _filters(report, slice_key, section.where), lang, period, con, scope)
        for section in report.sections
    ]
    return ReportContent(
        report=report,
        lang=lang,
        period=period,
        slice_key=slice_key,
        slice_label=slice_label,
        kpis=tuple(kpis),
        sections=tuple(sections),
        generated_at=generated_at or datetime.now().replace(microsecond=0),
    )


def _label_of(dim: str, key: str, lang: str, con: duckdb.DuckDBPyConnection, scope: Scope) -> str:
    """The burst key's label in `lang`, read from its dimension table within `scope`."""
    dimension = load_registry().dimension(dim)
    if not dimension.table:
        return key
    column = dimension.label_columns.get(lang) or dimension.table_key
    query = (
        exp.select(exp.column(column))
        .from_(scoped_table(dimension.table, scope))
        .where(exp.column(dimension.table_key).eq(exp.Literal.string(key)))
        .limit(1)
    )
    rows = con.execute(query.sql(dialect="duckdb")).fetchall()
    return str(rows[0][0]) if rows else key


def _section(
    section: Section,
    where: dict,
    lang: str,
    period: Period,
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
) -> SectionData:
    registry = load_registry()
    frame = metrics.query(
        list(section.metrics),
        by=list(section.by),
        where=where,
        start=period.start,
        end=period.end,
        grain=section.grain,
        lang=lang,
        con=con,
        scope=scope,
    )
    columns: list[str] = []
    headers: dict[str, str] = {}
    for dim in section.by:
        dimension = registry.dimension(dim)
        label = f"{dim}_label" if f"{dim}_label" in frame.columns else dimension.key
        columns.append(label)
        headers[label] = dimension.label(lang)
    if section.grain:
        columns.append("period")
        headers["period"] = t("period", lang)
    metric_list = tuple(registry.metric(m) for m in section.metrics)
    for metric in metric_list:
        columns.append(metric.name)
        headers[metric.name] = metric.label(lang)
    if frame.height:
        frame = frame.sort([c for c in ("period", *columns[:1]) if c in frame.columns])
    category = "period" if section.grain else (columns[0] if section.by else None)
    return SectionData(
        section=section,
        title=section.title[lang],
        frame=frame.select(columns),
        metrics=metric_list,
        headers=headers,
        category=category,
        lang=lang,
    )
