"""Message -> the exact request each vendor expects (source_apis.md section 4). Pure: no clock, no network.

Callers pass the current time in, so a request is a function of its inputs and tests can pin it. Bodies are
encoded here, once, as UTF-8 JSON (``ensure_ascii=False``): the size limits count bytes of what is sent, and
``\\uXXXX`` escapes would triple the size of Chinese text. A body over a vendor's limit is cut at a line
boundary and ends with a visible note, never split into several messages: a second message would need a second
idempotency key and could arrive without the first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any
from urllib.parse import quote, quote_plus

from exports.notifications import Message

WECOM_BASE_URL = "https://qyapi.weixin.qq.com"
DINGTALK_BASE_URL = "https://oapi.dingtalk.com"
FEISHU_BASE_URL = "https://open.feishu.cn"
WECOM_MARKDOWN_MAX_BYTES = 4096
FEISHU_BODY_MAX_BYTES = 20 * 1024
# Vendors ignore unknown headers; our own test servers and proxies use it to see each message's identity.
IDEMPOTENCY_HEADER = "X-Hrhub-Idempotency-Key"
MESSAGE_ID_DOMAIN = "hrhub"

_TRUNCATION_NOTES = {
    "zh-CN": "\n\n> （内容过长，已截断；完整内容请查看看板）",
    "en": "\n\n> (message truncated to fit the channel's size limit; see the dashboard for the rest)",
}


@dataclass(frozen=True)
class HttpRequest:
    """A POST ready to send. ``url`` may carry the credential (WeCom key, Slack path): use ``display_url``."""

    url: str = field(repr=False)
    body: bytes = field(repr=False)
    headers: Mapping[str, str]
    secrets: tuple[str, ...] = field(default=(), repr=False)

    def display_url(self) -> str:
        """The URL with every credential replaced by ``***``: the only form that may be logged."""
        return redact_text(self.url, self.secrets)

    def json(self) -> Any:
        return json.loads(self.body)


def redact_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Replace the known secret values (raw and URL-encoded) and credential-looking URL parts with ``***``."""
    for value in secrets:
        if value:
            for form in {value, quote(value, safe=""), quote_plus(value)}:
                text = text.replace(form, "***")
    return redact_urls(text)


_SENSITIVE_QUERY = re.compile(r"(?<![\w-])((?:access_token|key|sign|secret|token|password)=)[^&\s\"']+", re.I)
_SENSITIVE_PATHS = re.compile(r"(/services/|/bot/v2/hook/)[^\s\"'?#]+")


def redact_urls(text: str) -> str:
    """Credential-looking parts of any URL in ``text`` (query keys and tokens, Slack and Feishu hook paths)."""
    return _SENSITIVE_PATHS.sub(r"\1***", _SENSITIVE_QUERY.sub(r"\1***", text))


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk: urlencode(base64(HMAC_SHA256(key=secret, msg=f"{timestamp_ms}\\n{secret}"))), ready for the URL."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu: base64(HMAC_SHA256(key=f"{timestamp_s}\\n{secret}", msg=b"")). Key and message are the other way
    round from DingTalk's; the result goes in the JSON body, so it is not URL-encoded."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def truncation_note(locale: str) -> str:
    return _TRUNCATION_NOTES.get(locale, _TRUNCATION_NOTES["en"])


def truncate_utf8(text: str, max_bytes: int, locale: str) -> str:
    """``text`` if it fits in ``max_bytes`` of UTF-8, else its head (ending at a line break when one is near) plus
    a visible note saying it was cut; the result always fits."""
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    note = truncation_note(locale)
    budget = max_bytes - len(note.encode("utf-8"))
    if budget <= 0:
        raise ValueError(f"a limit of {max_bytes} bytes leaves no room for the truncation note")
    head = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    line_end = head.rfind("\n")
    if line_end >= len(head) // 2:  # cutting at a line keeps markdown (bold, lists) intact
        head = head[:line_end]
    return head.rstrip() + note


def wecom_bot_request(message: Message, *, key: str, base_url: str = WECOM_BASE_URL) -> HttpRequest:
    """WeCom group bot, markdown message: the key in the URL is the credential; content at most 4096 bytes."""
    content = truncate_utf8(message.body_markdown, WECOM_MARKDOWN_MAX_BYTES, message.locale)
    body = {"msgtype": "markdown", "markdown": {"content": content}}
    url = f"{base_url.rstrip('/')}/cgi-bin/webhook/send?key={quote(key, safe='')}"
    return _json_request(message, url, body, secrets=(key,))


