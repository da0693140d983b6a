"""The PDF copy: title, period, KPI cards coloured by target status, charts and tables.

fpdf2 embeds a subset of the Noto CJK collection (Simplified Chinese face), so the same
file reads correctly in both languages without fonts on the reader's machine.
"""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from app.reports.charts import section_png
from app.reports.content import ReportContent, SectionData
from app.reports.fonts import cjk_bold, cjk_font
from metrics.formatting import NULL, format_value
from metrics.i18n import t

STATUS_RGB = {
    "green": (26, 127, 55),
    "amber": (191, 135, 0),
    "red": (209, 36, 47),
    "none": (110, 119, 129),
}
CARDS_PER_ROW = 3


def _pdf() -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    regular, index = cjk_font()
    bold, bold_index = cjk_bold()
    pdf.add_font("cjk", "", str(regular), collection_font_number=index)
    pdf.add_font("cjk", "B", str(bold), collection_font_number=bold_index)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(15, 15, 15)
    return pdf


def render_pdf(content: ReportContent, path: Path, charts: dict[int, bytes] | None = None) -> Path:
    """Write the report to `path`; `charts` may hold pre-rendered PNGs per section index."""
    lang = content.lang
    pdf = _pdf()
    pdf.set_title(content.title)
    pdf.set_creator("Andon")
    pdf.add_page()
    pdf.set_font("cjk", "B", 18)
    pdf.cell(0, 10, content.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", "", 10)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(0, 6, content.subtitle(), new_x="LMARGIN", new_y="NEXT")
    stamp = content.generated_at.strftime("%Y-%m-%d %H:%M")
    pdf.cell(0, 6, f"{t('generated', lang)}: {stamp}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    if content.kpis:
        _cards(pdf, content)
    for index, section in enumerate(content.sections):
        png = (charts or {}).get(index)
        if png is None and section.section.show == "chart":
            png = section_png(section)
        _section(pdf, section, png, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def _cards(pdf: FPDF, content: ReportContent) -> None:
    lang = content.lang
    gap = 4
    width = (pdf.epw - gap * (CARDS_PER_ROW - 1)) / CARDS_PER_ROW
    height = 26
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
        pdf.set_fill_color(*rgb)
        pdf.rect(x, top, 2.5, height, style="F")
        pdf.set_draw_color(208, 215, 222)
        pdf.rect(x, top, width, height)
        pdf.set_xy(x + 5, top + 2)
        pdf.set_font("cjk", "", 8.5)
        pdf.cell(width - 7, 5, kpi.metric.label(lang))
        pdf.set_xy(x + 5, top + 8)
        pdf.set_font("cjk", "B", 15)
        pdf.set_text_color(*rgb)
        pdf.cell(width - 7, 8, kpi.text())
        pdf.set_text_color(90, 90, 90)
        pdf.set_font("cjk", "", 7.5)
        pdf.set_xy(x + 5, top + 17)
        line = f"{t('target', lang)} {kpi.target_text()} · {kpi.status_text()}"
        pdf.cell(width - 7, 4, line)
        pdf.set_xy(x + 5, top + 21)
        pdf.cell(width - 7, 4, f"{t('change', lang)} {kpi.delta_text()}")
        pdf.set_text_color(0, 0, 0)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_xy(pdf.l_margin, top + height + gap + 2)


def _section(pdf: FPDF, data: SectionData, png: bytes | None, lang: str) -> None:
    if pdf.will_page_break(40):
        pdf.add_page()
    pdf.set_font("cjk", "B", 12)
    pdf.cell(0, 8, data.title, new_x="LMARGIN", new_y="NEXT")
    if data.frame.height == 0:
        pdf.set_font("cjk", "", 9)
        pdf.cell(0, 6, t("no_data_period", lang), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        return
    if png is not None:
        width = pdf.epw * 0.9
        pdf.image(io.BytesIO(png), w=width)
        pdf.ln(2)
    pdf.set_font("cjk", "", 8.5)
    headings = FontFace(emphasis="BOLD", fill_color=(234, 238, 242))
    columns = data.frame.columns
    with pdf.table(headings_style=headings, line_height=5.5, text_align="LEFT") as table:
        table.row([data.headers.get(c, c) for c in columns])
        metric_of = {m.name: m for m in data.metrics}
        for row in data.frame.iter_rows(named=True):
            cells = []
            for column in columns:
                value = row[column]
                if column in metric_of:
                    cells.append(format_value(metric_of[column], value, lang=lang))
                else:
                    cells.append(NULL if value is None else str(value))
            table.row(cells)
    pdf.ln(4)
