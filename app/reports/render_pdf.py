"""The PDF copy: KPI cards coloured by target status, charts and tables, with a header on
every page (report title, plant, period) and a footer (when it was generated, in the plant's
time zone and the reader's date format, and "page X of Y").

fpdf2 embeds a subset of Noto Sans CJK (app/reports/fonts.py), which draws English, Chinese
and Vietnamese alike, so the file reads correctly without fonts on the reader's machine.
Numbers are right-aligned in tables; each status colour is the dashboards' (metrics/colours.py)
and each status comes from metrics.status (the metric's own amber band).
"""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from app.reports.charts import section_png
from app.reports.content import ReportContent, SectionData
from app.reports.fonts import report_bold, report_font
from metrics.colours import BAD, GOOD, NEUTRAL, WARN
from metrics.formatting import NULL, format_date, format_value
from metrics.i18n import t


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


STATUS_RGB = {"green": _rgb(GOOD), "amber": _rgb(WARN), "red": _rgb(BAD), "none": _rgb(NEUTRAL)}
INK, GREY, RULE, HEAD_FILL = (36, 41, 47), (87, 96, 106), (208, 215, 222), (234, 238, 242)
CARDS_PER_ROW = 3
CELL_PAD = 1.5  # mm left and right of a table cell's text
ROW_HEIGHT = 5.5  # mm a table line takes
ROW_PAD = 0.6  # mm above and below a table line
CHART_RATIO = 0.5  # a chart's height per width on the page (charts.py: 460 x 210 plus axes)
MARGIN, TOP, BOTTOM = 15, 24, 18  # mm: sides, below the running header, above the footer
FIRST_TOP = 32  # below page 1's larger header
PAGES = "{nb}"  # fpdf2 replaces it with the page count when the file is written


def text(value: object) -> str:
    """Text as the PDF prints it: composed characters (a Vietnamese "ệ" as one glyph)."""
    return unicodedata.normalize("NFC", str(value))


class ReportPdf(FPDF):
    """An A4 page with the report's running header and footer."""

    def __init__(self, content: ReportContent) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.content = content
        regular, bold = report_font(), report_bold()
        self.add_font("report", "", str(regular.path), collection_font_number=regular.index)
        self.add_font("report", "B", str(bold.path), collection_font_number=bold.index)
        self.set_margins(MARGIN, TOP, MARGIN)
        self.set_auto_page_break(auto=True, margin=BOTTOM)
        self.alias_nb_pages(PAGES)
        self.set_title(text(content.title))
        self.set_subject(text(content.subtitle()))
        self.set_author("Andon")
        self.set_creator("Andon")
        self.set_lang(content.lang)

    def header(self) -> None:
        """Page 1: the title large, the plant and period under it; later pages: both on one
        line."""
        content = self.content
        self.set_text_color(*INK)
        if self.page_no() == 1:
            self.set_xy(MARGIN, 10)
            self.set_font("report", "B", 18)
            self.cell(self.epw, 9, text(content.title), new_x="LMARGIN", new_y="NEXT")
            self.set_font("report", "", 10)
            self.set_text_color(*GREY)
            self.cell(self.epw, 6, text(content.subtitle()), new_x="LMARGIN", new_y="NEXT")
            rule, below = 27.0, FIRST_TOP
        else:
            self.set_xy(MARGIN, 9)
            self.set_font("report", "B", 11)
            self.cell(self.epw * 0.55, 6, text(content.title))
            self.set_font("report", "", 8.5)
            self.set_text_color(*GREY)
            self.cell(self.epw * 0.45, 6, text(content.subtitle()), align="R")
            rule, below = 16.5, TOP
        self.set_draw_color(*RULE)
        self.line(MARGIN, rule, self.w - MARGIN, rule)
        self.set_text_color(*INK)
        self.set_xy(MARGIN, below)

    def footer(self) -> None:
        lang = self.content.lang
        self.set_draw_color(*RULE)
        self.line(MARGIN, self.h - 13, self.w - MARGIN, self.h - 13)
        self.set_xy(MARGIN, self.h - 12)
        self.set_font("report", "", 7.5)
        self.set_text_color(*GREY)
        self.cell(self.epw * 0.7, 5, text(self.content.generated_text()))
        page = t("page_of", lang, page=self.page_no(), pages=PAGES)
        self.cell(self.epw * 0.3, 5, text(page), align="R")
        self.set_text_color(*INK)


