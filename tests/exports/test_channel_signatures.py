"""DingTalk and Feishu bot signatures, checked against a step-by-step derivation of the vendors' documented recipe
and against values computed once with the openssl command line (an independent HMAC implementation):

    printf '%s\\n%s' 1700000000000 SECb6f2c1a0d9e84f7a | openssl dgst -sha256 -hmac SECb6f2c1a0d9e84f7a -binary | base64
    printf '' | openssl dgst -sha256 -hmac "$(printf '%s\\n%s' 1700000000 fs-secret-42)" -binary | base64
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

from exports.channels.payloads import dingtalk_bot_request, dingtalk_sign, feishu_bot_request, feishu_sign
from exports.notifications import Message

DINGTALK_SECRET = "SECb6f2c1a0d9e84f7a"
DINGTALK_TS_MS = 1700000000000
DINGTALK_OPENSSL_BASE64 = "+bF+ZtPJ5xrX9FVdRfRfc+l5cBJh7b+zqgx6EghnI4I="
FEISHU_SECRET = "fs-secret-42"
FEISHU_TS_S = 1700000000
FEISHU_OPENSSL_BASE64 = "yGS8AbL11Qk/yWSGNuNvFC8MM8tTLiU1FS1LO5qNJ68="

MESSAGE = Message(
    idempotency_key="k" * 64,
    channel="managers",
    recipient="E000001",
    subject="需关注成员（1 人）",
    body_markdown="### 需关注成员\n- 张伟：达成率 **62.00%**\n",
    locale="zh-CN",
)


def test_dingtalk_sign_follows_the_documented_recipe():
    # DingTalk: string_to_sign = timestamp + "\n" + secret; HmacSHA256 keyed with the secret; Base64; urlEncode.
    string_to_sign = f"{DINGTALK_TS_MS}\n{DINGTALK_SECRET}".encode()
    digest = hmac.new(DINGTALK_SECRET.encode("utf-8"), string_to_sign, digestmod=hashlib.sha256).digest()
    expected = urllib.parse.quote_plus(base64.b64encode(digest))

    assert dingtalk_sign(DINGTALK_SECRET, DINGTALK_TS_MS) == expected
    assert urllib.parse.unquote_plus(dingtalk_sign(DINGTALK_SECRET, DINGTALK_TS_MS)) == DINGTALK_OPENSSL_BASE64


def test_feishu_sign_follows_the_documented_recipe():
    # Feishu: string_to_sign = timestamp + "\n" + secret is the HMAC *key*; the message is empty; Base64.
    key = f"{FEISHU_TS_S}\n{FEISHU_SECRET}".encode()
    expected = base64.b64encode(hmac.new(key, b"", digestmod=hashlib.sha256).digest()).decode()

    assert feishu_sign(FEISHU_SECRET, FEISHU_TS_S) == expected == FEISHU_OPENSSL_BASE64


def test_swapping_key_and_message_gives_a_different_signature():
    """The common bug: signing Feishu the DingTalk way (or the reverse) yields a signature the vendor rejects."""
    feishu_the_dingtalk_way = base64.b64encode(
        hmac.new(FEISHU_SECRET.encode(), f"{FEISHU_TS_S}\n{FEISHU_SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    dingtalk_the_feishu_way = base64.b64encode(
        hmac.new(f"{DINGTALK_TS_MS}\n{DINGTALK_SECRET}".encode(), b"", hashlib.sha256).digest()
    ).decode()

    assert feishu_sign(FEISHU_SECRET, FEISHU_TS_S) != feishu_the_dingtalk_way
    assert urllib.parse.unquote_plus(dingtalk_sign(DINGTALK_SECRET, DINGTALK_TS_MS)) != dingtalk_the_feishu_way


def test_timestamp_units_matter():
    """DingTalk takes milliseconds, Feishu seconds: the same instant in the wrong unit signs differently."""
    assert dingtalk_sign(DINGTALK_SECRET, DINGTALK_TS_MS) != dingtalk_sign(DINGTALK_SECRET, DINGTALK_TS_MS // 1000)
    assert feishu_sign(FEISHU_SECRET, FEISHU_TS_S) != feishu_sign(FEISHU_SECRET, FEISHU_TS_S * 1000)


def test_dingtalk_request_carries_ms_timestamp_and_a_sign_encoded_exactly_once():
    request = dingtalk_bot_request(MESSAGE, access_token="tok", secret=DINGTALK_SECRET, now_ms=DINGTALK_TS_MS)

    url = urllib.parse.urlsplit(request.url)
    assert url.path == "/robot/send" and url.netloc == "oapi.dingtalk.com"
    query = dict(urllib.parse.parse_qsl(url.query))
    assert query == {"access_token": "tok", "timestamp": str(DINGTALK_TS_MS), "sign": DINGTALK_OPENSSL_BASE64}
    assert "%2B" in url.query and "%252B" not in url.query  # '+' encoded once, not twice
    assert request.json() == {
        "msgtype": "markdown",
        "markdown": {"title": MESSAGE.subject, "text": MESSAGE.body_markdown},
        "at": {"atUserIds": [], "isAtAll": False},
    }


def test_feishu_request_carries_seconds_timestamp_and_sign_in_the_body():
    request = feishu_bot_request(MESSAGE, hook_id="hook-1", secret=FEISHU_SECRET, now_s=FEISHU_TS_S)

    assert request.url == "https://open.feishu.cn/open-apis/bot/v2/hook/hook-1"
    body = request.json()
    assert body["timestamp"] == str(FEISHU_TS_S) and body["sign"] == FEISHU_OPENSSL_BASE64
    assert body["msg_type"] == "interactive"
    assert body["card"]["header"]["title"]["content"] == MESSAGE.subject
    assert body["card"]["elements"] == [{"tag": "markdown", "content": MESSAGE.body_markdown}]


def test_unsigned_bots_send_no_signature_fields():
    """Bots secured by keyword or IP have no signing secret: no timestamp/sign at all rather than a wrong one."""
    dingtalk = dingtalk_bot_request(MESSAGE, access_token="tok", secret=None, now_ms=DINGTALK_TS_MS)
    feishu = feishu_bot_request(MESSAGE, hook_id="hook-1", secret=None, now_s=FEISHU_TS_S)

    assert dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(dingtalk.url).query)) == {"access_token": "tok"}
    assert "sign" not in feishu.json() and "timestamp" not in feishu.json()
