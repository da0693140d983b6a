"""A message as content — title, subtitle, key facts with their status, paragraphs, a link —
and how each channel writes it: plain text and HTML for e-mail (no markdown markers in
either), WeCom (企业微信) and DingTalk (钉钉) markdown in each robot's own dialect, a Feishu
(飞书) card's lark_md, and plain text for generic JSON webhooks.

Every text is already in the reader's language when it gets here (labels from the registry
and the warehouse, words from metrics/i18n.yaml); HTML escapes all of it, and the chat
dialects show it inert (`inert`: no link, tag or new line a name could smuggle in).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from html import escape

from metrics.formatting import format_date
from metrics.i18n import t

STATUS_HEX = {"green": "#1a7f37", "amber": "#bf8700", "red": "#d1242f", "none": "#6e7781"}
STATUS_DOT = {"green": "🟢", "amber": "🟠", "red": "🔴", "none": "⚪"}
# WeCom's markdown knows three colours: info (green), warning (orange-red), comment (grey).
WECOM_COLOUR = {"green": "info", "amber": "warning", "red": "warning", "none": "comment"}
FEISHU_COLOUR = {"green": "green", "amber": "orange", "red": "red", "none": "grey"}
# A Feishu card header's colour per tone of the message.
FEISHU_TEMPLATE = {
    "alert": "red",
    "escalated": "orange",
    "warning": "orange",
    "cleared": "green",
    "info": "blue",
}
FONT = '"Noto Sans CJK SC","Microsoft YaHei","Segoe UI",Arial,sans-serif'
CHAT_KINDS = ("wecom", "dingtalk", "feishu", "json")


@dataclass(frozen=True)
class Fact:
    """One line of key facts: a label, its value (coloured by `status` where the channel
    can) and a note after it (e.g. the target and the change)."""

    label: str
    value: str
    status: str | None = None  # green | amber | red | none
    note: str = ""


@dataclass(frozen=True)
class Message:
    """What a reader is told, in their language, before any channel writes it."""

    title: str
    lang: str
    subtitle: str = ""
    facts: tuple[Fact, ...] = ()
    paragraphs: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()
    link: str | None = None
    link_label: str = ""
    tone: str = "info"  # alert | escalated | cleared | warning | info: a card's colour

    def fact_text(self, fact: Fact) -> str:
        """ "设备综合效率：53.8%（目标 85.0%）" — the label, value and note in running text."""
        if fact.note:
            return t(
                "fact_with_note", self.lang, label=fact.label, value=fact.value, note=fact.note
            )
        return t("fact", self.lang, label=fact.label, value=fact.value)


def period_text(start: date, last_day: date, lang: str) -> str:
    """A period as the reader writes dates: one day, or "start – end" (inclusive)."""
    if start == last_day:
        return format_date(start, lang)
    return t("period_range", lang, start=format_date(start, lang), end=format_date(last_day, lang))


def period_of_key(key: str | None, lang: str) -> str:
    """A period key ("2026-10-06" or "2026-10-01..2026-10-31") as the reader writes it."""
    if not key:
        return ""
    first, _, last = key.partition("..")
    try:
        start = date.fromisoformat(first)
        end = date.fromisoformat(last) if last else start
    except ValueError:
        return key
    return period_text(start, end, lang)


# ------------------------------------------------------------------ e-mail


def as_text(message: Message) -> str:
    """The plain-text part of an e-mail: lines of words, nothing a reader has to decode."""
    lines = [message.title]
    if message.subtitle:
        lines.append(message.subtitle)
    lines.append("")
    lines += [message.fact_text(fact) for fact in message.facts]
    if message.facts and message.paragraphs:
        lines.append("")
    lines += list(message.paragraphs)
    if message.footer:
        lines += ["", *message.footer]
    if message.link:
        lines += ["", t("fact", message.lang, label=message.link_label, value=message.link)]
    return "\n".join(lines).rstrip() + "\n"


def as_html(message: Message) -> str:
    """The HTML part of an e-mail, with inline styles (mail clients drop stylesheets); every
    text escaped (names come from the data)."""
    cell = "padding:4px 12px 4px 0;vertical-align:top;"
    rows = []
    for fact in message.facts:
        colour = STATUS_HEX.get(fact.status or "", "#24292f")
        note = f"<td style='{cell}color:#57606a'>{escape(fact.note)}</td>" if fact.note else ""
        rows.append(
            "<tr>"
            f"<td style='{cell}'>{escape(fact.label)}</td>"
            f"<td style='{cell}color:{colour};font-weight:bold;text-align:right'>"
            f"{escape(fact.value)}</td>{note}</tr>"
        )
    table = (
        "<table style='border-collapse:collapse;font-size:14px'>" + "".join(rows) + "</table>"
        if rows
        else ""
    )
    paragraphs = "".join(f"<p>{escape(text)}</p>" for text in message.paragraphs)
    footer = "".join(
        f"<p style='color:#57606a;font-size:12px;margin:2px 0'>{escape(text)}</p>"
        for text in message.footer
    )
    action = (
        f'<p><a href="{escape(message.link)}">{escape(message.link_label)}</a></p>'
        if message.link
        else ""
    )
    subtitle = (
        f"<p style='color:#57606a;margin-top:0'>{escape(message.subtitle)}</p>"
        if message.subtitle
        else ""
    )
    return (
        f"<html><body style='font-family:{escape(FONT)}'>"
        f"<h3 style='margin-bottom:4px'>{escape(message.title)}</h3>{subtitle}"
        f"{table}{paragraphs}{action}{footer}</body></html>"
    )


# ------------------------------------------------------------------ chat robots


def _link(message: Message) -> str:
    return f"[{message.link_label}]({message.link})"


def wecom_markdown(message: Message) -> str:
    """WeCom robot markdown: a heading, a quote, coloured values (info / warning / comment)."""
    lines = [f"### {message.title}"]
    if message.subtitle:
        lines.append(f"> {message.subtitle}")
    lines.append("")
    for fact in message.facts:
        colour = WECOM_COLOUR.get(fact.status or "", "")
        value = f'<font color="{colour}">{fact.value}</font>' if colour else fact.value
        lines.append(_chat_fact(message, fact, f"**{fact.label}**", value))
    lines += list(message.paragraphs)
    lines += [f'<font color="comment">{text}</font>' for text in message.footer]
    if message.link:
        lines.append(_link(message))
    return "\n".join(lines)


def dingtalk_markdown(message: Message) -> str:
    """DingTalk robot markdown: paragraphs need blank lines between them; no colours, so a
    status shows as a coloured dot."""
    blocks = [f"### {message.title}"]
    if message.subtitle:
        blocks.append(f"> {message.subtitle}")
    for fact in message.facts:
        dot = f"{STATUS_DOT[fact.status]} " if fact.status in STATUS_DOT else ""
        blocks.append(f"- {dot}" + _chat_fact(message, fact, f"**{fact.label}**", fact.value))
    blocks += list(message.paragraphs)
    blocks += list(message.footer)
    if message.link:
        blocks.append(_link(message))
    return "\n\n".join(blocks)


def feishu_markdown(message: Message) -> str:
    """The lark_md of a Feishu card's body (its title is the card's header, its link the
    card's button): bold labels, values in colour."""
    lines = []
    if message.subtitle:
        lines.append(f"<font color='grey'>{message.subtitle}</font>")
    for fact in message.facts:
        colour = FEISHU_COLOUR.get(fact.status or "", "")
        value = f"<font color='{colour}'>{fact.value}</font>" if colour else fact.value
        lines.append(_chat_fact(message, fact, f"**{fact.label}**", value))
    lines += list(message.paragraphs)
    lines += [f"<font color='grey'>{text}</font>" for text in message.footer]
    return "\n".join(lines)


