"""A local HTTP server playing the WeCom, DingTalk and Feishu bots and a Slack incoming webhook.

It checks what a vendor checks (the WeCom key, DingTalk and Feishu signatures, computed here independently with
hmac/hashlib/base64) and answers as the vendor does; tests queue special replies (error codes, throttling, a
dropped connection) per vendor. Every request is recorded with the idempotency key header, so tests can count
deliveries per message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WECOM_KEY = "wecom-key-7f3a9c"
DINGTALK_TOKEN = "dingtalk-token-51be"
DINGTALK_SECRET = "SECdingtalk-secret-0a1b2c"
FEISHU_HOOK = "feishu-hook-8d2e"
FEISHU_SECRET = "feishu-secret-33aa"
SLACK_PATH = "/services/T0TEST/B0TEST/slack-secret-xyz"
ALL_SECRETS = (WECOM_KEY, DINGTALK_TOKEN, DINGTALK_SECRET, FEISHU_HOOK, FEISHU_SECRET, "slack-secret-xyz")


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: object = None  # dict -> JSON, str -> text, None -> the vendor's success body
    headers: tuple[tuple[str, str], ...] = ()
    drop: bool = False  # read the request, then close the connection without answering


@dataclass(frozen=True)
class Received:
    vendor: str
    path: str
    query: dict[str, str]
    body: object
    idempotency_key: str | None
    at: float  # by the server's clock (the tests' fake clock when they pass one)


SUCCESS = {
    "wecom": Reply(body={"errcode": 0, "errmsg": "ok"}),
    "dingtalk": Reply(body={"errcode": 0, "errmsg": "ok"}),
    "feishu": Reply(body={"code": 0, "data": {}, "msg": "success"}),
    "slack": Reply(body="ok"),
}


@dataclass
class BotServer:
    clock: Callable[[], float] = time.time
    on_request: Callable[[Received], None] | None = None  # runs before replying (tests block here)
    received: list[Received] = field(default_factory=list)
    replies: dict[str, deque[Reply]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                server._handle(self)

            def log_message(self, format: str, *args: object) -> None:
                return None

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> BotServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def queue(self, vendor: str, *replies: Reply) -> None:
        """Answer the next requests to ``vendor`` with ``replies``, then with success again."""
        with self._lock:
            self.replies.setdefault(vendor, deque()).extend(replies)

    def keys(self, vendor: str | None = None) -> list[str | None]:
        with self._lock:
            return [r.idempotency_key for r in self.received if vendor is None or r.vendor == vendor]

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        raw = handler.rfile.read(int(handler.headers.get("Content-Length", 0)))
        vendor = _vendor(url.path)
        try:
            body: object = json.loads(raw.decode("utf-8"))
        except ValueError:
            body = raw.decode("utf-8", errors="replace")
        received = Received(vendor, url.path, query, body, handler.headers.get("X-Hrhub-Idempotency-Key"), self.clock())
        with self._lock:
            self.received.append(received)
            queued = self.replies.get(vendor)
            reply = queued.popleft() if queued else None
        if self.on_request is not None:
            self.on_request(received)
        reply = reply or _check_credentials(vendor, url.path, query, body) or SUCCESS.get(vendor, Reply(404, "no"))
        if reply.drop:
            handler.close_connection = True
            return
        payload = json.dumps(reply.body).encode() if isinstance(reply.body, dict) else str(reply.body).encode()
        handler.send_response(reply.status)
        handler.send_header("Content-Type", "application/json" if isinstance(reply.body, dict) else "text/plain")
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers:
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)


def _vendor(path: str) -> str:
    if path == "/cgi-bin/webhook/send":
        return "wecom"
    if path == "/robot/send":
        return "dingtalk"
    if path.startswith("/open-apis/bot/v2/hook/"):
        return "feishu"
    if path.startswith("/services/"):
        return "slack"
    return "unknown"


def _check_credentials(vendor: str, path: str, query: dict[str, str], body: object) -> Reply | None:
    """What the vendors reject, with their codes; None when the request is acceptable."""
    if vendor == "wecom" and query.get("key") != WECOM_KEY:
        return Reply(body={"errcode": 93000, "errmsg": "invalid webhook url"})
    if vendor == "dingtalk":
        timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
        expected = base64.b64encode(
            hmac.new(DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256).digest()
        ).decode()
        if query.get("access_token") != DINGTALK_TOKEN or len(timestamp) != 13 or sign != expected:
            return Reply(body={"errcode": 310000, "errmsg": "sign not match"})
    if vendor == "feishu":
        timestamp = str(body.get("timestamp", "")) if isinstance(body, dict) else ""
        expected = base64.b64encode(
            hmac.new(f"{timestamp}\n{FEISHU_SECRET}".encode(), b"", hashlib.sha256).digest()
        ).decode()
        signed = isinstance(body, dict) and body.get("sign") == expected and len(timestamp) == 10
        if path != f"/open-apis/bot/v2/hook/{FEISHU_HOOK}" or not signed:
            return Reply(body={"code": 19021, "msg": "sign match fail or timestamp is not within one hour"})
    if vendor == "slack" and path != SLACK_PATH:
        return Reply(404, "no_service")
    return None


class FakeClock:
    """Wall-clock seconds that only move when something sleeps: rate limits and retries in no real time."""

    def __init__(self, start: float = 1_772_409_600.0) -> None:  # 2026-03-02 00:00 UTC
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
