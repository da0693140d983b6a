"""Real servers for the delivery tests: an aiosmtpd SMTP server and an HTTP server that
captures webhook posts (verifying DingTalk and Feishu signatures), plus a config folder
that points the demo-like reports at them, and the hand-built marts warehouse."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import urllib.parse
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller

from app.reports.alerts import evaluate_alerts
from app.reports.definitions import load_channels
from app.reports.delivery import Deliverer
from tests.metrics.factory import build_warehouse

DINGTALK_SECRET = "SECdingtalk-test-secret"
FEISHU_SECRET = "feishu-test-secret"


@pytest.fixture(scope="session")
def marts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-worked marts warehouse of tests/metrics/factory.py (SZ, DG; Oct 2026)."""
    return build_warehouse(tmp_path_factory.mktemp("reporting_marts") / "andon.duckdb")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """The messages a real aiosmtpd server received; `down()` stops the server (connections
    are refused, an outage), `up()` starts it again on the same port."""

    def __init__(self) -> None:
        self.messages: list = []
        self.controller: Controller | None = None
        self.port = 0

    def up(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port or _free_port())
        self.controller.start()
        self.port = self.controller.port

    def down(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list:
        return [m["message"] for m in self.messages if m["to"] == [address]]

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802 - aiosmtpd API
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"to": list(envelope.rcpt_tos), "message": message})
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    inbox.up()
    yield inbox
    inbox.down()


class Captured:
    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.fail: set[str] = set()

    def by(self, kind: str) -> list[dict]:
        return [p for p in self.posts if p["kind"] == kind]

    def accepted(self, kind: str) -> list[dict]:
        """The posts of `kind` answered with success (a 500 is not a delivery)."""
        return [p for p in self.by(kind) if p["accepted"]]


def _verify(kind: str, query: dict, body: dict) -> bool:
    if kind == "dingtalk":
        timestamp, sign = query["timestamp"][0], query["sign"][0]
        digest = hmac.new(
            DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256
        ).digest()
        return sign == base64.b64encode(digest).decode()  # parse_qs already URL-decoded it
    if kind == "feishu":
        key = f"{body['timestamp']}\n{FEISHU_SECRET}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        return body["sign"] == expected
    return True


@pytest.fixture
def webhooks():
    captured = Captured()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            url = urllib.parse.urlparse(self.path)
            kind = url.path.strip("/")
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            verified = _verify(kind, urllib.parse.parse_qs(url.query), body)
            captured.posts.append(
                {
                    "kind": kind,
                    "body": body,
                    "verified": verified,
                    "accepted": kind not in captured.fail,
                    "idempotency_key": self.headers.get("Idempotency-Key"),
                }
            )
            if kind in captured.fail:
                self.send_response(500)
                self.end_headers()
                self.wfile.write(b"internal error")
                return
            answer = (
                {"errcode": 0, "errmsg": "ok"}
                if verified
                else {"errcode": 310000, "errmsg": "sign not match"}
            )
            if kind == "feishu":
                answer = (
                    {"code": 0, "msg": "success"}
                    if verified
                    else {"code": 19021, "msg": "sign match fail"}
                )
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(answer).encode())

        def log_message(self, *args) -> None:  # noqa: ANN002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    captured.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield captured
    server.shutdown()
    server.server_close()


DAILY = {
    "name": "daily_plant_kpis",
    "title": {"en": "Daily plant KPIs", "zh": "工厂每日KPI日报"},
    "period": "yesterday",
    "formats": ["pdf", "xlsx", "csv"],
    "schedule": {"cron": "30 7 * * *", "timezone": "Asia/Shanghai"},
    "kpis": ["oee", "availability", "first_pass_yield", "scrap_rate"],
    "sections": [
        {
            "title": {"en": "OEE by line", "zh": "各产线设备综合效率"},
            "metrics": ["oee"],
            "by": ["line"],
            "show": "chart",
        },
        {
            "title": {"en": "OEE components by line", "zh": "各产线OEE构成"},
            "metrics": ["oee", "availability", "produced_qty"],
            "by": ["line"],
        },
    ],
    "burst": {
        "per": "plant",
        "recipients": {
            "SZ": {"lang": "zh", "email": ["sz@example.com"], "webhooks": ["wecom", "dingtalk"]},
            "DG": {"lang": "en", "email": ["dg@example.com"], "webhooks": ["feishu", "json"]},
        },
    },
}

