"""Notification channel configuration: which channels exist, how each is reached, and which messages go where.

Loaded from a YAML mapping::

    channels:
      hr_group:
        kind: wecom_bot
        key_env: HRHUB_WECOM_BOT_KEY          # the NAME of the variable that holds the webhook key
      managers:
        kind: dingtalk_bot
        access_token_env: HRHUB_DINGTALK_TOKEN
        secret_env: HRHUB_DINGTALK_SECRET     # optional: bots secured by keyword or IP have no signing secret
        rate_limits: [{max_messages: 20, per_seconds: 60}]
        max_attempts: 5
      outbox:
        kind: file
        path: var/outbox/outbox.jsonl
    routing:                                  # first matching rule wins; a rule without conditions matches all
      - {recipient: HR, channel: hr_group}
      - {message_channel: managers, channel: managers}
      - {channel: outbox}

Secrets never appear in the file: a channel names the *environment variable* holding its webhook key, signing
secret or password (the ``*_env`` fields) and ``check_environment`` reports missing ones by name. Every error is a
``ChannelConfigError`` naming the channel and field but never a configured value: a value in the wrong field may
be a secret someone pasted by mistake.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from connectors.secret import Secret
from exports.notifications import Message

KINDS = ("wecom_bot", "dingtalk_bot", "feishu_bot", "slack_webhook", "smtp", "file")
SMTP_SECURITY = ("ssl", "starttls", "none")
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_TIMEOUT_SECONDS = 10.0
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_COMMON_FIELDS = ("kind", "rate_limits", "max_attempts", "timeout_seconds")


class ChannelConfigError(ValueError):
    """The channel configuration cannot be used. The text names channels and fields, never a configured value."""


@dataclass(frozen=True)
class RateLimit:
    """At most ``max_messages`` in any window of ``per_seconds`` (a sliding window, as the vendors count)."""

    max_messages: int
    per_seconds: float


@dataclass(frozen=True)
class _KindSpec:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    default_limits: tuple[RateLimit, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return self.required + self.optional


# Default limits are the vendors' published ones (source_apis.md section 4); a channel may configure lower ones.
_KIND_SPECS: dict[str, _KindSpec] = {
    "wecom_bot": _KindSpec(("key_env",), ("base_url",), (RateLimit(20, 60),)),
    "dingtalk_bot": _KindSpec(("access_token_env",), ("secret_env", "base_url"), (RateLimit(20, 60),)),
    "feishu_bot": _KindSpec(("hook_id_env",), ("secret_env", "base_url"), (RateLimit(5, 1), RateLimit(100, 60))),
    "slack_webhook": _KindSpec(("webhook_url_env",), (), (RateLimit(1, 1),)),
    "smtp": _KindSpec(("host", "from_address"), ("port", "security", "username", "password_env", "addresses"), ()),
    "file": _KindSpec(("path",), (), ()),
}


@dataclass(frozen=True)
class ChannelSpec:
    """One configured channel. ``secret_env`` maps a field (``key_env``) to the environment variable's name."""

    name: str
    kind: str
    settings: Mapping[str, Any] = field(default_factory=dict)  # plain values: base_url, host, port, path, ...
    secret_env: Mapping[str, str] = field(default_factory=dict)
    rate_limits: tuple[RateLimit, ...] = ()
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS

    def setting(self, name: str, default: Any = None) -> Any:
        return self.settings.get(name, default)

    def secrets(self, environ: Mapping[str, str]) -> dict[str, Secret]:
        """The channel's secrets from ``environ``, keyed by field without ``_env`` (``key``, ``secret``)."""
        missing = self.missing_environment(environ)
        if missing:
            raise ChannelConfigError("; ".join(missing))
        return {name.removesuffix("_env"): Secret(environ[env]) for name, env in self.secret_env.items()}

    def missing_environment(self, environ: Mapping[str, str]) -> list[str]:
        return [
            f"channel {self.name!r} ({self.kind}): environment variable {env} named by {name!r} is not set"
            for name, env in self.secret_env.items()
            if not environ.get(env)
        ]


