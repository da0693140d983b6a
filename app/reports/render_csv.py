"""The CSV copies: a KPI summary (one row per KPI, machine-readable columns) and one file per
section, with raw numbers (ratios as fractions, quantities as integers: 1234, not 1234.0),
UTF-8 with a byte-order mark so Excel opens Chinese and Vietnamese labels correctly."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import polars as pl

from app.reports.content import ReportContent, SectionData
from metrics.registry import Metric

_UNSAFE = re.compile(r"[^\w\-]+")
BOM = b"\xef\xbb\xbf"
# The summary's columns: fixed names (a program reads them), values as the report has them.
SUMMARY_COLUMNS = ("metric", "label", "value", "unit", "target", "status", "plant", "period")


def is_whole(metric: Metric) -> bool:
    """A metric shown without decimals that is not a ratio: a count or a quantity."""
    return int(metric.format.get("decimals", 2)) == 0 and metric.format.get("style") != "percent"


def _whole(column: pl.Series) -> pl.Series:
    """Integral values as Int64 (1234 rather than 1234.0); a column with a fraction in it
    keeps its decimals."""
    if not column.dtype.is_float():
        return column
    values = column.drop_nulls()
    if values.len() and not (values == values.round(0)).all():
        return column
    return column.round(0).cast(pl.Int64)


def csv_number(metric: Metric, value: float | None) -> str:
    """A value as the CSV writes it: empty for none, whole quantities as integers ("1234"),
    other values as the shortest text that reads back the same number ("0.5375")."""
    if value is None:
        return ""
    if is_whole(metric) and float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def summary_rows(content: ReportContent) -> list[list[str]]:
    """The summary as rows of text, header first: per KPI its metric name, label (in the
    copy's language), value, unit, target, status (green / amber / red / none), the copy's
    plants and the period key."""
    rows = [list(SUMMARY_COLUMNS)]
    for kpi in content.kpis:
        rows.append(
            [
                kpi.metric.name,
                kpi.metric.label(content.lang),
                csv_number(kpi.metric, kpi.value),
                kpi.metric.unit,
                csv_number(kpi.metric, kpi.metric.target),
                kpi.status,
                content.plant_text,
                content.period.key,
            ]
        )
    return rows


def section_frame(section: SectionData) -> pl.DataFrame:
    """The section's rows with headers in the copy's language and whole quantities as
    integers."""
    whole = {m.name for m in section.metrics if is_whole(m)}
    frame = section.frame.with_columns(
        [_whole(section.frame[name]) for name in section.frame.columns if name in whole]
    )
    return frame.rename({c: section.headers.get(c, c) for c in frame.columns})


def _write(frame: pl.DataFrame, path: Path) -> Path:
    path.write_bytes(BOM + frame.write_csv().encode("utf-8"))
    return path


def _write_rows(rows: list[list[str]], path: Path) -> Path:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    path.write_bytes(BOM + text.getvalue().encode("utf-8"))
    return path


def render_csv(content: ReportContent, folder: Path, stem: str) -> list[Path]:
    """The summary (when the report has KPIs) first, then one file per section."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    if content.kpis:
        paths.append(_write_rows(summary_rows(content), folder / f"{stem}_00_kpi_summary.csv"))
    for index, section in enumerate(content.sections, start=1):
        name = _UNSAFE.sub("_", section.section.title["en"]).strip("_").lower() or "section"
        paths.append(_write(section_frame(section), folder / f"{stem}_{index:02d}_{name}.csv"))
    return paths
