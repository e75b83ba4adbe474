"""Vendor reply -> what the outbox should do: sent, retry later, fail for good, or "unknown" (maybe delivered).

The Chinese bots answer HTTP 200 with ``errcode``/``code`` != 0 for business errors and throttling, so the body
decides, not only the status (source_apis.md section 4). ``Ambiguous`` is for replies that do not tell whether
the message went out (a gateway timeout, a 200 with a body we cannot read): re-sending those could deliver a
message twice, so the outbox parks them as ``unknown`` for a person to check.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# How long to wait when a vendor throttles without saying how long (seconds).
WECOM_THROTTLE_WAIT = 60.0  # 20 messages per minute per bot
DINGTALK_THROTTLE_WAIT = 600.0  # going over 20/min blocks the bot for 10 minutes
FEISHU_THROTTLE_WAIT = 60.0
SLACK_DEFAULT_RETRY_AFTER = 30.0

# Business codes that say "try again later"; every other non-zero code fails for good (bad key, bad signature,
# keyword or IP not allowed, malformed message: sending the same request again cannot help).
_WECOM_RETRY = {45009: WECOM_THROTTLE_WAIT, -1: None}  # -1: system busy
_DINGTALK_RETRY = {130101: DINGTALK_THROTTLE_WAIT, -1: None}
_FEISHU_RETRY = {11232: FEISHU_THROTTLE_WAIT}
_DINGTALK_MEANINGS = {310000: "keyword, signature, timestamp or IP rejected", 130101: "sending too fast"}
_FEISHU_MEANINGS = {
    19021: "signature or timestamp rejected",
    19022: "IP not allowed",
    19024: "keyword missing",
    9499: "bad request",
    11232: "throttled",
}
_WECOM_MEANINGS = {45009: "rate limited (20 messages/min per bot)", 93000: "invalid webhook key"}


@dataclass(frozen=True)
class Sent:
    detail: str = ""


@dataclass(frozen=True)
class Retry:
    reason: str
    after_seconds: float | None = None  # None: the outbox backs off by itself


@dataclass(frozen=True)
class Fail:
    reason: str


@dataclass(frozen=True)
class Ambiguous:
    reason: str


Outcome = Sent | Retry | Fail | Ambiguous


def classify_http(
    kind: str, status: int, body: bytes, headers: Mapping[str, str], now: datetime | None = None
) -> Outcome:
    """Classify a webhook reply by channel kind (wecom_bot, dingtalk_bot, feishu_bot, slack_webhook)."""
    if kind == "slack_webhook":
        return classify_slack(status, body, retry_after_seconds(headers, now))
    classify_body = {"wecom_bot": classify_wecom, "dingtalk_bot": classify_dingtalk, "feishu_bot": classify_feishu}
    if kind not in classify_body:
        raise ValueError(f"no HTTP classifier for channel kind {kind!r}")
    return classify_body[kind](status, body, retry_after_seconds(headers, now))


def classify_wecom(status: int, body: bytes, retry_after: float | None = None) -> Outcome:
    """WeCom: ``{"errcode":0,"errmsg":"ok"}``; 45009 rate limited -> retry; other codes fail."""
    return _classify_coded("WeCom", status, body, ("errcode",), _WECOM_RETRY, _WECOM_MEANINGS, retry_after)


def classify_dingtalk(status: int, body: bytes, retry_after: float | None = None) -> Outcome:
    """DingTalk: ``{"errcode":0}``; 130101 too fast -> retry; 310000 (sign/keyword/IP) and others fail."""
    return _classify_coded("DingTalk", status, body, ("errcode",), _DINGTALK_RETRY, _DINGTALK_MEANINGS, retry_after)


def classify_feishu(status: int, body: bytes, retry_after: float | None = None) -> Outcome:
    """Feishu: ``{"code":0}`` (older bots ``{"StatusCode":0}``); 11232 throttled -> retry; 19021 and others fail."""
    return _classify_coded("Feishu", status, body, ("code", "StatusCode"), _FEISHU_RETRY, _FEISHU_MEANINGS, retry_after)


def classify_slack(status: int, body: bytes, retry_after: float | None = None) -> Outcome:
    """Slack: 200 with body ``ok``; 429 -> retry after ``Retry-After``; 4xx (``invalid_payload``,
    ``channel_not_found``, ...) fail; other statuses as any HTTP server's."""
    text = _excerpt(body.decode("utf-8", errors="replace"))
    if status == 200:
        return Sent("ok") if text.strip() == "ok" else Ambiguous(f"Slack HTTP 200 with unexpected body {text!r}")
    if status == 429:
        return Retry(
            "Slack HTTP 429 rate limited", retry_after if retry_after is not None else SLACK_DEFAULT_RETRY_AFTER
        )
    return classify_status("Slack", status, text, retry_after)


def classify_status(vendor: str, status: int, text: str, retry_after: float | None = None) -> Outcome:
    """What the HTTP status alone says. 502/504 mean a gateway lost the answer: the vendor may have posted."""
    if status == 429 or status in (500, 503):
        return Retry(f"{vendor} HTTP {status}: {text}", retry_after)
    if status in (502, 504):
        return Ambiguous(f"{vendor} HTTP {status} from a gateway: the message may have been posted")
    if 200 <= status < 300:
        return Ambiguous(f"{vendor} HTTP {status} with an unreadable body: {text!r}")
    return Fail(f"{vendor} HTTP {status}: {text}")


def classify_smtp_reply(code: int, text: str) -> Outcome:
    """SMTP: 2xx accepted; 4xx (mailbox busy, greylisting, 451 local error) -> retry; 5xx -> fail."""
    if 200 <= code < 300:
        return Sent(f"SMTP {code}")
    if 400 <= code < 500:
        return Retry(f"SMTP {code}: {_excerpt(text)}")
    return Fail(f"SMTP {code}: {_excerpt(text)}")


def retry_after_seconds(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds (a number or an HTTP date, RFC 9110), header name in any case."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _classify_coded(
    vendor: str,
    status: int,
    body: bytes,
    code_fields: tuple[str, ...],
    retry_codes: Mapping[int, float | None],
    meanings: Mapping[int, str],
    retry_after: float | None,
) -> Outcome:
    parsed = _json_object(body)
    code = next((parsed[name] for name in code_fields if parsed is not None and name in parsed), None)
    if not isinstance(code, int) or isinstance(code, bool):
        return classify_status(vendor, status, _excerpt(body.decode("utf-8", errors="replace")), retry_after)
    if code == 0:
        return Sent(f"{vendor} code 0") if 200 <= status < 300 else Ambiguous(f"{vendor} HTTP {status} with code 0")
    message = str(parsed.get("errmsg") or parsed.get("msg") or parsed.get("StatusMessage") or "") if parsed else ""
    meaning = meanings.get(code)
    reason = (
        f"{vendor} code {code}" + (f" ({meaning})" if meaning else "") + (f": {_excerpt(message)}" if message else "")
    )
    if code in retry_codes:
        wait = retry_after if retry_after is not None else retry_codes[code]
        return Retry(reason, wait)
    return Fail(reason)


def _json_object(body: bytes) -> dict[str, object] | None:
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."