@dataclass(frozen=True)
class RoutingRule:
    """Send matching messages to ``channel``. ``None`` conditions match anything.

    ``message_channels`` matches ``Message.channel``, the logical channel the builders take as ``channel=``: the
    way to route by message kind (build managers' messages with ``channel="managers"``).
    """

    channel: str
    recipients: frozenset[str] | None = None
    message_channels: frozenset[str] | None = None

    def matches(self, message: Message) -> bool:
        return (self.recipients is None or message.recipient in self.recipients) and (
            self.message_channels is None or message.channel in self.message_channels
        )


@dataclass(frozen=True)
class ChannelConfig:
    channels: Mapping[str, ChannelSpec]
    routing: tuple[RoutingRule, ...]

    def channel(self, name: str) -> ChannelSpec:
        try:
            return self.channels[name]
        except KeyError:
            raise ChannelConfigError(
                f"channel {name!r} is not configured (configured: {', '.join(sorted(self.channels))})"
            ) from None

    def route(self, message: Message) -> ChannelSpec:
        """The channel the first matching rule names."""
        for rule in self.routing:
            if rule.matches(message):
                return self.channel(rule.channel)
        raise ChannelConfigError(
            f"no routing rule matches message channel {message.channel!r} for recipient {message.recipient!r}"
        )

    def check_environment(self, environ: Mapping[str, str]) -> None:
        """Every environment variable a channel names must be set; all missing ones are reported at once."""
        missing = [problem for spec in self.channels.values() for problem in spec.missing_environment(environ)]
        if missing:
            raise ChannelConfigError("; ".join(missing))