def _chat_fact(message: Message, fact: Fact, label: str, value: str) -> str:
    if fact.note:
        return t("fact_with_note", message.lang, label=label, value=value, note=fact.note)
    return t("fact", message.lang, label=label, value=value)


# What could turn a name or value from the warehouse into chat markup of its own — a link,
# a <font> tag, a new heading or quote line — and the look-alike it is shown as instead.
CHAT_INERT = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", "\n": " ", "\r": " "})


# Every notice's title starts with it (metrics/i18n.yaml), so a mail filter can find them.
PREFIX = "[Andon]"


def inert(text: str) -> str:
    """`text` as chat markdown shows it literally (see CHAT_INERT); a leading PREFIX, which
    is Andon's own and no link, is kept."""
    if text.startswith(PREFIX):
        return PREFIX + text[len(PREFIX) :].translate(CHAT_INERT)
    return text.translate(CHAT_INERT)


def _inert_message(message: Message) -> Message:
    """The message with every text the channel's markup is built around made inert."""
    facts = tuple(
        replace(fact, label=inert(fact.label), value=inert(fact.value), note=inert(fact.note))
        for fact in message.facts
    )
    return replace(
        message,
        title=inert(message.title),
        subtitle=inert(message.subtitle),
        facts=facts,
        paragraphs=tuple(inert(text) for text in message.paragraphs),
        footer=tuple(inert(text) for text in message.footer),
        link_label=inert(message.link_label),
    )


def chat_text(message: Message, kind: str) -> str:
    """The message body as webhook `kind` (wecom, dingtalk, feishu, json) expects it; a
    generic JSON webhook gets plain text. Texts from data never become markup."""
    if kind != "json":
        message = _inert_message(message)
    if kind == "wecom":
        return wecom_markdown(message)
    if kind == "dingtalk":
        return dingtalk_markdown(message)
    if kind == "feishu":
        return feishu_markdown(message)
    return as_text(message).rstrip("\n")