def render_pdf(content: ReportContent, path: Path, charts: dict[int, bytes] | None = None) -> Path:
    """Write the report to `path`; `charts` may hold pre-rendered PNGs per section index."""
    pdf = ReportPdf(content)
    pdf.add_page()
    if content.kpis:
        _cards(pdf, content)
    for index, section in enumerate(content.sections):
        png = (charts or {}).get(index)
        if png is None and section.section.show == "chart":
            png = section_png(section)
        _section(pdf, section, png, content.lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def _cards(pdf: FPDF, content: ReportContent) -> None:
    lang = content.lang
    gap = 4
    width = (pdf.epw - gap * (CARDS_PER_ROW - 1)) / CARDS_PER_ROW
    height = 27
    top = pdf.get_y()
    for i, kpi in enumerate(content.kpis):
        col = i % CARDS_PER_ROW
        if col == 0 and i:
            top += height + gap
            if top + height > pdf.h - pdf.b_margin:
                pdf.add_page()
                top = pdf.get_y()
        x = pdf.l_margin + col * (width + gap)
        rgb = STATUS_RGB[kpi.status]
        pdf.set_draw_color(*RULE)
        pdf.rect(x, top, width, height)
        pdf.set_fill_color(*rgb)
        pdf.rect(x, top, 2.5, height, style="F")
        pdf.set_xy(x + 5, top + 2)
        pdf.set_font("report", "", 8.5)
        pdf.set_text_color(*GREY)
        pdf.cell(width - 7, 5, text(kpi.metric.label(lang)))
        pdf.set_xy(x + 5, top + 8)
        pdf.set_font("report", "B", 16)
        pdf.set_text_color(*rgb)
        pdf.cell(width - 7, 8, text(kpi.text()))
        pdf.set_text_color(*GREY)
        pdf.set_font("report", "", 7.5)
        pdf.set_xy(x + 5, top + 17)
        pdf.cell(
            width - 7, 4, text(f"{t('target', lang)} {kpi.target_text()} · {kpi.status_text()}")
        )
        pdf.set_xy(x + 5, top + 21.5)
        pdf.cell(width - 7, 4, text(f"{t('change', lang)} {kpi.delta_text()}"))
        pdf.set_text_color(*INK)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_xy(pdf.l_margin, top + height + gap + 2)


def _cell_text(value: object, metric, lang: str) -> str:  # noqa: ANN001 - Metric | None
    if metric is not None:
        return format_value(metric, value, lang=lang)
    if value is None:
        return NULL
    if isinstance(value, date):
        return format_date(value, lang)
    return str(value)


def _col_widths(pdf: FPDF, rows: list[list[str]]) -> tuple[float, ...]:
    """Each column as wide as its widest text, heading included, none narrower than a number
    needs; scaled down to the page when they do not fit (then long headings wrap)."""
    widest = []
    for col in range(len(rows[0])):
        body = max((pdf.get_string_width(row[col]) for row in rows[1:]), default=0)
        head = pdf.get_string_width(rows[0][col])
        widest.append(max(body, head, 14) + 2 * CELL_PAD + 3)
    total = sum(widest)
    scale = min(1.0, pdf.epw / total)
    return tuple(w * scale for w in widest)


def _section(pdf: FPDF, data: SectionData, png: bytes | None, lang: str) -> None:
    # A table that fits on a page starts on a new one rather than splitting; a longer one
    # starts where it is, with its headings repeated on every page.
    table_height = 14 + (data.frame.height + 2) * (ROW_HEIGHT + 2 * ROW_PAD)
    chart_height = pdf.epw * CHART_RATIO if png is not None else 0
    body = pdf.h - TOP - BOTTOM
    needed = chart_height + table_height if chart_height + table_height < body else 40
    if pdf.will_page_break(needed):
        pdf.add_page()
    pdf.set_font("report", "B", 12)
    pdf.cell(0, 8, text(data.title), new_x="LMARGIN", new_y="NEXT")
    if data.frame.height == 0:
        pdf.set_font("report", "", 9)
        pdf.cell(0, 6, text(t("no_data_period", lang)), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        return
    if png is not None:
        if pdf.will_page_break(pdf.epw * CHART_RATIO):
            pdf.add_page()
        pdf.image(io.BytesIO(png), w=pdf.epw)
        pdf.ln(2)
    pdf.set_font("report", "", 8.5)
    columns = data.frame.columns
    metric_of = {m.name: m for m in data.metrics}
    rows = [[text(data.headers.get(c, c)) for c in columns]]
    for row in data.frame.iter_rows(named=True):
        rows.append([text(_cell_text(row[c], metric_of.get(c), lang)) for c in columns])
    aligns = ["RIGHT" if c in metric_of else "LEFT" for c in columns]
    headings = FontFace(emphasis="BOLD", fill_color=HEAD_FILL)
    widths = _col_widths(pdf, rows)
    with pdf.table(
        headings_style=headings,
        line_height=ROW_HEIGHT,
        width=sum(widths),
        col_widths=widths,
        align="LEFT",
        text_align=tuple(aligns),
        borders_layout="HORIZONTAL_LINES",
        padding=(ROW_PAD, CELL_PAD),
    ) as table:
        for values in rows:
            table.row(values)
    pdf.ln(4)
