"""The notice a contact gets: words in the contact's language, the acknowledgement link while
the alert is open, and every text escaped in the HTML e-mail (labels come from the data)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.reports.alerts.notify import render
from app.reports.alerts.transitions import Cleared, Fired
from app.reports.definitions import Contact
from metrics.registry import load_registry

AT = datetime(2026, 10, 6, tzinfo=UTC)
OEE = load_registry().metric("oee").model_copy(update={"label_en": "OEE <script>x()</script> & co"})
FIRED = Fired(
    rule="oee_low",
    entity="plant=SZ",
    period="2026-10-06",
    value=0.5375,
    at=AT,
    label="Plant <b>&</b>",
    detail="53.8% < 60.0% & falling",
    plant="SZ",
    role="Production Excellence",
    token="tok-1",
)
OWNER = Contact(name="Wang <Wei>", email="owner@example.com", lang="en")


def test_html_escapes_every_text_from_rules_data_and_contacts() -> None:
    notice = render(FIRED, rule="oee_low", metric=OEE, contact=OWNER, app_url="http://a.test")
    assert notice.title == "[Andon] Alert: OEE <script>x()</script> & co · plant=SZ"
    assert notice.link == "http://a.test/reports?ack=tok-1"
    assert "<script>" not in notice.html and "<b>" not in notice.html
    assert "<h3>[Andon] Alert: OEE &lt;script&gt;x()&lt;/script&gt; &amp; co · plant=SZ</h3>" in (
        notice.html
    )
    assert "<p>Plant &lt;b&gt;&amp;&lt;/b&gt;: 53.8% &lt; 60.0% &amp; falling</p>" in notice.html
    assert "<p>Owner: Wang &lt;Wei&gt;</p>" in notice.html
    assert '<a href="http://a.test/reports?ack=tok-1">Acknowledge</a>' in notice.html
    # markdown for chat robots is text, not HTML: kept as written
    assert notice.markdown.splitlines() == [
        "### [Andon] Alert: OEE <script>x()</script> & co · plant=SZ",
        "> oee_low · 2026-10-06",
        "",
        "Plant <b>&</b>: 53.8% < 60.0% & falling",
        "Owner: Wang <Wei>",
        "[Acknowledge](http://a.test/reports?ack=tok-1)",
    ]


def test_words_follow_the_contact_language_and_cleared_has_no_link() -> None:
    cleared = Cleared(
        rule="oee_low",
        entity="plant=SZ",
        period="2026-10-05",
        value=0.7479,
        at=AT,
        label="Suzhou Plant",
        detail="74.8% below limit 60.0%",
    )
    zh = Contact(name="王伟", email="owner@example.com", lang="zh")
    metric = load_registry().metric("oee")
    notice = render(cleared, rule="oee_low", metric=metric, contact=zh, app_url="http://a.test")
    assert notice.title == "[Andon] 已恢复: 设备综合效率 · plant=SZ"
    assert notice.link is None and "href" not in notice.html
    assert notice.markdown.splitlines()[-1] == "负责人: 王伟"
