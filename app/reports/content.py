"""What a report shows for one slice and period: KPI cards with target status and the
section tables, queried once through the governed metrics layer and shared by every format.
Every query carries the copy's plant scope (app/reports/access.py `copy_scope`, narrowed to
the caller's): given, never defaulted.

The words are in the copy's language, dates in that language's format, and the time it was
generated in its plant's time zone (a copy of several plants: the report schedule's). Names
of plants, lines … come from the warehouse in that language, English where the warehouse
has no column for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import get_args

import duckdb
import polars as pl
from sqlglot import exp

import metrics
from app.reports.audience import only_plant, read_plants
from app.reports.definitions import Report, Section
from app.reports.messages import period_text
from metrics.formatting import NULL, format_datetime, format_value, is_missing
from metrics.i18n import DEFAULT_LANG, t
from metrics.periods import Period
from metrics.registry import Lang as LabelLang
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
    generated_at: datetime  # aware (UTC); shown in `timezone`
    timezone: str = "UTC"  # the plant's (a copy of one plant), else the schedule's
    plants: tuple[str, ...] | None = None  # the plants the copy shows; None: every plant

    @property
    def title(self) -> str:
        return self.report.title.get(self.lang) or self.report.title[DEFAULT_LANG]

    def period_text(self) -> str:
        """The period in the reader's date format, e.g. "2026年10月6日"."""
        return period_text(self.period.start, self.period.last_day, self.lang)

    def place(self) -> str:
        """What the copy is about ("苏州工厂"); "" for a copy of the whole report."""
        return "" if self.slice_key == "all" else self.slice_label

    def place_label(self) -> str:
        """What the place is ("工厂"): the label of the dimension the report is split by."""
        dim = self.report.burst_per
        return load_registry().dimension(dim).label(self.lang) if dim else ""

    def subtitle(self) -> str:
        parts = [self.place()] if self.place() else []
        period = t(
            "fact", self.lang, label=t("reporting_period", self.lang), value=self.period_text()
        )
        return " · ".join([*parts, period])

    def generated_text(self) -> str:
        """ "Generated 7 Oct 2026 07:30 (Asia/Shanghai)" in the reader's format and the
        plant's time zone."""
        when = format_datetime(self.generated_at, self.lang, self.timezone)
        return t("generated_at", self.lang, when=when, zone=self.timezone)

    @property
    def plant_text(self) -> str:
        """The copy's plants as the summary CSV names them: ids, or "all"."""
        return ",".join(self.plants) if self.plants is not None else "all"


def label_lang(lang: str) -> str:
    """The language the warehouse has names in for `lang`: itself when every dimension
    table has a label column for it, else English."""
    if lang not in get_args(LabelLang):
        return DEFAULT_LANG
    dimensions = load_registry().dimensions.values()
    if all(lang in d.label_columns for d in dimensions if d.table):
        return lang
    return DEFAULT_LANG


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
    names = label_lang(lang)
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
            lang=names,
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
        slice_label = _label_of(report.burst_per, slice_key, names, con, scope)  # no KPI row
    sections = [
        _section(section, _filters(report, slice_key, section.where), lang, period, con, scope)
        for section in report.sections
    ]
    plant = only_plant(scope.plants, read_plants(con, scope))
    moment = generated_at or datetime.now(UTC).replace(microsecond=0)
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive time is the machine's local time
    return ReportContent(
        report=report,
        lang=lang,
        period=period,
        slice_key=slice_key,
        slice_label=slice_label,
        kpis=tuple(kpis),
        sections=tuple(sections),
        generated_at=moment.astimezone(UTC),
        timezone=(plant.zone if plant else None) or report.timezone,
        plants=scope.sorted() if scope.plants is not None else None,
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
        lang=label_lang(lang),
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
        title=section.title.get(lang) or section.title[DEFAULT_LANG],
        frame=frame.select(columns),
        metrics=metric_list,
        headers=headers,
        category=category,
        lang=lang,
    )
