"""The HTML e-mail body: the KPI summary as a table with inline styles (mail clients drop
stylesheets), plus a plain-text twin and the markdown used by chat robots."""

from __future__ import annotations

from html import escape

from app.reports.content import ReportContent
from metrics.i18n import t

STATUS_HEX = {"green": "#1a7f37", "amber": "#bf8700", "red": "#d1242f", "none": "#6e7781"}
STATUS_DOT = {"green": "🟢", "amber": "🟠", "red": "🔴", "none": "⚪"}


def subject(content: ReportContent) -> str:
    scope = "" if content.slice_key == "all" else f" · {content.slice_label}"
    return f"{content.title}{scope} · {content.period.label(content.lang)}"


def html_body(content: ReportContent, link: str | None = None) -> str:
    lang = content.lang
    cell = "padding:6px 10px;border-bottom:1px solid #d0d7de;"
    rows = []
    for kpi in content.kpis:
        color = STATUS_HEX[kpi.status]
        rows.append(
            "<tr>"
            f"<td style='{cell}'>{escape(kpi.metric.label(lang))}</td>"
            f"<td style='{cell}color:{color};font-weight:bold'>{escape(kpi.text())}</td>"
            f"<td style='{cell}'>{escape(kpi.target_text())}</td>"
            f"<td style='{cell}'>{escape(kpi.delta_text())}</td>"
            f"<td style='{cell}color:{color}'>{escape(kpi.status_text())}</td>"
            "</tr>"
        )
    heads = "".join(
        f"<th style='{cell}text-align:left;background:#eaeef2'>{escape(t(k, lang))}</th>"
        for k in ("metric_heading", "value", "target", "change", "status")
    )
    table = (
        (
            f"<table style='border-collapse:collapse;font-size:14px'><tr>{heads}</tr>"
            + "".join(rows)
            + "</table>"
        )
        if rows
        else f"<p>{escape(t('no_data_period', lang))}</p>"
    )
    more = f"<p><a href='{escape(link)}'>{escape(t('open_report', lang))}</a></p>" if link else ""
    return (
        '<html><body style=\'font-family:"Noto Sans CJK SC","Microsoft YaHei",Arial,'
        "sans-serif'>"
        f"<h2 style='margin-bottom:4px'>{escape(content.title)}</h2>"
        f"<p style='color:#57606a;margin-top:0'>{escape(content.subtitle())}</p>"
        f"<h3>{escape(t('kpi_summary', lang))}</h3>{table}{more}</body></html>"
    )


def text_body(content: ReportContent, link: str | None = None) -> str:
    lang = content.lang
    lines = [content.title, content.subtitle(), ""]
    for kpi in content.kpis:
        lines.append(
            f"- {kpi.metric.label(lang)}: {kpi.text()} ({t('target', lang)} "
            f"{kpi.target_text()}, {kpi.status_text()})"
        )
    if link:
        lines += ["", f"{t('open_report', lang)}: {link}"]
    return "\n".join(lines)


def markdown_summary(content: ReportContent, link: str | None = None) -> str:
    """The chat-robot message: title, period and one line per KPI with its status dot."""
    lang = content.lang
    lines = [f"### {content.title}", f"> {content.subtitle()}", ""]
    for kpi in content.kpis:
        lines.append(
            f"{STATUS_DOT[kpi.status]} **{kpi.metric.label(lang)}**: {kpi.text()} "
            f"({t('target', lang)} {kpi.target_text()}, {t('change', lang)} {kpi.delta_text()})"
        )
    if not content.kpis:
        lines.append(t("no_data_period", lang))
    if link:
        lines += ["", f"[{t('open_report', lang)}]({link})"]
    return "\n".join(lines)
