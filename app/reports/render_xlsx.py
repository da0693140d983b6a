"""The XLSX copy: a KPI sheet and one sheet per section, with real numbers carrying number
formats (percent for ratios) so recipients can keep calculating, and frozen headers."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import xlsxwriter

from app.reports.content import ReportContent
from metrics.i18n import t
from metrics.registry import Metric

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def number_format(metric: Metric) -> str:
    decimals = int(metric.format.get("decimals", 2))
    fraction = "." + "0" * decimals if decimals else ""
    if metric.format.get("style") == "percent":
        return f"0{fraction}%"
    return f"#,##0{fraction}"


def _sheet_name(title: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", title).strip()[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:26]} {n}", n + 1
    used.add(name.lower())
    return name


def render_xlsx(content: ReportContent, path: Path) -> Path:
    lang = content.lang
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    header = book.add_format({"bold": True, "bg_color": "#EAEEF2", "border": 1})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    formats: dict[str, object] = {}

    def fmt(metric: Metric):  # noqa: ANN202 - an xlsxwriter Format
        key = number_format(metric)
        if key not in formats:
            formats[key] = book.add_format({"num_format": key})
        return formats[key]

    used: set[str] = set()
    if content.kpis:
        sheet = book.add_worksheet(_sheet_name(t("kpis", lang), used))
        heads = [
            t("metric_heading", lang),
            t("value", lang),
            t("target", lang),
            t("previous", lang),
            t("status", lang),
        ]
        sheet.write_row(0, 0, heads, header)
        for r, kpi in enumerate(content.kpis, start=1):
            sheet.write_string(r, 0, kpi.metric.label(lang))
            for c, value in ((1, kpi.value), (2, kpi.metric.target), (3, kpi.previous)):
                if value is None:
                    sheet.write_blank(r, c, None)
                else:
                    sheet.write_number(r, c, value, fmt(kpi.metric))
            sheet.write_string(r, 4, kpi.status_text())
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 4, 14)
        sheet.freeze_panes(1, 0)
    for section in content.sections:
        sheet = book.add_worksheet(_sheet_name(section.title, used))
        columns = section.frame.columns
        sheet.write_row(0, 0, [section.headers.get(c, c) for c in columns], header)
        metric_of = {m.name: m for m in section.metrics}
        for r, row in enumerate(section.frame.iter_rows(), start=1):
            for c, (column, value) in enumerate(zip(columns, row, strict=True)):
                if value is None:
                    sheet.write_blank(r, c, None)
                elif column in metric_of:
                    sheet.write_number(r, c, float(value), fmt(metric_of[column]))
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, value, date_format)
                else:
                    sheet.write(r, c, value)
        sheet.set_column(0, max(len(columns) - 1, 0), 16)
        sheet.freeze_panes(1, 0)
        if section.frame.height:
            sheet.autofilter(0, 0, section.frame.height, len(columns) - 1)
    book.close()
    return path
