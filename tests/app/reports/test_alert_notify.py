"""The notice a contact gets: entirely in the contact's language, with the plant and line by
their names in the warehouse, the acknowledgement link while the alert is open, written per
channel — e-mail as plain text and HTML with no markdown markers, WeCom and DingTalk in
their own markdown, Feishu as a card — and every text escaped in the HTML (names come from
the data)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from app.reports.alerts import parse_rules
from app.reports.alerts.notify import render
from app.reports.alerts.transitions import Cleared, Escalated, Fired
from app.reports.alerts.wording import Verdict
from app.reports.definitions import Contact
from app.reports.deliver_webhooks import Webhook, payload
from app.reports.messages import (
    as_html,
    as_text,
    chat_text,
    dingtalk_markdown,
    feishu_markdown,
    wecom_markdown,
)
from app.reports.names import Names
from metrics.registry import load_registry
from metrics.scope import Scope

AT = datetime(2026, 10, 7, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
OEE = load_registry().metric("oee")
BELOW = parse_rules(
    {
        "rules": [
            {
                "name": "oee_low",
                "metric": "oee",
                "scope": ["plant", "line"],
                "condition": {"type": "below", "value": 0.6},
            }
        ]
    }
)[0]
KEYS = (("plant", "SZ"), ("line", "SZ-L1"))
FIRED = Fired(
    rule="oee_low",
    entity="plant=SZ/line=SZ-L1",
    period="2026-10-06",
    value=0.5375,
    at=AT,
    label="Suzhou Plant · SMT Line 1",
    detail="OEE 53.8%, below the limit 60.0%",
    plant="SZ",
    role="Production Excellence",
    token="0123456789abcdef0123456789abcdef",
    keys=KEYS,
    verdict=Verdict("below", 0.5375, bound=0.6),
)
WANG = Contact(name="王伟", email="owner@example.com", lang="zh")
MARKDOWN = ("###", "**", "](", "> ", "<font")


@pytest.fixture(scope="module")
def names(marts_file: Path):
    con = duckdb.connect(str(marts_file), read_only=True)
    yield Names(con, Scope.all())
    con.close()


def _notice(event=FIRED, lang="zh", names=None, contact=WANG):  # noqa: ANN001, ANN202
    return render(
        event,
        rule=BELOW,
        metric=OEE,
        contact=contact,
        app_url="http://a.test",
        lang=lang,
        names=names,
        timezone="Asia/Shanghai",
    )


def test_chinese_notice_names_the_plant_and_line_and_reads_as_plain_text(names) -> None:  # noqa: ANN001
    notice = _notice(names=names)
    assert notice.title == "[Andon] 告警：设备综合效率 · 苏州工厂 · 贴片一线"
    assert notice.link == "http://a.test/reports?ack=0123456789abcdef0123456789abcdef"
    assert as_text(notice).splitlines() == [
        "[Andon] 告警：设备综合效率 · 苏州工厂 · 贴片一线",
        "统计期间：2026年10月6日",
        "",
        "位置：苏州工厂 · 贴片一线",
        "设备综合效率：53.8%（低于限值 60.0%）",
        "发现时间：2026年10月7日 08:30",
        "",
        "负责人：王伟",
        "",
        "确认：http://a.test/reports?ack=0123456789abcdef0123456789abcdef",
    ]
    text, html = as_text(notice), as_html(notice)
    for marker in MARKDOWN:
        assert marker not in text
    assert "plant=" not in text + html and "SZ-L1" not in text + html
    assert "<td style='padding:4px 12px 4px 0;vertical-align:top;'>位置</td>" in html
    assert '<a href="http://a.test/reports?ack=0123456789abcdef0123456789abcdef">确认</a>' in html


def test_each_robot_gets_its_own_format(names) -> None:  # noqa: ANN001
    notice = _notice(names=names)
    assert wecom_markdown(notice).splitlines() == [
        "### [Andon] 告警：设备综合效率 · 苏州工厂 · 贴片一线",
        "> 统计期间：2026年10月6日",
        "",
        "**位置**：苏州工厂 · 贴片一线",
        '**设备综合效率**：<font color="warning">53.8%</font>（低于限值 60.0%）',
        "**发现时间**：2026年10月7日 08:30",
        '<font color="comment">负责人：王伟</font>',
        "[确认](http://a.test/reports?ack=0123456789abcdef0123456789abcdef)",
    ]
    assert dingtalk_markdown(notice).split("\n\n") == [
        "### [Andon] 告警：设备综合效率 · 苏州工厂 · 贴片一线",
        "> 统计期间：2026年10月6日",
        "- **位置**：苏州工厂 · 贴片一线",
        "- 🔴 **设备综合效率**：53.8%（低于限值 60.0%）",
        "- **发现时间**：2026年10月7日 08:30",
        "负责人：王伟",
        "[确认](http://a.test/reports?ack=0123456789abcdef0123456789abcdef)",
    ]
    body = feishu_markdown(notice)
    assert "**设备综合效率**：<font color='red'>53.8%</font>（低于限值 60.0%）" in body
    assert "###" not in body  # the title is the card's header
    hook = Webhook("feishu_sz", "feishu", "http://hook.test")
    _, card = payload(
        hook, notice.title, body, notice.link, {}, link_label=notice.link_label, tone=notice.tone
    )
    header = card["card"]["header"]
    assert (header["title"]["content"], header["template"]) == (notice.title, "red")
    (button,) = card["card"]["elements"][1]["actions"]
    assert (button["text"]["content"], button["url"]) == ("确认", notice.link)


def test_vietnamese_and_english_notices(names) -> None:  # noqa: ANN001
    vi = _notice(lang="vi", names=names)
    assert vi.title == (
        "[Andon] Cảnh báo: Hiệu suất thiết bị tổng thể (OEE) · Suzhou Plant · SMT Line 1"
    )
    assert "Hiệu suất thiết bị tổng thể (OEE): 53,8% (dưới ngưỡng 60,0%)" in as_text(vi)
    assert "Thời điểm phát hiện: 08:30 07/10/2026" in as_text(vi)
    en = _notice(lang="en", names=names)
    assert as_text(en).splitlines()[:6] == [
        "[Andon] Alert: OEE · Suzhou Plant · SMT Line 1",
        "Period: 6 Oct 2026",
        "",
        "Where: Suzhou Plant · SMT Line 1",
        "OEE: 53.8% (below the limit 60.0%)",
        "Found at: 7 Oct 2026 08:30",
    ]


def test_cleared_has_no_link_and_escalated_says_why(names) -> None:  # noqa: ANN001
    cleared = Cleared(
        rule="oee_low",
        entity="plant=SZ/line=SZ-L1",
        period="2026-10-05",
        value=0.7479,
        at=AT,
        label="Suzhou Plant · SMT Line 1",
        detail="OEE 74.8%, back at or above the limit 60.0%",
        plant="SZ",
        keys=KEYS,
        verdict=Verdict("below", 0.7479, bound=0.6),
    )
    notice = _notice(cleared, names=names)
    assert notice.title == "[Andon] 已恢复：设备综合效率 · 苏州工厂 · 贴片一线"
    assert notice.link is None and "href" not in as_html(notice) and notice.tone == "cleared"
    assert "设备综合效率：74.8%（已回到限值 60.0% 及以上）" in as_text(notice)
    # an escalation knows the entity by its key and the value: names and words come back
    escalated = Escalated(
        rule="oee_low",
        entity="plant=SZ/line=SZ-L1",
        period="2026-10-06",
        value=0.5375,
        at=AT,
        level=1,
        detail="OEE 53.8%, below the limit 60.0%",
        token="tok",
        contact=WANG,
        plant="SZ",
        minutes=60,
    )
    notice = _notice(escalated, names=names)
    assert notice.title == "[Andon] 已升级：设备综合效率 · 苏州工厂 · 贴片一线"
    text = as_text(notice)
    assert "设备综合效率：53.8%（低于限值 60.0%）" in text
    assert "60 分钟内无人确认，现升级给您（第 2 级）。" in text
    # without the warehouse at hand, keys stand for names (never "plant=…")
    assert _notice(escalated).title == "[Andon] 已升级：设备综合效率 · SZ · SZ-L1"


def test_html_escapes_every_text_from_rules_data_and_contacts() -> None:
    metric = OEE.model_copy(update={"label_en": "OEE <script>x()</script> & co"})
    owner = Contact(name="Wang <Wei>", email="owner@example.com", lang="en")
    fired = Fired(**{**FIRED.__dict__, "keys": (("plant", "<b>&</b>"),)})
    notice = render(fired, rule=BELOW, metric=metric, contact=owner, app_url="http://a.test")
    html = as_html(notice)
    assert "<script>" not in html and "<b>" not in html
    assert "OEE &lt;script&gt;x()&lt;/script&gt; &amp; co · &lt;b&gt;&amp;&lt;/b&gt;" in html
    assert "Owner: Wang &lt;Wei&gt;" in html
    # in chat markdown no text from data becomes a tag, a link or a line of its own
    wecom = chat_text(notice, "wecom")
    assert "### [Andon] Alert: OEE ＜script＞x()＜/script＞ & co · ＜b＞&＜/b＞" in wecom
    assert "<script>" not in wecom and "<b>" not in wecom


def test_chat_markdown_keeps_names_from_data_inert() -> None:
    """A plant name shaped like a link, a heading on a new line or a <font> tag stays text on
    every robot, while Andon's own link and colours remain."""
    owner = Contact(name="Li\n### Pay here [now](http://evil.test)", email="o@x.test", lang="en")
    fired = Fired(**{**FIRED.__dict__, "keys": (("plant", '<font color="info">OK</font>'),)})
    notice = render(fired, rule=BELOW, metric=OEE, contact=owner, app_url="http://a.test")
    for kind in ("wecom", "dingtalk", "feishu"):
        text = chat_text(notice, kind)
        assert "](http://evil.test)" not in text and "\n### Pay" not in text, kind
        assert "Li ### Pay here ［now］(http://evil.test)" in text, kind
        assert '<font color="info">OK' not in text, kind
        assert '＜font color="info"＞OK＜/font＞' in text, kind
    assert "](http://a.test" in chat_text(notice, "wecom")  # the acknowledge link itself