def load_channel_config(path: Path) -> ChannelConfig:
    """Read and validate a YAML channel configuration file."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        # The parser's message quotes the offending text, which may be a secret pasted into the file.
        raise ChannelConfigError(f"{path}: not valid YAML ({type(error).__name__})") from None
    return parse_channel_config(raw)


def parse_channel_config(raw: object) -> ChannelConfig:
    """Validate a configuration mapping (already parsed YAML); see the module docstring for its shape."""
    if not isinstance(raw, Mapping):
        raise ChannelConfigError("the channel configuration must be a mapping with 'channels' and 'routing'")
    _reject_unknown("the channel configuration", raw, ("channels", "routing"))
    channels_raw = raw.get("channels")
    if not isinstance(channels_raw, Mapping) or not channels_raw:
        raise ChannelConfigError("'channels' must be a non-empty mapping of channel name -> settings")
    channels = {str(name): _parse_channel(str(name), settings) for name, settings in channels_raw.items()}
    routing_raw = raw.get("routing")
    if not isinstance(routing_raw, list) or not routing_raw:
        raise ChannelConfigError("'routing' must be a non-empty list of rules, e.g. [{channel: outbox}]")
    routing = tuple(_parse_rule(number, rule, channels) for number, rule in enumerate(routing_raw, start=1))
    return ChannelConfig(channels=channels, routing=routing)


def _parse_channel(name: str, raw: object) -> ChannelSpec:
    where = f"channel {name!r}"
    if not isinstance(raw, Mapping):
        raise ChannelConfigError(f"{where}: settings must be a mapping with at least 'kind'")
    kind = raw.get("kind")
    if kind is None:
        raise ChannelConfigError(f"{where}: required field 'kind' is missing (one of {', '.join(KINDS)})")
    if kind not in _KIND_SPECS:
        raise ChannelConfigError(f"{where}: field 'kind' is not a known channel kind (one of {', '.join(KINDS)})")
    spec = _KIND_SPECS[kind]
    where = f"channel {name!r} ({kind})"
    _reject_unknown(where, raw, _COMMON_FIELDS + spec.fields)
    for required in spec.required:
        if raw.get(required) in (None, ""):
            raise ChannelConfigError(f"{where}: required field {required!r} is missing")
    secret_env: dict[str, str] = {}
    settings: dict[str, Any] = {}
    for key in spec.fields:
        if key not in raw:
            continue
        value = raw[key]
        if key.endswith("_env"):
            if not isinstance(value, str) or not _ENV_NAME.match(value):
                raise ChannelConfigError(
                    f"{where}: field {key!r} must be the NAME of an environment variable (A-Z, 0-9, _), "
                    "not the secret itself; the value is not shown"
                )
            secret_env[key] = value
        else:
            settings[key] = _check_setting(where, kind, key, value)
    if kind == "smtp":
        settings = _smtp_settings(where, settings, secret_env)
    return ChannelSpec(
        name=name,
        kind=kind,
        settings=settings,
        secret_env=secret_env,
        rate_limits=_parse_limits(where, raw["rate_limits"]) if "rate_limits" in raw else spec.default_limits,
        max_attempts=_positive_int(where, "max_attempts", raw.get("max_attempts", DEFAULT_MAX_ATTEMPTS)),
        timeout_seconds=_positive_number(where, "timeout_seconds", raw.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS)),
    )


def _check_setting(where: str, kind: str, key: str, value: object) -> object:
    if key == "base_url":
        if not isinstance(value, str) or not re.match(r"^https?://[^/?#\s]+", value) or "?" in value:
            raise ChannelConfigError(f"{where}: field 'base_url' must be an http(s) URL without a query string")
        return value.rstrip("/")
    if key == "port":
        return _positive_int(where, key, value)
    if key == "addresses":
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and "@" in v for k, v in value.items()
        ):
            raise ChannelConfigError(f"{where}: field 'addresses' must map recipient ids to e-mail addresses")
        return dict(value)
    if key == "security" and value not in SMTP_SECURITY:
        raise ChannelConfigError(f"{where}: field 'security' must be one of {', '.join(SMTP_SECURITY)}")
    if key == "from_address" and (not isinstance(value, str) or "@" not in value):
        raise ChannelConfigError(f"{where}: field 'from_address' must be an e-mail address")
    if not isinstance(value, str):
        raise ChannelConfigError(f"{where}: field {key!r} must be text")
    return value


def _smtp_settings(where: str, settings: dict[str, Any], secret_env: Mapping[str, str]) -> dict[str, Any]:
    security = settings.setdefault("security", "starttls")
    settings.setdefault("port", {"ssl": 465, "starttls": 587, "none": 25}[security])
    if ("username" in settings) != ("password_env" in secret_env):
        raise ChannelConfigError(f"{where}: fields 'username' and 'password_env' go together (both or neither)")
    return settings


def _parse_limits(where: str, raw: object) -> tuple[RateLimit, ...]:
    if not isinstance(raw, list):
        raise ChannelConfigError(f"{where}: field 'rate_limits' must be a list of {{max_messages, per_seconds}}")
    limits = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise ChannelConfigError(f"{where}: each entry of 'rate_limits' must be {{max_messages, per_seconds}}")
        _reject_unknown(f"{where} rate_limits", item, ("max_messages", "per_seconds"))
        if "max_messages" not in item or "per_seconds" not in item:
            raise ChannelConfigError(f"{where}: each entry of 'rate_limits' needs 'max_messages' and 'per_seconds'")
        limits.append(
            RateLimit(
                _positive_int(where, "rate_limits.max_messages", item["max_messages"]),
                float(_positive_number(where, "rate_limits.per_seconds", item["per_seconds"])),
            )
        )
    return tuple(limits)


def _parse_rule(number: int, raw: object, channels: Mapping[str, ChannelSpec]) -> RoutingRule:
    where = f"routing rule {number}"
    if not isinstance(raw, Mapping):
        raise ChannelConfigError(f"{where}: must be a mapping with 'channel'")
    _reject_unknown(where, raw, ("channel", "recipient", "message_channel"))
    channel = raw.get("channel")
    if not channel:
        raise ChannelConfigError(f"{where}: required field 'channel' is missing")
    if channel not in channels:
        raise ChannelConfigError(
            f"{where}: channel {channel!r} is not configured (configured: {', '.join(sorted(channels))})"
        )
    return RoutingRule(
        channel=str(channel),
        recipients=_names(where, "recipient", raw.get("recipient")),
        message_channels=_names(where, "message_channel", raw.get("message_channel")),
    )


def _names(where: str, key: str, value: object) -> frozenset[str] | None:
    if value is None:
        return None
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
        raise ChannelConfigError(f"{where}: field {key!r} must be a name or a non-empty list of names")
    return frozenset(values)


def _reject_unknown(where: str, raw: Mapping[Any, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(str(key) for key in raw if key not in set(allowed))
    if unknown:
        raise ChannelConfigError(
            f"{where}: unknown field(s) {', '.join(map(repr, unknown))} (allowed: {', '.join(allowed)})"
        )


def _positive_int(where: str, key: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ChannelConfigError(f"{where}: field {key!r} must be a whole number of at least 1")
    return value


def _positive_number(where: str, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ChannelConfigError(f"{where}: field {key!r} must be a positive number")
    return float(value)
