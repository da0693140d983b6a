"""What a report copy says in a message: the e-mail's subject, its HTML body (the KPI summary as
a table with inline styles, as mail clients drop stylesheets) and plain-text twin — words
only, no markdown markers — and the summary the chat robots get, as a Message that each
channel writes in its own format (app/reports/messages.py)."""

from __future__ import annotations

from html import escape

from app.reports.content import ReportContent
from app.reports.messages import FONT, STATUS_DOT, STATUS_HEX, Fact, Message, as_text
from metrics.i18n import t

__all__ = ["STATUS_DOT", "STATUS_HEX", "html_body", "subject", "summary_message", "text_body"]


def subject(content: ReportContent) -> str:
    place = f" · {content.place()}" if content.place() else ""
    return f"{content.title}{place} · {content.period_text()}"


def summary_message(content: ReportContent, link: str | None = None) -> Message:
    """The copy's KPIs as a message: per KPI its value (coloured by status), target, status
    and change; when it was generated; the link to the report."""
    lang = content.lang
    facts = tuple(
        Fact(
            label=kpi.metric.label(lang),
            value=kpi.text(),
            status=kpi.status,
            note=" · ".join(
                [
                    f"{t('target', lang)} {kpi.target_text()}",
                    kpi.status_text(),
                    f"{t('change', lang)} {kpi.delta_text()}",
                ]
            ),
        )
        for kpi in content.kpis
    )
    return Message(
        title=content.title,
        lang=lang,
        subtitle=content.subtitle(),
        facts=facts,
        paragraphs=() if content.kpis else (t("no_data_period", lang),),
        footer=(content.generated_text(),),
        link=link,
        link_label=t("open_report", lang),
        tone="info",
    )


def html_body(content: ReportContent, link: str | None = None) -> str:
    lang = content.lang
    cell = "padding:6px 10px;border-bottom:1px solid #d0d7de;"
    number = f"{cell}text-align:right;"
    rows = []
    for kpi in content.kpis:
        color = STATUS_HEX[kpi.status]
        rows.append(
            "<tr>"
            f"<td style='{cell}'>{escape(kpi.metric.label(lang))}</td>"
            f"<td style='{number}color:{color};font-weight:bold'>{escape(kpi.text())}</td>"
            f"<td style='{number}'>{escape(kpi.target_text())}</td>"
            f"<td style='{number}'>{escape(kpi.delta_text())}</td>"
            f"<td style='{cell}color:{color}'>{escape(kpi.status_text())}</td>"
            "</tr>"
        )
    align = ("left", "right", "right", "right", "left")
    heads = "".join(
        f"<th style='{cell}text-align:{side};background:#eaeef2'>{escape(t(k, lang))}</th>"
        for k, side in zip(
            ("metric_heading", "value", "target", "change", "status"), align, strict=True
        )
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
        f"<html><body style='font-family:{escape(FONT)}'>"
        f"<h2 style='margin-bottom:4px'>{escape(content.title)}</h2>"
        f"<p style='color:#57606a;margin-top:0'>{escape(content.subtitle())}</p>"
        f"<h3>{escape(t('kpi_summary', lang))}</h3>{table}{more}"
        f"<p style='color:#57606a;font-size:12px'>{escape(content.generated_text())}</p>"
        "</body></html>"
    )


def text_body(content: ReportContent, link: str | None = None) -> str:
    """The plain-text part: the same summary as lines of words."""
    return as_text(summary_message(content, link))
