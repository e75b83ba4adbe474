"""Vendor request bodies, size limits and reply classification: the pure half of the channels."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

import pytest

from exports.channels.errors import Ambiguous, Fail, Retry, Sent, classify_http, classify_smtp_reply
from exports.channels.payloads import (
    FEISHU_BODY_MAX_BYTES,
    WECOM_MARKDOWN_MAX_BYTES,
    email_message,
    feishu_bot_request,
    markdown_to_slack,
    slack_webhook_request,
    truncation_note,
    wecom_bot_request,
)
from exports.notifications import Message


def _message(body: str, locale: str = "zh-CN") -> Message:
    return Message("a" * 64, "wecom", "E000001", "本周成绩：2026-W10", body, locale)


def _long_body(lines: int) -> str:
    return "### 需关注成员\n" + "".join(
        f"- 成员{i:04d}（E{i:06d}）：达成率 **61.50%**；考勤：迟到 2 次\n" for i in range(lines)
    )


def test_wecom_request_is_a_markdown_message_with_the_key_in_the_query():
    message = _message("### 本周成绩\n- 周奖金：**1,602.50 CNY**\n")
    request = wecom_bot_request(message, key="the-key")

    assert request.url == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=the-key"
    assert request.json() == {"msgtype": "markdown", "markdown": {"content": message.body_markdown}}
    assert request.headers["X-Hrhub-Idempotency-Key"] == message.idempotency_key
    assert "周奖金".encode() in request.body  # UTF-8, not \\u escapes that triple the size
    assert "the-key" not in request.display_url() and "the-key" not in repr(request)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_an_over_long_wecom_message_is_cut_at_a_line_with_a_visible_note(locale: str):
    body = _long_body(200)
    assert len(body.encode()) > WECOM_MARKDOWN_MAX_BYTES

    content = wecom_bot_request(_message(body, locale), key="k").json()["markdown"]["content"]

    assert len(content.encode("utf-8")) <= WECOM_MARKDOWN_MAX_BYTES
    assert content.endswith(truncation_note(locale))
    kept = content.removesuffix(truncation_note(locale))
    assert body.startswith(kept) and kept.endswith("次")  # whole lines only, nothing silently dropped mid-line


def test_a_message_within_the_limit_is_sent_unchanged():
    body = _long_body(20)
    assert wecom_bot_request(_message(body), key="k").json()["markdown"]["content"] == body


def test_feishu_body_including_json_overhead_stays_within_20_kb():
    body = _long_body(600) + '引号 "quoted" and \\ backslashes\n' * 50
    request = feishu_bot_request(_message(body), hook_id="h", secret="s", now_s=1700000000)

    assert len(request.body) <= FEISHU_BODY_MAX_BYTES
    assert len(request.body) > FEISHU_BODY_MAX_BYTES - 200  # cut close to the limit, not far below it
    assert request.json()["card"]["elements"][0]["content"].endswith(truncation_note("zh-CN"))


def test_slack_gets_mrkdwn_and_the_url_is_the_secret():
    message = _message("### Weekly result\n- Bonus: **1,602.50 CNY** <b>\n> context\n", locale="en")
    request = slack_webhook_request(message, webhook_url="https://hooks.slack.com/services/T1/B2/xyz")

    assert request.json() == {"text": "*Weekly result*\n- Bonus: *1,602.50 CNY* &lt;b&gt;\n> context\n"}
    assert "xyz" not in request.display_url()
    assert markdown_to_slack("a & b") == "a &amp; b"


def test_email_has_message_id_from_the_idempotency_key_and_utf8_subject_and_body():
    message = _message("### 本周成绩\n- 周奖金：**1,602.50 CNY**\n")
    mail = email_message(message, from_address="hr@example.com", to_address="zhang.wei@example.com")

    parsed = email.message_from_bytes(mail.as_bytes(), policy=email.policy.default)
    # 64 hex characters make the line longer than 78, so it is folded (legal, RFC 5322); unfolded it is the key.
    assert parsed["Message-ID"].strip() == f"<{message.idempotency_key}@hrhub>"
    assert parsed["Subject"] == message.subject
    assert parsed["To"] == "zhang.wei@example.com"
    assert parsed.get_content().replace("\r\n", "\n") == message.body_markdown  # CRLF on the wire


@pytest.mark.parametrize(
    ("kind", "status", "body", "expected"),
    [
        ("wecom_bot", 200, b'{"errcode":0,"errmsg":"ok"}', Sent),
        ("wecom_bot", 200, b'{"errcode":45009,"errmsg":"api freq out of limit"}', Retry),
        ("wecom_bot", 200, b'{"errcode":93000,"errmsg":"invalid webhook url"}', Fail),
        ("dingtalk_bot", 200, b'{"errcode":310000,"errmsg":"sign not match"}', Fail),
        ("dingtalk_bot", 200, b'{"errcode":130101,"errmsg":"send too fast"}', Retry),
        ("feishu_bot", 200, b'{"code":19021,"msg":"sign match fail"}', Fail),
        ("feishu_bot", 400, b'{"code":19024,"msg":"Key Words Not Found"}', Fail),
        ("feishu_bot", 200, b'{"code":11232,"msg":"frequency limited"}', Retry),
        ("feishu_bot", 200, b'{"StatusCode":0,"StatusMessage":"success"}', Sent),
        ("slack_webhook", 200, b"ok", Sent),
        ("slack_webhook", 404, b"channel_not_found", Fail),
        ("slack_webhook", 410, b"channel_is_archived", Fail),
        ("slack_webhook", 503, b"", Retry),
        ("wecom_bot", 504, b"<html>gateway timeout</html>", Ambiguous),
        ("wecom_bot", 200, b"<html>captive portal</html>", Ambiguous),
    ],
)
def test_replies_are_classified_by_body_then_status(kind: str, status: int, body: bytes, expected: type):
    assert isinstance(classify_http(kind, status, body, {}), expected)


def test_throttling_waits_as_the_vendor_asks():
    assert classify_http("wecom_bot", 200, b'{"errcode":45009}', {}) == Retry(
        "WeCom code 45009 (rate limited (20 messages/min per bot))", 60.0
    )
    assert classify_http("dingtalk_bot", 200, b'{"errcode":130101}', {}).after_seconds == 600.0
    assert classify_http("slack_webhook", 429, b"", {"retry-after": "7"}).after_seconds == 7.0
    now = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)
    dated = classify_http("slack_webhook", 429, b"", {"Retry-After": "Mon, 02 Mar 2026 08:00:45 GMT"}, now)
    assert dated.after_seconds == 45.0


@pytest.mark.parametrize(("code", "expected"), [(250, Sent), (421, Retry), (451, Retry), (550, Fail), (554, Fail)])
def test_smtp_4xx_retries_and_5xx_fails(code: int, expected: type):
    assert isinstance(classify_smtp_reply(code, "text"), expected)