def dingtalk_bot_request(
    message: Message, *, access_token: str, secret: str | None, now_ms: int, base_url: str = DINGTALK_BASE_URL
) -> HttpRequest:
    """DingTalk custom bot, markdown message. With a signing secret the URL carries ``timestamp`` (ms) and the
    already URL-encoded ``sign``; the query is assembled here so the sign is encoded exactly once."""
    url = f"{base_url.rstrip('/')}/robot/send?access_token={quote(access_token, safe='')}"
    secrets: tuple[str, ...] = (access_token,)
    if secret:
        url += f"&timestamp={now_ms}&sign={dingtalk_sign(secret, now_ms)}"
        secrets += (secret,)
    body = {
        "msgtype": "markdown",
        "markdown": {"title": message.subject, "text": message.body_markdown},
        "at": {"atUserIds": [], "isAtAll": False},
    }
    return _json_request(message, url, body, secrets=secrets)


def feishu_bot_request(
    message: Message, *, hook_id: str, secret: str | None, now_s: int, base_url: str = FEISHU_BASE_URL
) -> HttpRequest:
    """Feishu custom bot, an interactive card (subject as header, body as markdown); whole body <= 20 KB."""
    url = f"{base_url.rstrip('/')}/open-apis/bot/v2/hook/{quote(hook_id, safe='')}"
    signature: dict[str, str] = {"timestamp": str(now_s), "sign": feishu_sign(secret, now_s)} if secret else {}

    def body_with(content: str) -> dict[str, Any]:
        card = {
            "header": {"title": {"tag": "plain_text", "content": message.subject}},
            "elements": [{"tag": "markdown", "content": content}],
        }
        return {**signature, "msg_type": "interactive", "card": card}

    content = _fit_body(body_with, message.body_markdown, FEISHU_BODY_MAX_BYTES, message.locale)
    secrets = (hook_id, secret) if secret else (hook_id,)
    return _json_request(message, url, body_with(content), secrets=secrets)


def slack_webhook_request(message: Message, *, webhook_url: str) -> HttpRequest:
    """Slack incoming webhook: the whole URL is the credential; the body is converted to Slack's mrkdwn."""
    body = {"text": markdown_to_slack(message.body_markdown)}
    return _json_request(message, webhook_url, body, secrets=(webhook_url,))


def markdown_to_slack(text: str) -> str:
    """Our bot markdown subset -> Slack mrkdwn: ``&<>`` escaped, ``**bold**`` -> ``*bold*``, headings bold."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"\*\*(.+?)\*\*", r"*\1*", text)
    text = re.sub(r"^#{1,6} +(.+)$", r"*\1*", text, flags=re.M)
    return re.sub(r"^&gt; ", "> ", text, flags=re.M)  # quotes stay quotes


def message_id_for(idempotency_key: str) -> str:
    """RFC 5322 Message-ID from the idempotency key: a re-sent mail is recognisably the same mail."""
    return f"<{idempotency_key}@{MESSAGE_ID_DOMAIN}>"


def email_message(message: Message, *, from_address: str, to_address: str) -> EmailMessage:
    """A plain-text UTF-8 mail (the markdown reads well as text). The sender adds ``Date`` when it sends."""
    mail = EmailMessage(policy=SMTP)
    mail["From"] = from_address
    mail["To"] = to_address
    mail["Subject"] = message.subject
    mail["Message-ID"] = message_id_for(message.idempotency_key)
    mail["Content-Language"] = message.locale
    mail[IDEMPOTENCY_HEADER] = message.idempotency_key
    mail.set_content(message.body_markdown, subtype="plain", charset="utf-8")
    return mail


def encode_json(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json_request(message: Message, url: str, body: Mapping[str, Any], *, secrets: tuple[str, ...]) -> HttpRequest:
    headers = {"Content-Type": "application/json; charset=utf-8", IDEMPOTENCY_HEADER: message.idempotency_key}
    return HttpRequest(url=url, body=encode_json(body), headers=headers, secrets=secrets)


def _fit_body(build: Callable[[str], Mapping[str, Any]], content: str, max_bytes: int, locale: str) -> str:
    """The longest head of ``content`` whose encoded request body fits ``max_bytes`` (JSON escaping included)."""
    budget = max_bytes - len(encode_json(build("")))
    fitted = content
    while True:
        fitted = truncate_utf8(content, budget, locale)
        excess = len(encode_json(build(fitted))) - max_bytes
        if excess <= 0:
            return fitted
        budget -= excess  # escapes ("\n" -> "\\n") took more room than the raw text: shrink by what is over
