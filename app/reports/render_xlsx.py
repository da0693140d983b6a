"""The XLSX copy: a KPI sheet and one sheet per section, with real numbers carrying number
formats (percent for ratios, whole quantities without decimals) so recipients can keep
calculating. Every sheet opens with what it is — the report's title, the plant, the period
and when it was generated (in the plant's time zone) — above a frozen, filtered table whose
columns are as wide as their longest text (Chinese characters count double). The workbook's
properties say the same: title, subject, creator and created time."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from app.reports.content import ReportContent
from metrics.formatting import NULL, format_value
from metrics.i18n import t
from metrics.registry import Metric

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
CREATOR = "Andon"
MIN_WIDTH, MAX_WIDTH, PADDING = 8, 60, 2
SHEET_NAME_MAX = 31  # Excel's limit


def number_format(metric: Metric) -> str:
    decimals = int(metric.format.get("decimals", 2))
    fraction = "." + "0" * decimals if decimals else ""
    if metric.format.get("style") == "percent":
        return f"0{fraction}%"
    return f"#,##0{fraction}"


def display_width(text: str) -> int:
    """Columns `text` takes in a spreadsheet cell: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


def _sheet_name(title: str, used: set[str]) -> str:
    """The title as a sheet name: Excel's 31 characters at most, without the characters it
    refuses; a name already used gets " 2", " 3" …"""
    base = _BAD_SHEET_CHARS.sub(" ", title).strip() or "Sheet"
    name, n = base[:SHEET_NAME_MAX], 2
    while name.lower() in used:
        suffix = f" {n}"
        name, n = f"{base[: SHEET_NAME_MAX - len(suffix)]}{suffix}", n + 1
    used.add(name.lower())
    return name


def heading_lines(content: ReportContent) -> list[str]:
    """What every sheet opens with: title, plant (for a copy of one plant or slice),
    period and generated time, each in the copy's language."""
    lang = content.lang
    lines = [content.title]
    if content.place():
        lines.append(t("fact", lang, label=content.place_label(), value=content.place()))
    lines.append(t("fact", lang, label=t("reporting_period", lang), value=content.period_text()))
    lines.append(content.generated_text())
    return lines


class _Sheet:
    """A worksheet with the report's heading rows, then a table; it tracks each column's
    widest text so the columns fit when it is finished."""

    def __init__(self, book: xlsxwriter.Workbook, name: str, content: ReportContent, styles):  # noqa: ANN001
        self.sheet: Worksheet = book.add_worksheet(name)
        self.styles = styles
        self.widths: dict[int, int] = {}
        lines = heading_lines(content)
        self.sheet.write_string(0, 0, lines[0], styles["title"])
        for row, line in enumerate(lines[1:], start=1):
            self.sheet.write_string(row, 0, line, styles["note"])
        self.top = len(lines) + 1  # a blank row, then the table's header

    def header(self, headings: list[str]) -> None:
        self.sheet.write_row(self.top, 0, headings, self.styles["header"])
        for col, text in enumerate(headings):
            self._fit(col, text)

    def cell(self, row: int, col: int, value: object, shown: str, style=None) -> None:  # noqa: ANN001
        """Write `value` in table row `row` (0 = the first under the header); `shown` is how
        it reads, for the column's width."""
        at = self.top + 1 + row
        if value is None:
            self.sheet.write_blank(at, col, None)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self.sheet.write_number(at, col, value, style)
        elif isinstance(value, date):
            self.sheet.write_datetime(at, col, value, style)
        else:
            self.sheet.write_string(at, col, str(value), style)
        self._fit(col, shown)

    def _fit(self, col: int, text: str) -> None:
        self.widths[col] = max(self.widths.get(col, 0), display_width(text))

    def finish(self, rows: int, columns: int) -> None:
        for col in range(columns):
            width = min(max(self.widths.get(col, 0) + PADDING, MIN_WIDTH), MAX_WIDTH)
            self.sheet.set_column(col, col, width)
        self.sheet.freeze_panes(self.top + 1, 0)
        if rows:
            self.sheet.autofilter(self.top, 0, self.top + rows, columns - 1)


def _shown(metric: Metric, value: float | None) -> str:
    """A number as its cell shows it (number_format: thousands separators, the registry's
    decimals), for the column's width."""
    return format_value(metric, value, lang="en")


def render_xlsx(content: ReportContent, path: Path) -> Path:
    lang = content.lang
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    subject = " · ".join([*([content.place()] if content.place() else []), content.period_text()])
    book.set_properties(
        {
            "title": content.title,
            "subject": subject,
            "author": CREATOR,
            "company": CREATOR,
            "comments": content.generated_text(),
            "created": content.generated_at.astimezone(UTC).replace(tzinfo=None),
        }
    )
    styles = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "note": book.add_format({"font_color": "#57606A"}),
        "header": book.add_format({"bold": True, "bg_color": "#EAEEF2", "border": 1}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
    }
    formats: dict[str, object] = {}

    def fmt(metric: Metric):  # noqa: ANN202 - an xlsxwriter Format
        key = number_format(metric)
        if key not in formats:
            formats[key] = book.add_format({"num_format": key})
        return formats[key]

    used: set[str] = set()
    if content.kpis:
        sheet = _Sheet(book, _sheet_name(t("kpis", lang), used), content, styles)
        heads = [
            t("metric_heading", lang),
            t("value", lang),
            t("target", lang),
            t("previous", lang),
            t("status", lang),
        ]
        sheet.header(heads)
        for r, kpi in enumerate(content.kpis):
            sheet.cell(r, 0, kpi.metric.label(lang), kpi.metric.label(lang))
            for c, value in ((1, kpi.value), (2, kpi.metric.target), (3, kpi.previous)):
                sheet.cell(r, c, value, _shown(kpi.metric, value), fmt(kpi.metric))
            sheet.cell(r, 4, kpi.status_text(), kpi.status_text())
        sheet.finish(len(content.kpis), len(heads))
    for section in content.sections:
        sheet = _Sheet(book, _sheet_name(section.title, used), content, styles)
        columns = section.frame.columns
        sheet.header([section.headers.get(c, c) for c in columns])
        metric_of = {m.name: m for m in section.metrics}
        for r, row in enumerate(section.frame.iter_rows()):
            for c, (column, value) in enumerate(zip(columns, row, strict=True)):
                if column in metric_of and value is not None:
                    metric = metric_of[column]
                    sheet.cell(r, c, float(value), _shown(metric, value), fmt(metric))
                elif isinstance(value, date):
                    sheet.cell(r, c, value, value.isoformat(), styles["date"])
                else:
                    sheet.cell(r, c, value, NULL if value is None else str(value))
        sheet.finish(section.frame.height, len(columns))
    book.close()
    return path
