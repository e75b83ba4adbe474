"""Channel configuration: bad input is refused with the channel and field named, and secrets never echoed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from exports.channels.config import ChannelConfigError, RateLimit, load_channel_config, parse_channel_config
from exports.delivery.senders import build_senders
from exports.notifications import Message

SECRET = "s3cr3t-webhook-key-do-not-print"
CONFIG_YAML = """
channels:
  hr_group:
    kind: wecom_bot
    key_env: HRHUB_TEST_WECOM_KEY
  managers:
    kind: dingtalk_bot
    access_token_env: HRHUB_TEST_DINGTALK_TOKEN
    secret_env: HRHUB_TEST_DINGTALK_SECRET
    rate_limits: [{max_messages: 10, per_seconds: 60}]
    max_attempts: 3
  mail:
    kind: smtp
    host: smtp.example.com
    security: ssl
    username: hrhub
    password_env: HRHUB_TEST_SMTP_PASSWORD
    from_address: hr@example.com
  outbox:
    kind: file
    path: var/outbox/outbox.jsonl
routing:
  - {recipient: HR, channel: hr_group}
  - {message_channel: [managers], channel: managers}
  - {message_channel: email, channel: mail}
  - {channel: outbox}
"""
ENVIRON = {
    "HRHUB_TEST_WECOM_KEY": SECRET,
    "HRHUB_TEST_DINGTALK_TOKEN": "token-value-xyz",
    "HRHUB_TEST_DINGTALK_SECRET": "SEC-signing-value",
    "HRHUB_TEST_SMTP_PASSWORD": "smtp-password-value",
}


def _raw() -> dict:
    return yaml.safe_load(CONFIG_YAML)


def _message(recipient: str, channel: str = "wecom") -> Message:
    return Message("k" * 64, channel, recipient, "subject", "body", "zh-CN")


def _error(raw: object) -> str:
    with pytest.raises(ChannelConfigError) as caught:
        parse_channel_config(raw)
    return str(caught.value)


def test_a_valid_file_loads_with_vendor_defaults_and_routes_first_match(tmp_path: Path):
    path = tmp_path / "channels.yaml"
    path.write_text(CONFIG_YAML, encoding="utf-8")
    config = load_channel_config(path)

    assert config.channel("hr_group").rate_limits == (RateLimit(20, 60),)  # WeCom's 20/min when not configured
    assert config.channel("managers").rate_limits == (RateLimit(10, 60),)
    assert config.channel("managers").max_attempts == 3
    assert config.channel("mail").setting("port") == 465  # the ssl default
    assert config.route(_message("HR", channel="managers")).name == "hr_group"  # first rule wins
    assert config.route(_message("M000001", channel="managers")).name == "managers"
    assert config.route(_message("E000001")).name == "outbox"


def test_routing_to_an_unknown_channel_is_refused():
    raw = _raw()
    raw["routing"].insert(0, {"recipient": "HR", "channel": "hr_grup"})
    assert (
        _error(raw)
        == "routing rule 1: channel 'hr_grup' is not configured (configured: hr_group, mail, managers, outbox)"
    )


def test_looking_up_an_unknown_channel_names_it():
    config = parse_channel_config(_raw())
    with pytest.raises(ChannelConfigError, match="channel 'sms' is not configured"):
        config.channel("sms")


def test_an_unknown_kind_is_refused_with_the_known_kinds():
    raw = _raw()
    raw["channels"]["hr_group"]["kind"] = "wechat_bot"
    message = _error(raw)
    assert "channel 'hr_group'" in message and "field 'kind'" in message
    assert "wecom_bot, dingtalk_bot, feishu_bot, slack_webhook, smtp, file" in message


@pytest.mark.parametrize(
    ("channel", "field"),
    [("hr_group", "key_env"), ("managers", "access_token_env"), ("mail", "host"), ("mail", "from_address")],
)
def test_a_missing_required_field_names_channel_and_field(channel: str, field: str):
    raw = _raw()
    del raw["channels"][channel][field]
    message = _error(raw)
    assert f"channel {channel!r}" in message and f"required field {field!r} is missing" in message


def test_a_missing_environment_variable_names_the_variable_and_the_channel_not_any_value():
    config = parse_channel_config(_raw())
    environ = {name: value for name, value in ENVIRON.items() if name != "HRHUB_TEST_DINGTALK_SECRET"}
    environ["HRHUB_TEST_SMTP_PASSWORD"] = ""  # set but empty is as good as missing

    with pytest.raises(ChannelConfigError) as caught:
        build_senders(config, environ)

    message = str(caught.value)
    assert "channel 'managers' (dingtalk_bot): environment variable HRHUB_TEST_DINGTALK_SECRET" in message
    assert "channel 'mail' (smtp): environment variable HRHUB_TEST_SMTP_PASSWORD" in message
    assert all(value not in message for value in ENVIRON.values() if value)


def test_a_secret_pasted_into_an_env_field_is_refused_without_echoing_it():
    raw = _raw()
    raw["channels"]["hr_group"]["key_env"] = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={SECRET}"
    message = _error(raw)
    assert "channel 'hr_group' (wecom_bot): field 'key_env' must be the NAME of an environment variable" in message
    assert SECRET not in message


def test_a_secret_under_an_unknown_field_is_refused_without_echoing_it():
    raw = _raw()
    raw["channels"]["managers"]["secret"] = SECRET  # meant secret_env
    message = _error(raw)
    assert "channel 'managers' (dingtalk_bot): unknown field(s) 'secret'" in message
    assert SECRET not in message


def test_a_secret_in_invalid_yaml_is_not_echoed(tmp_path: Path):
    path = tmp_path / "channels.yaml"
    path.write_text(f"channels:\n  hr_group: {{kind: wecom_bot, key: [{SECRET}\n", encoding="utf-8")
    with pytest.raises(ChannelConfigError) as caught:
        load_channel_config(path)
    assert "not valid YAML" in str(caught.value) and SECRET not in str(caught.value)


def test_smtp_username_without_password_variable_is_refused():
    raw = _raw()
    del raw["channels"]["mail"]["password_env"]
    assert "'username' and 'password_env' go together" in _error(raw)


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ({"max_attempts": 0}, "field 'max_attempts' must be a whole number of at least 1"),
        ({"rate_limits": [{"max_messages": 20}]}, "needs 'max_messages' and 'per_seconds'"),
        ({"base_url": "ftp://example.com"}, "field 'base_url' must be an http(s) URL"),
    ],
)
def test_bad_values_are_refused_with_the_field(patch: dict, expected: str):
    raw = _raw()
    raw["channels"]["hr_group"].update(patch)
    assert expected in _error(raw)


def test_a_config_without_routing_is_refused():
    raw = _raw()
    del raw["routing"]
    assert "'routing' must be a non-empty list" in _error(raw)


def test_a_message_no_rule_matches_is_a_config_error():
    raw = _raw()
    raw["routing"] = [{"recipient": "HR", "channel": "hr_group"}]
    with pytest.raises(ChannelConfigError, match="no routing rule matches message channel 'wecom'"):
        parse_channel_config(raw).route(_message("E000001"))


def test_built_senders_do_not_show_secrets():
    senders = build_senders(parse_channel_config(_raw()), ENVIRON)
    shown = repr(senders)
    assert "hr_group" in shown
    assert all(value not in shown for value in ENVIRON.values())


def test_a_dry_run_needs_no_secrets_and_sends_every_route_to_the_outbox_file(tmp_path: Path):
    outbox = tmp_path / "outbox.jsonl"
    senders = build_senders(parse_channel_config(_raw()), {}, dry_run_outbox=outbox)

    sender = senders.for_message(_message("HR"))
    assert sender.name == "hr_group" and sender.kind == "file"
    sender.send(_message("HR"))
    assert outbox.read_text(encoding="utf-8").count("\n") == 1