CONTACTS = {
    "plants": {
        "SZ": {
            "Production Excellence": {
                "name": "Wang Wei",
                "email": "owner@example.com",
                "webhook": "wecom",
                "lang": "zh",
                "escalate_to": {"name": "Li Na", "email": "boss@example.com", "lang": "zh"},
            }
        },
        "default": {"*": {"name": "Duty desk", "email": "duty@example.com"}},
    }
}


@pytest.fixture
def config(tmp_path: Path, smtp: Inbox, webhooks: Captured) -> Path:
    """A reports/ folder wired to the local SMTP and HTTP servers."""
    folder = tmp_path / "reports"
    folder.mkdir()
    channels = {
        "email": {
            "host": "127.0.0.1",
            "port": smtp.port,
            "security": "none",
            "sender": "andon@example.com",
        },
        "webhooks": {
            "wecom": {"kind": "wecom", "url": f"{webhooks.base}/wecom"},
            "dingtalk": {
                "kind": "dingtalk",
                "url": f"{webhooks.base}/dingtalk?access_token=t",
                "secret": DINGTALK_SECRET,
            },
            "feishu": {"kind": "feishu", "url": f"{webhooks.base}/feishu", "secret": FEISHU_SECRET},
            "json": {"kind": "json", "url": f"{webhooks.base}/json"},
        },
        "app_url": "http://andon.test:8501",
        "retry": {"base_delay_s": 60, "factor": 2, "max_delay_s": 600},
    }
    (folder / "channels.yaml").write_text(yaml.safe_dump(channels), encoding="utf-8")
    (folder / "daily_plant_kpis.yaml").write_text(
        yaml.safe_dump(DAILY, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    (folder / "contacts.yaml").write_text(
        yaml.safe_dump(CONTACTS, allow_unicode=True), encoding="utf-8"
    )
    return folder


def csv_only(config: Path) -> Path:
    """The daily report of `config` as CSV files only: for tests about delivery (a PDF with
    CJK fonts takes seconds to render)."""
    text = yaml.safe_dump({**DAILY, "formats": ["csv"]}, allow_unicode=True, sort_keys=False)
    (config / "daily_plant_kpis.yaml").write_text(text, encoding="utf-8")
    return config


class Clock:
    """An injectable clock: tests move time instead of sleeping."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 10, 6, 0, 0, tzinfo=UTC))  # 08:00 in Shanghai


# The alert rule of the alert tests: SZ OEE below 60 %.
# SZ OEE: 53.75 % on 2026-10-06 (below 60 %), 74.79 % on 2026-10-05 (not). A day rule judges
# the day before the as-of date.
ALERT_RULES = {
    "defaults": {"grain": "day", "ack_timeout_minutes": 60},
    "rules": [
        {
            "name": "oee_low",
            "metric": "oee",
            "scope": ["plant"],
            "condition": {"type": "below", "value": 0.6},
        }
    ],
}
BREACHED_DAY, FINE_DAY = date(2026, 10, 7), date(2026, 10, 6)  # as-of dates


@pytest.fixture
def alert_config(config: Path) -> Path:
    (config / "alerts.yaml").write_text(yaml.safe_dump(ALERT_RULES), encoding="utf-8")
    return config


def evaluate_on(marts_file, folder, state, clock, day):  # noqa: ANN001, ANN202
    """evaluate_alerts on the as-of `day`, delivering through the folder's channels."""
    deliverer = Deliverer(load_channels(folder), state, clock=clock)
    return evaluate_alerts(
        marts_file, day, folder=folder, state=state, deliverer=deliverer, clock=clock
    )
