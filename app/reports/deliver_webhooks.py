"""Chat robot webhooks in each one's own format: WeCom (企业微信) markdown, DingTalk (钉钉)
markdown with its signed-URL scheme, Feishu (飞书) interactive card (coloured header, lark_md
body, a button for the link) with its body signature, and a generic JSON webhook (plain
text). The texts come written for each robot (app/reports/messages.py). Every sender raises
on failure so the caller can retry and log. Each post carries an `Idempotency-Key` header
from the message's stable outbox key (the same on every attempt), and the JSON webhook's
body a `delivery_id`, so a receiver can drop a message it already has."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.reports.messages import FEISHU_TEMPLATE
from app.reports.retry import PermanentError

KINDS = ("wecom", "dingtalk", "feishu", "json")
TIMEOUT_S = 15


class WebhookError(RuntimeError):
    """The endpoint answered with an error status or an error code in its JSON."""


@dataclass(frozen=True)
class Webhook:
    name: str
    kind: str
    url: str
    secret: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def webhooks_from_config(spec: dict | None) -> dict[str, Webhook]:
    hooks = {}
    for name, item in (spec or {}).items():
        kind = str(item.get("kind", "json"))
        if kind not in KINDS:
            raise ValueError(f"webhooks.{name}.kind {kind!r}: use one of {', '.join(KINDS)}")
        hooks[name] = Webhook(
            name=name,
            kind=kind,
            url=str(item.get("url") or ""),
            secret=item.get("secret") or None,
            headers=dict(item.get("headers") or {}),
        )
    return hooks


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk: base64(HMAC-SHA256(key=secret, msg="timestamp\\nsecret")), URL-encoded."""
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu: base64(HMAC-SHA256(key="timestamp\\nsecret", msg=empty))."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def payload(
    hook: Webhook,
    title: str,
    markdown: str,
    link: str | None,
    data: dict[str, Any],
    clock: Callable[[], float] = time.time,
    *,
    link_label: str = "Andon",
    tone: str = "info",
) -> tuple[str, dict]:
    """The URL to post to and the JSON body for this kind of robot: `markdown` is already
    in the robot's dialect (app/reports/messages.py `chat_text`); a Feishu card takes the
    title as its header, coloured by `tone`, and the link as a button saying `link_label`."""
    url = hook.url
    if hook.kind == "wecom":
        return url, {"msgtype": "markdown", "markdown": {"content": markdown}}
    if hook.kind == "dingtalk":
        if hook.secret:
            timestamp = int(clock() * 1000)
            joiner = "&" if "?" in url else "?"
            url = f"{url}{joiner}timestamp={timestamp}&sign={dingtalk_sign(hook.secret, timestamp)}"
        return url, {"msgtype": "markdown", "markdown": {"title": title, "text": markdown}}
    if hook.kind == "feishu":
        elements: list[dict] = [{"tag": "markdown", "content": markdown}]
        if link:
            elements.append(
                {
                    "tag": "action",
                    "actions": [
                        {
                            "tag": "button",
                            "text": {"tag": "plain_text", "content": link_label},
                            "type": "primary",
                            "url": link,
                        }
                    ],
                }
            )
        body: dict[str, Any] = {
            "msg_type": "interactive",
            "card": {
                "config": {"wide_screen_mode": True},
                "header": {
                    "title": {"tag": "plain_text", "content": title},
                    "template": FEISHU_TEMPLATE.get(tone, "blue"),
                },
                "elements": elements,
            },
        }
        if hook.secret:
            timestamp = int(clock())
            body = {
                "timestamp": str(timestamp),
                "sign": feishu_sign(hook.secret, timestamp),
                **body,
            }
        return url, body
    return url, {"title": title, "text": markdown, "link": link, **data}


def idempotency_key(key: str) -> str:
    """The Idempotency-Key of the message with this outbox key: the same on every attempt."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def post(
    hook: Webhook,
    title: str,
    markdown: str,
    link: str | None = None,
    data: dict[str, Any] | None = None,
    delivery_id: str | None = None,
    *,
    link_label: str = "Andon",
    tone: str = "info",
) -> None:
    """Post one message; raises WebhookError (or a network error) when it did not arrive."""
    if not hook.url:
        raise PermanentError(f"webhook {hook.name!r} has no URL (set it in channels.yaml / env)")
    data = {**(data or {}), **({"delivery_id": delivery_id} if delivery_id else {})}
    url, body = payload(hook, title, markdown, link, data, link_label=link_label, tone=tone)
    headers = {"Content-Type": "application/json; charset=utf-8", **hook.headers}
    if delivery_id:
        headers["Idempotency-Key"] = delivery_id
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers=headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            text = response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace")[:200]
        raise WebhookError(f"HTTP {error.code} from {hook.name}: {detail}".strip()) from None
    _check_answer(hook, text)


def _check_answer(hook: Webhook, text: str) -> None:
    """WeCom and DingTalk answer 200 with errcode; Feishu with code/StatusCode."""
    if hook.kind == "json" or not text.strip():
        return
    try:
        answer = json.loads(text)
    except json.JSONDecodeError:
        return
    if not isinstance(answer, dict):
        return
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    if code not in (0, None):
        message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage")
        raise WebhookError(f"{hook.name} refused the message: code {code} {message}")
